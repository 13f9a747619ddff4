import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../shared/chat.ts';
import { HistoryStore } from '../../../main/core/store/history.ts';

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempHistory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lumi-history-notice-'));
  dirs.push(dir);
  return join(dir, 'history.sqlite');
}

const line = (conversationId: string, id: string, patch: Partial<ChatMessage>): ChatMessage => ({
  id,
  conversationId,
  role: 'system',
  text: '',
  emotion: null,
  status: 'done',
  createdAt: T0,
  updatedAt: T0,
  systemKind: 'server',
  timings: null,
  ...patch,
});

describe('system lines Lumi wrote itself', () => {
  it('keep their notice as data across a restart, and their English text for search', () => {
    const path = tempHistory();
    const store = new HistoryStore(path);
    const conversation = store.startConversation('home', T0);
    const notice = { code: 'toolCalled', call: 'self.get_volume', result: '40' } as const;
    store.upsert(line(conversation, 'a', { text: 'Tool self.get_volume: 40', notice }));
    store.close();

    const again = new HistoryStore(path);
    const [stored] = again.page({ profileId: 'home', before: null, limit: 10 }).messages;
    expect(stored?.notice).toEqual(notice);
    expect(again.search('home', 'get_volume', 10).map((m) => m.id)).toEqual(['a']);
    again.close();
  });

  it('show their text when they come from a history written before notices existed', () => {
    const path = tempHistory();
    const first = new HistoryStore(path);
    const conversation = first.startConversation('home', T0);
    first.close();
    // What Lumi with schema 3 left behind: no notice column, the English line as the text.
    const db = new DatabaseSync(path);
    db.exec('ALTER TABLE messages DROP COLUMN notice');
    db.exec('PRAGMA user_version = 3');
    db.prepare(
      `INSERT INTO messages (id, conversation_id, role, text, emotion, status, system_kind, created_at, updated_at)
       VALUES ('old', ?, 'system', 'The server asked to restart the session.', NULL, 'done', 'server', ?, ?)`,
    ).run(conversation, T0, T0);
    db.close();

    const upgraded = new HistoryStore(path);
    const [old] = upgraded.page({ profileId: 'home', before: null, limit: 10 }).messages;
    expect(old?.text).toBe('The server asked to restart the session.');
    expect(old).not.toHaveProperty('notice');
    upgraded.upsert(line(conversation, 'new', { notice: { code: 'sessionRestartAsked' } }));
    const newest = upgraded.page({ profileId: 'home', before: null, limit: 10 }).messages;
    expect(newest.find((m) => m.id === 'new')?.notice).toEqual({ code: 'sessionRestartAsked' });
    upgraded.close();
  });
});
