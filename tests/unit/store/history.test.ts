import { spawn } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../shared/chat.ts';
import {
  conversationToJson,
  conversationToMarkdown,
} from '../../../main/core/store/history-export.ts';
import { HistoryStore } from '../../../main/core/store/history.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const DAY = 24 * 60 * 60 * 1_000;
const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);

let dir: string;
let store: HistoryStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lumi-history-'));
  store = new HistoryStore(join(dir, 'history.sqlite'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function message(conversationId: string, patch: Partial<ChatMessage>): ChatMessage {
  counter += 1;
  return {
    id: `m${String(counter).padStart(5, '0')}`,
    conversationId,
    role: 'user',
    text: '',
    emotion: null,
    status: 'done',
    createdAt: T0 + counter,
    updatedAt: T0 + counter,
    systemKind: null,
    timings: null,
    ...patch,
  };
}

describe('HistoryStore writes', () => {
  it('appends sentences as parts: pages, search and export see the whole reply', () => {
    const conversation = store.startConversation('home', T0);
    const reply = message(conversation, { role: 'assistant', status: 'streaming', text: '' });
    store.upsert(reply);
    const append = (text: string, truncated = false) =>
      store.append({ id: reply.id, conversationId: conversation, text, updatedAt: T0, truncated });
    append('今天天气很好。');
    append('明天下雨。');
    append(' Bring an umbrella…', true);
    const whole = '今天天气很好。明天下雨。 Bring an umbrella…';
    expect(store.messages(conversation)[0]).toMatchObject({ text: whole, truncated: true });
    expect(store.page({ profileId: 'home', before: null, limit: 10 }).messages[0]?.text).toBe(
      whole,
    );
    // Streaming rows are found by scanning, for short and long queries alike.
    expect(store.search('home', '下雨', 5).map((m) => m.text)).toEqual([whole]);
    expect(store.search('home', 'umbrella', 5).map((m) => m.text)).toEqual([whole]);
    // Written whole when it settles: the parts fold into the text and the FTS index has it.
    store.upsert({ ...reply, text: whole, status: 'done', truncated: true });
    expect(store.messages(conversation)[0]).toMatchObject({ text: whole, status: 'done' });
    expect(store.search('home', 'umbrella', 5).map((m) => m.text)).toEqual([whole]);
    expect(() => append('late')).toThrow(/not a streaming message/);
  });

  it('updates a streaming reply in place as sentences arrive', () => {
    const conversation = store.startConversation('home', T0);
    const reply = message(conversation, { role: 'assistant', status: 'streaming', text: '今天' });
    store.upsert(reply);
    store.upsert({ ...reply, text: '今天天气很好。', updatedAt: reply.updatedAt + 5 });
    const timings = {
      firstResponseMs: 300,
      firstSentenceMs: 450,
      firstAudioMs: 500,
      totalMs: 2100,
    };
    store.upsert({
      ...reply,
      text: '今天天气很好。适合散步。',
      status: 'done',
      emotion: 'happy',
      timings,
    });
    const stored = store.messages(conversation);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      text: '今天天气很好。适合散步。',
      status: 'done',
      emotion: 'happy',
      timings,
    });
    expect(store.search('home', '天气很', 10).map((each) => each.id)).toEqual([reply.id]);
    expect(store.search('home', '今天', 10)).toHaveLength(1);
  });

  it('titles a conversation by its first user line and tracks its last activity', () => {
    const conversation = store.startConversation('home', T0);
    store.upsert(message(conversation, { role: 'assistant', text: 'Hello!' }));
    store.upsert(message(conversation, { text: 'What is the weather like in Hangzhou today?' }));
    store.upsert(message(conversation, { text: 'And tomorrow?', updatedAt: T0 + DAY }));
    expect(store.conversation(conversation)).toMatchObject({
      title: 'What is the weather like in Hangzhou today?',
      updatedAt: T0 + DAY,
      profileId: 'home',
    });
    expect(conversation.startsWith('home:')).toBe(true);
  });

  it('refuses to move a message to another conversation or into a missing one', () => {
    const a = store.startConversation('home', T0);
    const b = store.startConversation('home', T0);
    const first = message(a, { text: 'one' });
    store.upsert(first);
    expect(() => store.upsert({ ...first, conversationId: b })).toThrow(/another conversation/);
    expect(() => store.upsert(message('home:missing', { text: 'x' }))).toThrow();
    expect(store.messages(a)[0]?.text).toBe('one');
  });
});

