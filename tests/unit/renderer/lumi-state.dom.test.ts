import { describe, expect, it } from 'vitest';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import { fail, ok } from '../../../shared/result.ts';
import { createFakeLumi, messageFixture, NOW, snapshotFixture } from './fake-lumi-api.ts';

describe('window state', () => {
  it('applies events that arrive before the snapshot after it, so they win', async () => {
    const fake = createFakeLumi();
    fake.api.ready.mockImplementationOnce(async () => {
      fake.emit({
        type: 'connectionChanged',
        previous: { kind: 'ready', sessionId: 's1', serverVersion: '1', transport: 'websocket' },
        next: {
          kind: 'failed',
          cause: { code: 'closed', closeCode: 1006 },
          gaveUpAfter: 5,
          retryAt: null,
        },
      });
      fake.emit({ type: 'messageUpserted', message: messageFixture({ id: 'late', text: 'hi' }) });
      return ok(snapshotFixture());
    });
    const started = await Lumi.start(fake.api, 'en-US');
    if (!started.ok) throw new Error(started.message);
    expect(started.value.status.connection).toEqual({
      kind: 'failed',
      cause: { code: 'closed', closeCode: 1006 },
      gaveUpAfter: 5,
      retryAt: null,
    });
    expect(started.value.chat.rows.map((row) => row.key)).toEqual(['message:late']);
  });

  it('shows the outbox from the snapshot as the user’s pending messages', async () => {
    const fake = createFakeLumi({
      snapshot: snapshotFixture({
        outbox: [{ id: 'o1', text: 'still here', status: 'queued', createdAt: NOW, error: null }],
      }),
    });
    const started = await Lumi.start(fake.api, 'en-US');
    if (!started.ok) throw new Error(started.message);
    const [row] = started.value.chat.rows;
    expect(row?.kind === 'message' && row.message).toMatchObject({
      id: 'o1',
      role: 'user',
      status: 'queued',
      text: 'still here',
    });
  });

  it('fails to start, and stops listening, when main cannot give a snapshot', async () => {
    const fake = createFakeLumi();
    const refusal = fail('busy', { code: 'internalError' });
    fake.api.ready.mockResolvedValueOnce(refusal);
    const started = await Lumi.start(fake.api, 'en-US');
    expect(started).toEqual(refusal);
    expect(fake.listenerCount()).toBe(0);
  });

  it('turns session errors into notices and follows the global hotkey', async () => {
    const fake = createFakeLumi();
    const started = await Lumi.start(fake.api, 'en-US');
    if (!started.ok) throw new Error(started.message);
    const lumi = started.value;
    fake.emit({ type: 'errorOccurred', problem: { code: 'serverError', text: 'too many' } });
    fake.emit({
      type: 'deviceError',
      direction: 'input',
      problem: { code: 'deviceClosed', device: 'USB Mic' },
    });
    expect(lumi.notices.items.map(lumi.i18n.notice)).toEqual([
      'Error: The server reported an error: too many',
      'Microphone problem: "USB Mic" closed unexpectedly.',
    ]);
    fake.emit({ type: 'hotkeyPressed', action: 'talkDown' });
    expect(lumi.talk.active).toBe(true);
    fake.emit({ type: 'hotkeyPressed', action: 'talkUp' });
    expect(lumi.talk.active).toBe(false);
    lumi.dispose();
    expect(fake.listenerCount()).toBe(0);
  });
});
