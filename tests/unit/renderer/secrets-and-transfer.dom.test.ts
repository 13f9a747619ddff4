import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import ProfileTransfer from '../../../renderer/src/components/ProfileTransfer.svelte';
import SecretsBanner from '../../../renderer/src/components/SecretsBanner.svelte';
import { LUMI_CONTEXT } from '../../../renderer/src/state/context.ts';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import type { Snapshot } from '../../../shared/ipc.ts';
import { createFakeLumi, snapshotFixture } from './fake-lumi-api.ts';

async function start(snapshot: Snapshot = snapshotFixture()) {
  const fake = createFakeLumi({ snapshot });
  const started = await Lumi.start(fake.api, 'en-US');
  if (!started.ok) throw new Error(started.message);
  return { fake, lumi: started.value, context: new Map([[LUMI_CONTEXT, started.value]]) };
}

const settle = async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
};

describe('keystore warning', () => {
  it('shows the warning from the snapshot and stores tokens only after "Store anyway"', async () => {
    const { fake, context } = await start(snapshotFixture({ secretsConsent: 'plaintextBackend' }));
    render(SecretsBanner, { context });
    expect(screen.getByTestId('secrets-banner').textContent).toContain('basic_text');
    expect(fake.api.allowStoringSecrets).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('secrets-allow'));
    await settle();
    expect(fake.api.allowStoringSecrets).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('secrets-banner')).toBeNull();
  });

  it('appears when main says a token could only be kept for this session', async () => {
    const { fake, context } = await start();
    render(SecretsBanner, { context });
    expect(screen.queryByTestId('secrets-banner')).toBeNull();
    fake.emit({ type: 'secretsConsentRequired', reason: 'noEncryption' });
    flushSync();
    expect(screen.getByTestId('secrets-banner').textContent).toContain(
      'Encryption is not available on this system',
    );
  });

  it('switches to the view main asks for (the tray Settings item)', async () => {
    const { fake, lumi } = await start();
    expect(lumi.view).toBe('chat');
    fake.emit({ type: 'viewRequested', view: 'settings' });
    expect(lumi.view).toBe('settings');
  });
});

describe('profile import and export', () => {
  it('exports without secrets into the box, with secrets to a file main writes, and imports what is pasted', async () => {
    const { fake, context } = await start();
    render(ProfileTransfer, { context });
    await fireEvent.click(screen.getByTestId('transfer-export'));
    await settle();
    expect(fake.api.exportProfiles).toHaveBeenCalledTimes(1);
    const box = screen.getByTestId('transfer-json') as HTMLTextAreaElement;
    expect(box.value).toContain('lumi-profiles');
    await fireEvent.input(box, { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('transfer-secrets'));
    await fireEvent.click(screen.getByTestId('transfer-export'));
    await settle();
    // The window only asks; main chooses the file with a dialog and writes it.
    expect(fake.api.exportSecrets).toHaveBeenCalledTimes(1);
    expect(fake.api.exportProfiles).toHaveBeenCalledTimes(1);
    expect(box.value).toBe('');
    expect(screen.getByRole('status').textContent).toContain(
      '/home/me/lumi-servers-with-secrets.json',
    );
    fake.api.exportSecrets.mockResolvedValueOnce({ ok: true, value: { saved: false } });
    await fireEvent.click(screen.getByTestId('transfer-export'));
    await settle();
    expect(screen.getByRole('status').textContent).toMatch(/cancelled/);
    await fireEvent.input(box, { target: { value: '{"format":"lumi-profiles"}' } });
    await fireEvent.click(screen.getByTestId('transfer-import'));
    await settle();
    expect(fake.api.importProfiles).toHaveBeenCalledWith('{"format":"lumi-profiles"}');
    expect(screen.getByRole('status').textContent).toMatch(/Imported/);
  });
});