describe('HistoryStore search', () => {
  function seed() {
    const home = store.startConversation('home', T0);
    const work = store.startConversation('work', T0);
    const lines = [
      [home, '你好，小智'],
      [home, '今天天气怎么样？'],
      [home, 'Turn on the living room light'],
      [home, '100% sure_thing'],
      [work, '你好，我是工作助手'],
    ] as const;
    return lines.map(([conversation, text]) => {
      const each = message(conversation, { text });
      store.upsert(each);
      return each;
    });
  }

  it('finds 2-character Chinese words (你好) within the profile only', () => {
    const [hello] = seed();
    expect(store.search('home', '你好', 10).map((each) => each.id)).toEqual([hello?.id]);
    expect(store.search('work', '你好', 10)).toHaveLength(1);
  });

  it('finds 1-character and 3+-character Chinese substrings', () => {
    const [, weather] = seed();
    expect(store.search('home', '天', 10).map((each) => each.id)).toEqual([weather?.id]);
    expect(store.search('home', '天气怎么', 10).map((each) => each.id)).toEqual([weather?.id]);
    expect(store.search('home', '天气好', 10)).toEqual([]);
  });

  it('finds English case-insensitively, words and parts of words', () => {
    const [, , light] = seed();
    expect(store.search('home', 'LIVING room', 10).map((each) => each.id)).toEqual([light?.id]);
    expect(store.search('home', 'ght', 10).map((each) => each.id)).toEqual([light?.id]);
    expect(store.search('home', 'on', 10).map((each) => each.id)).toEqual([light?.id]);
  });

  it('treats quotes, %, _ and FTS syntax as plain text', () => {
    const [, , , sure] = seed();
    expect(store.search('home', '0%', 10).map((each) => each.id)).toEqual([sure?.id]);
    expect(store.search('home', 'e_', 10).map((each) => each.id)).toEqual([sure?.id]);
    expect(store.search('home', '"light" OR', 10)).toEqual([]);
    expect(store.search('home', 'NEAR(', 10)).toEqual([]);
    expect(store.search('home', '   ', 10)).toEqual([]);
  });

  it('returns the newest matches first, up to the limit', () => {
    const conversation = store.startConversation('home', T0);
    const ids = Array.from({ length: 5 }, (_, index) => {
      const each = message(conversation, { text: `reminder ${index}` });
      store.upsert(each);
      return each.id;
    });
    expect(store.search('home', 'reminder', 3).map((each) => each.id)).toEqual(
      ids.slice(2).reverse(),
    );
  });
});

describe('HistoryStore pages', () => {
  it('walks the whole history backwards with before cursors, without gaps or repeats', () => {
    const a = store.startConversation('home', T0);
    const b = store.startConversation('home', T0);
    const all = Array.from({ length: 23 }, (_, index) => {
      // Equal timestamps in pairs: the id breaks the tie, so no message is skipped.
      const each = message(index % 2 ? a : b, {
        text: `line ${index}`,
        createdAt: T0 + Math.floor(index / 2),
      });
      store.upsert(each);
      return each;
    });
    store.upsert(message(store.startConversation('work', T0), { text: 'other profile' }));

    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const page = store.page({ profileId: 'home', before, limit: 5 });
      seen.unshift(...page.messages.map((each) => each.id));
      before = page.nextBefore;
      pages += 1;
    } while (before !== null);
    expect(pages).toBe(5);
    const expected = [...all]
      .sort((x, y) => x.createdAt - y.createdAt || x.id.localeCompare(y.id))
      .map((each) => each.id);
    expect(seen).toEqual(expected);
  });

  it('gives the latest page oldest-first and can stay in one conversation', () => {
    const a = store.startConversation('home', T0);
    const b = store.startConversation('home', T0);
    const inA = [message(a, { text: 'a1' }), message(a, { text: 'a2' })];
    for (const each of [...inA, message(b, { text: 'b1' })]) store.upsert(each);
    const latest = store.page({ profileId: 'home', before: null, limit: 2 });
    expect(latest.messages.map((each) => each.text)).toEqual(['a2', 'b1']);
    expect(latest.nextBefore).not.toBeNull();
    const onlyA = store.page({ profileId: 'home', conversationId: a, before: null, limit: 10 });
    expect(onlyA).toEqual({ messages: inA, nextBefore: null });
    expect(() => store.page({ profileId: 'home', before: 'garbage', limit: 2 })).toThrow(
      RangeError,
    );
  });
});

