/**
 * The window with a long history, in Debian's Chromium against the browser preview (the real
 * core, bridge and built renderer). 10 000 messages are seeded into the preview's history
 * database before it starts.
 *
 * What is measured, and how (every figure is the median of RUNS fresh pages or APPENDS
 * messages; times are `performance.now()` in the page):
 * - ui.render10k: the window drawn with all 10 000 messages in its chat list. The window's
 *   first history request is answered with the whole history in one page (it normally asks
 *   for the newest 50). Measured from the arrival of that reply in the page (so the transfer
 *   through Playwright's WebSocket route is left out) to the end of the first frame painted
 *   with the newest message in the list: parsing the reply, building the state, mounting the
 *   app, layout and paint.
 * - ui.append: with those 10 000 rows shown, one more message arriving as a `messageUpserted`
 *   event: from the event's arrival in the page to the end of the first frame painted with
 *   its bubble. Frames come at 60 Hz, so this includes up to one frame interval of waiting;
 *   ui.append.dom is the part up to the bubble being in the DOM (the window's own work).
 * - ui.firstPaint: the window as shipped, nothing intercepted: from navigation start to the
 *   first painted frame with the newest message (of the newest page of 50): loading the page,
 *   opening the bridge, the snapshot, the history page, mounting and painting.
 * - ui.heap10k, ui.dom10k: with those 10 000 messages loaded, the JS heap used after a full
 *   collection (DevTools protocol) and `document.querySelectorAll('*').length`.
 * - ui.sentence: a streaming reply of 30 sentences, one `messageUpserted` each: the main
 *   thread's task time per sentence (DevTools Performance metrics, less the idle window's);
 *   ui.sentence.painted is arrival → painted frame per sentence.
 * "End of the frame" is taken in a task posted from `requestAnimationFrame`, which runs after
 * that frame's rendering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type WebSocketRoute } from '@playwright/test';
import type { ChatMessage } from '../shared/chat.ts';
import { HistoryStore } from '../main/core/store/history.ts';
import { HISTORY_FILE, PREVIEW_PROFILE_ID } from '../main/core/app/create-app-core.ts';
import { startPreview, type Preview } from '../main/preview/start-preview.ts';
import { CHROMIUM_LAUNCH_OPTIONS, WINDOW_SIZE } from '../tests/e2e/chromium.ts';
import { fromRuns, median } from './stats.ts';
import type { BenchResult } from './types.ts';

const MESSAGES = 10_000;
const PER_CONVERSATION = 20;
const RUNS = 5;
const APPENDS = 20;
/** The core's history file and the profile it makes for `--url` (create-app-core.ts). */
/** Nothing listens here: the window never connects unless the user sends or talks. */
const UNUSED_SERVER_URL = 'ws://127.0.0.1:9/xiaozhi/v1/';
const PAINT_TIMEOUT_MS = 30_000;
const BRIDGE_ROUTE = /\/lumi-bridge$/;
const APPEND_ID = 'bench-append-';
/** The streamed reply's id, and the mark that ends each of its sentences ("… S3."). */
const STREAM_ID = 'bench-stream';
const SENTENCE_MARK = 'S';
/** Sentences of one streamed reply: a long answer. */
const SENTENCES = 30;
/** Far closer than a server sends them (one per ~2–3 s of speech), so the reply is quick. */
const SENTENCE_SPACING_MS = 100;
const SENTENCE_TEXT = '这是一句流式回复的句子，内容和真实服务器说的差不多长';
/** The window opens scrolled to the end: its first useful frame shows the newest message. */
const NEWEST_ID = `seed-${MESSAGES - 1}`;

