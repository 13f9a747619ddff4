/**
 * History store on a realistic volume: 100 000 messages (Chinese and English) in one profile.
 * - history.append.p99: one committed upsert per streamed sentence of a reply;
 * - history.search: median time of a set of searches (3+ characters through the trigram
 *   index, and 2-character Chinese words through the fallback scan);
 * - history.open: open the database and load the latest page, as the window does on start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage } from '../shared/chat.ts';
import { HistoryStore } from '../main/core/store/history.ts';
import { fromRuns, inRuns, median, percentile } from './stats.ts';
import type { BenchResult } from './types.ts';

const MESSAGES = 100_000;
const PER_CONVERSATION = 20;
const STREAMED_REPLIES = 200;
const SENTENCES_PER_REPLY = 12;
const PAGE_SIZE = 50;
const OPEN_RUNS = 7;
const SEARCH_RUNS = 5;

const PHRASES = [
  '今天天气怎么样',
  '明天会下雨吗',
  '帮我打开客厅的灯',
  '播放一首周杰伦的歌',
  '你好小智',
  '讲个笑话吧',
  'What is the weather like today',
  'Turn off the bedroom light',
  'Set a timer for ten minutes',
  'Remind me to call mom at eight',
  'How far is the moon from the earth',
  '把音量调到百分之五十',
];
// '火星' and 'zzqx' match nothing: the 2-character one is the worst case, a scan of every row.
const QUERIES = [
  '天气怎么',
  'bedroom light',
  'timer',
  '周杰伦的歌',
  '你好',
  '笑话',
  'zzqx',
  '火星',
];

function line(index: number): string {
  const first = PHRASES[index % PHRASES.length] ?? '';
  const second = PHRASES[(index * 7 + 3) % PHRASES.length] ?? '';
  return `${first}，${second}。#${index}`;
}

/** The streamed appends are taken as this many runs, each giving its own p99. */
const APPEND_RUNS = 5;

function seed(store: HistoryStore, start: number): void {
  let conversation = '';
  for (let index = 0; index < MESSAGES; index += 1) {
    if (index % PER_CONVERSATION === 0)
      conversation = store.startConversation('home', start + index);
    const message: ChatMessage = {
      id: `seed-${index}`,
      conversationId: conversation,
      role: index % 2 === 0 ? 'user' : 'assistant',
      text: line(index),
      emotion: null,
      status: 'done',
      createdAt: start + index,
      updatedAt: start + index,
      systemKind: null,
      timings: null,
    };
    store.upsert(message);
  }
}

function appendTimes(store: HistoryStore, start: number): number[] {
  const times: number[] = [];
  const conversation = store.startConversation('home', start);
  for (let reply = 0; reply < STREAMED_REPLIES; reply += 1) {
    let text = '';
    for (let sentence = 0; sentence < SENTENCES_PER_REPLY; sentence += 1) {
      text += `${PHRASES[(reply + sentence) % PHRASES.length] ?? ''}。`;
      const began = performance.now();
      store.upsert({
        id: `stream-${reply}`,
        conversationId: conversation,
        role: 'assistant',
        text,
        emotion: null,
        status: sentence === SENTENCES_PER_REPLY - 1 ? 'done' : 'streaming',
        createdAt: start + reply,
        updatedAt: start + reply + sentence,
        systemKind: null,
        timings: null,
      });
      times.push(performance.now() - began);
    }
  }
  return times;
}

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lumi-bench-history-'));
  const path = join(dir, 'history.sqlite');
  const start = Date.UTC(2026, 0, 1);
  try {
    let store = new HistoryStore(path);
    seed(store, start);
    const appends = appendTimes(store, start + MESSAGES);

    const searches: number[] = [];
    for (let run = 0; run < SEARCH_RUNS; run += 1) {
      for (const query of QUERIES) {
        const began = performance.now();
        store.search('home', query, PAGE_SIZE);
        searches.push(performance.now() - began);
      }
    }
    store.close();

    const opens: number[] = [];
    for (let run = 0; run < OPEN_RUNS; run += 1) {
      const began = performance.now();
      store = new HistoryStore(path);
      store.page({ profileId: 'home', before: null, limit: PAGE_SIZE });
      opens.push(performance.now() - began);
      store.close();
    }

    // Each search run is the median over the query set; the worst is each run's slowest query.
    const searchRuns = inRuns(searches, SEARCH_RUNS);
    return [
      fromRuns(
        'history.append.p99',
        'ms',
        inRuns(appends, APPEND_RUNS).map((run) => percentile(run, 0.99)),
        '≤ 2',
      ),
      fromRuns('history.search', 'ms', searchRuns.map(median), '≤ 50'),
      fromRuns(
        'history.search.worst',
        'ms',
        searchRuns.map((run) => Math.max(...run)),
        '≤ 50',
      ),
      fromRuns('history.open', 'ms', opens, '≤ 20'),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
