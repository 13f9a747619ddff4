/**
 * The thumbnail of a picture Lumi sent, through the real history database (node:sqlite): kept
 * with its line only while `keepPictureThumbnails` is on, and a database written by the
 * previous schema (version 2, before pictures could be kept) opens, keeps its rows and takes
 * pictures from then on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../shared/chat.ts';
import type { SessionEvent } from '../../../shared/session-events.ts';
import { recordHistory } from '../../../main/core/store/history-recorder.ts';
import {
  HISTORY_MIGRATIONS,
  HISTORY_SCHEMA_VERSION,
} from '../../../main/core/store/history-schema.ts';
import { HistoryStore } from '../../../main/core/store/history.ts';

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const THUMBNAIL = 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2Q==';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lumi-history-pictures-'));
  path = join(dir, 'history.sqlite');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function toolLine(conversationId: string, id: string, image?: string): ChatMessage {
  return {
    id,
    conversationId,
    role: 'system',
    text: 'Tool self.screen.take_screenshot (question="what is this?"): looked at the screen: a chart',
    emotion: null,
    status: 'done',
    createdAt: T0,
    updatedAt: T0,
    systemKind: 'tool',
    timings: null,
    ...(image === undefined ? {} : { image }),
  };
}

/** A session stand-in: the events a real session emits, to whoever records them. */
function eventSource() {
  const listeners: ((event: SessionEvent) => void)[] = [];
  return {
    onEvent(listener: (event: SessionEvent) => void) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    emit(message: ChatMessage) {
      for (const listener of listeners) listener({ type: 'messageUpserted', message });
    },
  };
}

describe('picture thumbnails in the history', () => {
  it('stores the line without its picture while the setting is off, with it once on', () => {
    const store = new HistoryStore(path);
    const session = eventSource();
    let keep = false;
    const failures: unknown[] = [];
    recordHistory(
      session,
      store,
      (error) => failures.push(error),
      () => keep,
    );
    const conversation = store.startConversation('p1', T0);

    session.emit(toolLine(conversation, 'off', THUMBNAIL));
    keep = true;
    session.emit(toolLine(conversation, 'on', THUMBNAIL));
    session.emit(toolLine(conversation, 'none'));

    const byId = new Map(store.messages(conversation).map((m) => [m.id, m]));
    expect(failures).toEqual([]);
    expect(byId.get('off')?.text).toContain('looked at the screen');
    expect(byId.get('off')).not.toHaveProperty('image');
    expect(byId.get('on')?.image).toBe(THUMBNAIL);
    expect(byId.get('none')).not.toHaveProperty('image');
    // The picture comes back with pages and searches too, which the window reloads from.
    const page = store.page({ profileId: 'p1', before: null, limit: 10 });
    expect(page.messages.find((m) => m.id === 'on')?.image).toBe(THUMBNAIL);
    expect(store.search('p1', 'chart', 10).find((m) => m.id === 'on')?.image).toBe(THUMBNAIL);
    store.close();
  });

  it('keeps no picture by default (the CLI records without the setting)', () => {
    const store = new HistoryStore(path);
    const session = eventSource();
    recordHistory(session, store, () => undefined);
    const conversation = store.startConversation('p1', T0);
    session.emit(toolLine(conversation, 'default', THUMBNAIL));
    expect(store.messages(conversation)[0]).not.toHaveProperty('image');
    store.close();
  });

  it('upgrades a version 2 database in place: old rows stay, new rows keep pictures', () => {
    const old = new DatabaseSync(path);
    for (const migration of HISTORY_MIGRATIONS.slice(0, 2)) old.exec(migration);
    old.exec('PRAGMA user_version = 2');
    old
      .prepare('INSERT INTO conversations VALUES (?, ?, ?, ?, ?)')
      .run('c-old', 'p1', 'before', T0, T0);
    old
      .prepare(
        `INSERT INTO messages (id, conversation_id, role, text, emotion, status, system_kind,
           created_at, updated_at, timings, truncated)
         VALUES ('m-old', 'c-old', 'user', '看看我的屏幕', NULL, 'done', NULL, ?, ?, NULL, 0)`,
      )
      .run(T0, T0);
    old.close();

    const store = new HistoryStore(path);
    expect(store.messages('c-old').map((m) => [m.id, m.text])).toEqual([['m-old', '看看我的屏幕']]);
    expect(store.messages('c-old')[0]).not.toHaveProperty('image');
    expect(store.search('p1', '屏幕', 10).map((m) => m.id)).toEqual(['m-old']);
    store.upsert(toolLine('c-old', 'm-new', THUMBNAIL));
    expect(store.messages('c-old').find((m) => m.id === 'm-new')?.image).toBe(THUMBNAIL);
    store.close();

    const check = new DatabaseSync(path);
    expect(check.prepare('PRAGMA user_version').get()?.['user_version']).toBe(
      HISTORY_SCHEMA_VERSION,
    );
    check.close();
  });
});