/** Runs in the page before anything else: timestamps arrivals and painted frames. */
const PROBE = `(() => {
  const probe = { arrived: {}, inDom: {}, painted: {}, watching: new Set(), sentences: new Set(), listSeen: false };
  Object.defineProperty(window, '__uiProbe', { value: probe });
  const afterPaint = (key) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { probe.painted[key] = performance.now(); };
    channel.port2.postMessage(null);
  });
  // Every bridge frame goes through JSON.parse first (Playwright's WebSocket route replaces the
  // WebSocket class, so the frame is caught here rather than on the socket).
  const parse = JSON.parse;
  JSON.parse = function (text, reviver) {
    if (typeof text === 'string') {
      if (text.includes('"nextBefore"')) probe.arrived.history ??= performance.now();
      const appended = /"id":"(${APPEND_ID}\\d+)"/.exec(text);
      if (appended) {
        probe.arrived[appended[1]] = performance.now();
        probe.watching.add(appended[1]);
      }
      const sentence = /"text":"[^"]*(${SENTENCE_MARK}\\d+)\\.","/.exec(text);
      if (sentence) {
        probe.arrived[sentence[1]] = performance.now();
        probe.sentences.add(sentence[1]);
      }
    }
    return parse.call(this, text, reviver);
  };
  new MutationObserver(() => {
    if (!probe.listSeen && document.querySelector('[data-message-id="${NEWEST_ID}"]')) {
      probe.listSeen = true;
      afterPaint('list');
    }
    for (const id of probe.watching) {
      if (document.querySelector('[data-message-id="' + id + '"]')) {
        probe.inDom[id] = performance.now();
        probe.watching.delete(id);
        afterPaint(id);
      }
    }
    for (const mark of probe.sentences) {
      const bubble = document.querySelector('[data-message-id="${STREAM_ID}"]');
      if (bubble && bubble.textContent.includes(mark + '.')) {
        probe.inDom[mark] = performance.now();
        probe.sentences.delete(mark);
        afterPaint(mark);
      }
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

interface ProbeTimes {
  readonly arrived: Readonly<Record<string, number>>;
  /** When the element was first seen in the DOM (a mutation observer's callback). */
  readonly inDom: Readonly<Record<string, number>>;
  readonly painted: Readonly<Record<string, number>>;
}

export default async function run(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lumi-ui-bench-'));
  let preview: Preview | null = null;
  let browser: Browser | null = null;
  try {
    const history = seedHistory(dataDir);
    preview = await startPreview({ url: UNUSED_SERVER_URL, port: 0, dataDir });
    await checkSeeded(preview);
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);

    const render: number[] = [];
    const append: Appended[][] = [];
    const streamed: Streamed[] = [];
    const heap: number[] = [];
    const dom: number[] = [];
    const firstPaint: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const loaded = await openWithWholeHistory(browser, preview, history);
      render.push(loaded.renderMs);
      const footprint = await footprintOf(loaded.page);
      heap.push(footprint.heapMb);
      dom.push(footprint.elements);
      append.push(await appendMessages(loaded.page, loaded.route, run));
      streamed.push(await streamReply(loaded.page, loaded.route, run));
      await loaded.page.context().close();
      firstPaint.push(await openAsShipped(browser, preview));
    }
    // Per run, the median of its appends (or sentences); the figure is the median of the runs.
    const perRun = (runs: Appended[][], pick: (a: Appended) => number): number[] =>
      runs.map((appends) => median(appends.map(pick)));
    return [
      fromRuns('ui.render10k', 'ms', render, '≤ 300'),
      fromRuns('ui.heap10k', 'MB', heap, '≤ 30 (JS heap after a GC, 10 000 messages loaded)'),
      fromRuns('ui.dom10k', 'elements', dom, '≤ 1500'),
      fromRuns(
        'ui.append',
        'ms',
        perRun(append, (a) => a.painted),
        '≤ 16',
      ),
      fromRuns(
        'ui.append.dom',
        'ms',
        perRun(append, (a) => a.inDom),
      ),
      fromRuns(
        'ui.sentence',
        'ms',
        streamed.map((reply) => reply.taskMs),
        `≤ 8 (main-thread time per sentence of a ${SENTENCES}-sentence reply)`,
      ),
      fromRuns(
        'ui.sentence.painted',
        'ms',
        perRun(
          streamed.map((reply) => reply.sentences),
          (a) => a.painted,
        ),
        `arrival → painted, with the wait for the frame (to the DOM: ${median(
          perRun(
            streamed.map((reply) => reply.sentences),
            (a) => a.inDom,
          ),
        ).toFixed(1)} ms)`,
      ),
      fromRuns('ui.firstPaint', 'ms', firstPaint),
    ];
  } finally {
    await browser?.close();
    await preview?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Writes the history the way the core does, through HistoryStore; returns it oldest first. */
function seedHistory(dataDir: string): ChatMessage[] {
  const store = new HistoryStore(join(dataDir, HISTORY_FILE));
  const start = Date.now() - MESSAGES * 1_000;
  const messages: ChatMessage[] = [];
  let conversationId = '';
  try {
    for (let index = 0; index < MESSAGES; index += 1) {
      const at = start + index * 1_000;
      if (index % PER_CONVERSATION === 0)
        conversationId = store.startConversation(PREVIEW_PROFILE_ID, at);
      const message: ChatMessage = {
        id: `seed-${index}`,
        conversationId,
        role: index % 2 === 0 ? 'user' : 'assistant',
        text: index % 2 === 0 ? `Question number ${index}?` : `这是第 ${index} 条回答，内容不长。`,
        emotion: index % 2 === 0 ? null : 'happy',
        status: 'done',
        createdAt: at,
        updatedAt: at,
        systemKind: null,
        timings: null,
      };
      store.upsert(message);
      messages.push(message);
    }
  } finally {
    store.close();
  }
  return messages;
}

/** The preview reads the seeded history (same file, same profile), or the figures mean nothing. */
async function checkSeeded(preview: Preview): Promise<void> {
  const page = await preview.core.handlers['history:page']({ before: null, limit: 1 });
  if (page.messages[0]?.id !== NEWEST_ID) {
    throw new Error('the preview does not see the seeded history (profile or file name changed?)');
  }
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: WINDOW_SIZE });
  const page = await context.newPage();
  await page.addInitScript({ content: PROBE });
  return page;
}

async function probeTimes(page: Page, key: string): Promise<ProbeTimes> {
  await page.waitForFunction(
    (name) => {
      const probe = (globalThis as { __uiProbe?: ProbeTimes }).__uiProbe;
      return probe !== undefined && name in probe.painted;
    },
    key,
    { timeout: PAINT_TIMEOUT_MS },
  );
  return page.evaluate(() => {
    const probe = (globalThis as unknown as { __uiProbe: ProbeTimes }).__uiProbe;
    return { arrived: probe.arrived, inDom: probe.inDom, painted: probe.painted };
  });
}

function elapsed(times: ProbeTimes, arrivedKey: string, paintedKey: string): number {
  const from = times.arrived[arrivedKey];
  const to = times.painted[paintedKey];
  if (from === undefined || to === undefined) throw new Error(`no timing for ${paintedKey}`);
  return to - from;
}

/** Opens the window and answers its first history request with every message. */
async function openWithWholeHistory(
  browser: Browser,
  preview: Preview,
  history: readonly ChatMessage[],
): Promise<{ page: Page; route: WebSocketRoute; renderMs: number }> {
  const page = await newPage(browser);
  let route: WebSocketRoute | null = null;
  await page.routeWebSocket(BRIDGE_ROUTE, (socket) => {
    route = socket;
    const host = socket.connectToServer();
    let answered = false;
    socket.onMessage((frame) => {
      const request =
        typeof frame === 'string' ? (JSON.parse(frame) as { id: number; channel: string }) : null;
      if (!answered && request?.channel === 'history:page') {
        answered = true;
        const value = { messages: history, nextBefore: null };
        socket.send(JSON.stringify({ id: request.id, response: { ok: true, value } }));
        return;
      }
      host.send(frame);
    });
    host.onMessage((frame) => socket.send(frame));
  });
  await page.goto(preview.url);
  const times = await probeTimes(page, 'list');
  if (route === null) throw new Error('the bridge socket was not routed');
  return { page, route, renderMs: elapsed(times, 'history', 'list') };
}

interface Appended {
  /** Arrival → the bubble in the DOM: the window's own work. */
  readonly inDom: number;
  /** Arrival → the end of the frame that shows it. */
  readonly painted: number;
}

/**
 * The window's JS heap after a full collection (through the DevTools protocol, as the DevTools
 * memory panel takes it) and its element count.
 */
async function footprintOf(page: Page): Promise<{ heapMb: number; elements: number }> {
  const devtools = await page.context().newCDPSession(page);
  try {
    await devtools.send('HeapProfiler.enable');
    await devtools.send('HeapProfiler.collectGarbage');
    const { usedSize } = await devtools.send('Runtime.getHeapUsage');
    const elements = await page.evaluate<number>("document.querySelectorAll('*').length");
    return { heapMb: usedSize / (1024 * 1024), elements };
  } finally {
    await devtools.detach();
  }
}

interface Streamed {
  readonly sentences: Appended[];
  /** The window's main-thread task time (script, style, layout, paint) per sentence. */
  readonly taskMs: number;
}

/**
 * A streaming reply as the core sends it: one `messageUpserted` per sentence, each with the
 * text so far, SENTENCE_SPACING_MS apart. The window's cost is its main thread's task time over
 * the reply (DevTools Performance metrics) less its task time over an idle stretch as long, per
 * sentence; nothing polls the page meanwhile, so the harness adds nothing to it. Each sentence
 * is also timed from its arrival to the frame that shows it.
 */
async function streamReply(page: Page, route: WebSocketRoute, run: number): Promise<Streamed> {
  const devtools = await page.context().newCDPSession(page);
  await devtools.send('Performance.enable');
  const taskSeconds = async (): Promise<number> => {
    const { metrics } = await devtools.send('Performance.getMetrics');
    return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? Number.NaN;
  };
  const stretch = SENTENCES * SENTENCE_SPACING_MS;
  const idleFrom = await taskSeconds();
  await sleep(stretch);
  const idle = (await taskSeconds()) - idleFrom;

  const streamFrom = await taskSeconds();
  const at = Date.now();
  const marks: string[] = [];
  let text = '';
  for (let index = 0; index < SENTENCES; index += 1) {
    const mark = `${SENTENCE_MARK}${run * SENTENCES + index}`;
    marks.push(mark);
    text += `${SENTENCE_TEXT}${mark}.`;
    const message: ChatMessage = {
      id: STREAM_ID,
      conversationId: 'bench',
      role: 'assistant',
      text,
      emotion: 'happy',
      status: index === SENTENCES - 1 ? 'done' : 'streaming',
      createdAt: at,
      updatedAt: Date.now(),
      systemKind: null,
      timings: null,
    };
    route.send(JSON.stringify({ event: { type: 'messageUpserted', message } }));
    await sleep(SENTENCE_SPACING_MS);
  }
  const streaming = (await taskSeconds()) - streamFrom;
  await devtools.detach();
  const times = await probeTimes(page, marks.at(-1) ?? '');
  const sentences = marks.map((mark) => ({
    inDom: (times.inDom[mark] ?? Number.NaN) - (times.arrived[mark] ?? Number.NaN),
    painted: elapsed(times, mark, mark),
  }));
  return { sentences, taskMs: ((streaming - idle) * 1000) / SENTENCES };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Pushes new messages to a window showing the whole history, one at a time. */
async function appendMessages(page: Page, route: WebSocketRoute, run: number): Promise<Appended[]> {
  const results: Appended[] = [];
  for (let index = 0; index < APPENDS; index += 1) {
    const id = `${APPEND_ID}${run * APPENDS + index}`;
    const at = Date.now();
    const message: ChatMessage = {
      id,
      conversationId: 'bench',
      role: index % 2 === 0 ? 'user' : 'assistant',
      text: `Appended message ${index}`,
      emotion: null,
      status: 'done',
      createdAt: at,
      updatedAt: at,
      systemKind: null,
      timings: null,
    };
    route.send(JSON.stringify({ event: { type: 'messageUpserted', message } }));
    const times = await probeTimes(page, id);
    const arrived = times.arrived[id] ?? Number.NaN;
    results.push({
      inDom: (times.inDom[id] ?? Number.NaN) - arrived,
      painted: elapsed(times, id, id),
    });
  }
  return results;
}

/** Opens the window as shipped and returns navigation start → first painted list. */
async function openAsShipped(browser: Browser, preview: Preview): Promise<number> {
  const page = await newPage(browser);
  try {
    await page.goto(preview.url);
    const painted = (await probeTimes(page, 'list')).painted.list;
    if (painted === undefined) throw new Error('no first paint');
    return painted;
  } finally {
    await page.context().close();
  }
}