describe('HistoryStore deletion and retention', () => {
  it('deletes a conversation with its messages and their search entries', () => {
    const conversation = store.startConversation('home', T0);
    store.upsert(message(conversation, { text: '删除我吧' }));
    store.deleteConversation(conversation);
    expect(store.conversation(conversation)).toBeNull();
    expect(store.search('home', '删除我', 10)).toEqual([]);
    expect(store.search('home', '删除', 10)).toEqual([]);
  });

  it('drops messages older than N days and the conversations they emptied', () => {
    const old = store.startConversation('home', T0);
    const mixed = store.startConversation('home', T0);
    store.upsert(message(old, { text: 'ancient history', createdAt: T0, updatedAt: T0 }));
    store.upsert(message(mixed, { text: 'old line', createdAt: T0, updatedAt: T0 }));
    const recent = message(mixed, { text: 'fresh line', createdAt: T0 + 29 * DAY });
    store.upsert(recent);
    const removed = store.applyRetention(7, T0 + 30 * DAY);
    expect(removed).toBe(2);
    expect(store.conversation(old)).toBeNull();
    expect(store.messages(mixed).map((each) => each.id)).toEqual([recent.id]);
    expect(store.search('home', 'ancient', 10)).toEqual([]);
  });

  it('deletes a whole profile', () => {
    store.upsert(message(store.startConversation('home', T0), { text: 'mine' }));
    store.upsert(message(store.startConversation('work', T0), { text: 'theirs' }));
    store.deleteProfile('home');
    expect(store.conversations('home')).toEqual([]);
    expect(store.conversations('work')).toHaveLength(1);
  });
});

describe('export', () => {
  it('writes Markdown and JSON with every line of the conversation', () => {
    const conversation = store.startConversation('home', T0);
    const lines = [
      message(conversation, { text: '你好' }),
      message(conversation, {
        role: 'assistant',
        text: '你好呀！\n有什么可以帮你？',
        emotion: 'happy',
      }),
      message(conversation, { role: 'system', text: 'Volume set to 50', systemKind: 'tool' }),
    ];
    for (const each of lines) store.upsert(each);
    const markdown = conversationToMarkdown(store, conversation);
    expect(markdown).toMatch(/^# 你好\n/);
    expect(markdown).toContain('**You** · 2026-11-01T09:00:00');
    expect(markdown).toContain('**Assistant** (happy)');
    expect(markdown).toContain('你好呀！  \n有什么可以帮你？');
    expect(markdown).toContain('> **System [tool]**');
    const json = JSON.parse(conversationToJson(store, conversation)) as {
      format: string;
      conversation: { id: string };
      messages: ChatMessage[];
    };
    expect(json.format).toBe('lumi-conversation');
    expect(json.conversation.id).toBe(conversation);
    expect(json.messages).toEqual(lines);
  });
});

describe('WAL checkpoints', () => {
  it('happen shortly after a turn ends, never inside a streamed sentence', () => {
    store.close();
    const path = join(dir, 'wal.sqlite');
    const clock = new ManualClock();
    store = new HistoryStore(path, clock);
    const conversation = store.startConversation('home', T0);
    const reply = message(conversation, { role: 'assistant', status: 'streaming' });
    for (let sentence = 0; sentence < 250; sentence += 1) {
      store.upsert({ ...reply, text: `${reply.text}句${sentence}。` });
    }
    expect(clock.pending()).toEqual([]);
    store.upsert({ ...reply, text: 'done', status: 'done' });
    expect(clock.pending()).toEqual([1_000]);

    // The main file alone (no WAL) holds only what has been checkpointed into it.
    const checkpointedReply = () => {
      const copy = join(dir, `copy-${clock.now()}.sqlite`);
      copyFileSync(path, copy);
      const probe = new DatabaseSync(copy, { readOnly: true });
      try {
        const schema = probe.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'messages'`).get();
        if (!schema) return null;
        const row = probe.prepare('SELECT text FROM messages WHERE id = ?').get(reply.id);
        return row ? String(row['text']) : null;
      } finally {
        probe.close();
      }
    };
    expect(checkpointedReply()).toBeNull();
    clock.advance(1_000);
    expect(clock.pending()).toEqual([]);
    expect(checkpointedReply()).toBe('done');
  });
});

describe('crash safety', () => {
  it('keeps every committed sentence when the writer is killed with SIGKILL mid-reply', async () => {
    store.close();
    const path = join(dir, 'crash.sqlite');
    const child = spawn(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        join(import.meta.dirname, 'history-writer.child.ts'),
        path,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => {
      child.once('exit', (_code, signal) => resolve(signal));
    });
    let conversationId = '';
    let committed = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('conversation ')) conversationId = line.slice('conversation '.length);
      if (line.startsWith('committed ')) committed = Number(line.slice('committed '.length));
      // Let it stream a while, then kill it while it is writing flat out.
      if (committed >= 300) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    store = new HistoryStore(path);
    expect(store.integrityCheck()).toBe('ok');
    const reply = store.messages(conversationId).find((each) => each.id === 'reply-1');
    expect(reply?.status).toBe('streaming');
    for (let sentence = 1; sentence <= committed; sentence += 1) {
      expect(reply?.text).toContain(`第${sentence}句。Sentence ${sentence}. `);
    }
    expect(store.search('home', `Sentence ${committed}.`, 1)).toHaveLength(1);
  });
});
