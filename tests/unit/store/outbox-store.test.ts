import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../../shared/session-events.ts';
import { OUTBOX_FILE, OutboxStore } from '../../../main/core/store/outbox-store.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const item = (id: string, text: string): OutboxItem => ({
  id,
  text,
  status: 'queued',
  createdAt: 1_000,
  error: null,
});

describe('OutboxStore', () => {
  it('keeps each profile’s waiting messages across instances, in a 0600 file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumi-outbox-'));
    const store = new OutboxStore({ dir });
    store.save('home', [item('a', 'one'), item('b', 'two')]);
    store.save('work', [item('c', 'three')]);
    const again = new OutboxStore({ dir });
    expect(again.load('home').map((i) => i.text)).toEqual(['one', 'two']);
    expect(again.load('work').map((i) => i.text)).toEqual(['three']);
    expect(again.load('other')).toEqual([]);
    expect(statSync(join(dir, OUTBOX_FILE)).mode & 0o777).toBe(0o600);
    again.save('home', []);
    expect(new OutboxStore({ dir }).load('home')).toEqual([]);
    expect(new OutboxStore({ dir }).load('work')).toHaveLength(1);
  });

  it('keeps a refusal as a problem the window words', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumi-outbox-'));
    const refused: OutboxItem = {
      ...item('a', 'a long text'),
      status: 'refused',
      error: { code: 'messageRefused', text: 'Error: too long' },
    };
    new OutboxStore({ dir }).save('home', [refused]);
    expect(new OutboxStore({ dir }).load('home')).toEqual([refused]);
  });

  it('loads the plain-text refusals an older Lumi stored, as problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumi-outbox-'));
    const old = {
      version: 1,
      profiles: {
        home: [
          { id: 'a', text: 'too long', status: 'refused', createdAt: 1_000, error: 'Error: nope' },
          { id: 'b', text: 'waiting', status: 'queued', createdAt: 2_000, error: null },
        ],
      },
    };
    writeFileSync(join(dir, OUTBOX_FILE), JSON.stringify(old));
    const store = new OutboxStore({ dir, clock: new ManualClock() });
    expect(store.load('home')).toEqual([
      { ...old.profiles.home[0], error: { code: 'messageRefused', text: 'Error: nope' } },
      old.profiles.home[1],
    ]);
    // Nothing was moved aside: the old file was read, not taken for a damaged one.
    expect(readdirSync(dir).some((name) => name.startsWith('outbox.corrupt-'))).toBe(false);
  });

  it('takes a problem with a code this Lumi does not know for damage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumi-outbox-'));
    const row = { id: 'a', text: 'x', status: 'refused', createdAt: 1, error: { code: 'nope' } };
    writeFileSync(
      join(dir, OUTBOX_FILE),
      JSON.stringify({ version: 1, profiles: { home: [row] } }),
    );
    expect(new OutboxStore({ dir, clock: new ManualClock() }).load('home')).toEqual([]);
  });

  it('moves a damaged file aside and starts empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumi-outbox-'));
    writeFileSync(join(dir, OUTBOX_FILE), '{"version":1,"profiles":{"home":[{"id":');
    const store = new OutboxStore({ dir, clock: new ManualClock() });
    expect(store.load('home')).toEqual([]);
    expect(readdirSync(dir).some((name) => name.startsWith('outbox.corrupt-'))).toBe(true);
  });
});
