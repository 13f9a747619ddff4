/**
 * No frame can crash or freeze Lumi (issue 11, findings 4 and 6): the reference server attacks a
 * real session (device tools attached, history recorded) with JSON nested 200 000 deep, text
 * fields just under the 1 MiB frame limit, a flood of 20 000 sentences and ReDoS-shaped text.
 * Each test checks that the process survives, that what Lumi keeps is bounded, that a problem
 * says what happened, and that a normal turn works afterwards.
 *
 * Timing: a hang limit of 100× the expected time, so the tests hold on a loaded machine and
 * still fail on the quadratic or crashing code.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DISPLAY_TEXT, MAX_REPLY_TEXT, TRUNCATION_MARK } from '../../../shared/bounded-text.ts';
import type { ChatMessage } from '../../../shared/chat.ts';
import type { ProblemCode } from '../../../shared/problems.ts';
import type { SessionEvent } from '../../../shared/session-events.ts';
import { recordHistory } from '../../../main/core/store/history-recorder.ts';
import { HistoryStore } from '../../../main/core/store/history.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import {
  DEEP_MCP_REQUEST_ID,
  floodSentence,
  FLOOD_SENTENCES,
  type HostileScenario,
} from '../../fixtures/reference-server/hostile-frames.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import { openToolSession, type ToolSession } from '../../helpers/tool-session.ts';

/** A reply of the reference server takes about a second; 100× that is a hang. */
const TURN_HANG_MS = 100 * 1_000;
/**
 * A linear client handles each 100 ms batch of the flood before the next one arrives, so it ends
 * the turn about one batch after the server's `tts stop`; 100× that is a hang. The quadratic
 * code fell behind by 16 s on the measurement.
 */
const FLOOD_LAG_LIMIT_MS = 100 * 100;
/** Room for a test that hits its hang limits: two turns and the flood. */
const TEST_TIMEOUT_MS = 2 * TURN_HANG_MS + FLOOD_LAG_LIMIT_MS;

const PROFILE = 'hostile';

let server: ReferenceServer | null = null;
let tool: ToolSession | null = null;
let history: HistoryStore | null = null;

afterEach(async () => {
  await tool?.close();
  tool = null;
  history?.close();
  history = null;
  await server?.stop();
  server = null;
});

async function setup(hostile: HostileScenario) {
  server = await startReferenceServer({ hostile });
  history = new HistoryStore(':memory:');
  const store = history;
  tool = openToolSession(server.url, undefined, () =>
    store.startConversation(PROFILE, performance.now()),
  );
  const writeErrors: unknown[] = [];
  recordHistory(tool.session, store, (error) => writeErrors.push(error));
  const stored = (): ChatMessage[] => store.messages(tool?.session.conversationId ?? '');
  return { srv: server, session: tool.session, events: tool.events, stored, writeErrors };
}

/** Type `text` and wait for its turn to end. */
async function typedTurn(srv: ReferenceServer, text: string): Promise<void> {
  if (!tool) throw new Error('no session');
  const ended = nextEvent(tool.session, 'turnEnded', () => true, TURN_HANG_MS);
  tool.session.sendText(text);
  await ended;
  expect(srv.connections.length).toBeGreaterThan(0);
}

/** After the attack, a normal turn still gets the reference server's normal reply. */
async function expectConversationGoesOn(srv: ReferenceServer, stored: () => ChatMessage[]) {
  srv.setKnobs({ hostile: null });
  await typedTurn(srv, '还在吗');
  const replies = stored().filter((m) => m.role === 'assistant' && m.status === 'done');
  expect(replies.at(-1)?.text).toContain('这是参考服务器的回答。');
}

function problemCodes(events: readonly SessionEvent[]): ProblemCode[] {
  return events.flatMap((e) => (e.type === 'errorOccurred' ? [e.problem.code] : []));
}

/** Every text Lumi shows or keeps is within its bound. */
function expectBounded(events: readonly SessionEvent[], stored: readonly ChatMessage[]): void {
  for (const message of stored) {
    const limit = message.role === 'assistant' ? MAX_REPLY_TEXT : MAX_DISPLAY_TEXT;
    expect(message.text.length).toBeLessThanOrEqual(limit);
  }
  for (const event of events) {
    if (event.type === 'sentenceStarted' || event.type === 'userTranscribed')
      expect(event.text.length).toBeLessThanOrEqual(MAX_DISPLAY_TEXT);
    if (event.type === 'alertReceived')
      expect(event.message.length).toBeLessThanOrEqual(MAX_DISPLAY_TEXT);
  }
}

describe('hostile frames', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a custom frame nested 200 000 deep is refused with a problem, not a crash', async () => {
    const { srv, events, stored } = await setup('nestedJson');
    await typedTurn(srv, '你好');
    expect(problemCodes(events)).toContain('messageTooDeep');
    expectBounded(events, stored());
    await expectConversationGoesOn(srv, stored);
  });

  it('MCP requests nested 200 000 and 40 deep: one refused, one answered with an error', async () => {
    const { srv, events, stored } = await setup('nestedMcp');
    await typedTurn(srv, '你好');
    expect(problemCodes(events)).toContain('messageTooDeep');
    const answer = await srv.waitFor(
      (r) =>
        r.type === 'mcp' &&
        (r.message?.['payload'] as { id?: unknown } | undefined)?.id === DEEP_MCP_REQUEST_ID,
    );
    const payload = answer.message?.['payload'] as { error?: { code: number; message: string } };
    expect(payload.error?.code).toBe(-32600);
    expect(payload.error?.message).toMatch(/nested deeper/);
    await expectConversationGoesOn(srv, stored);
  });

  it('text fields just under 1 MiB are cut to 16 KB, marked and reported; the reply is kept', async () => {
    const { srv, events, stored } = await setup('hugeText');
    await typedTurn(srv, '你好');
    expectBounded(events, stored());
    expect(problemCodes(events)).toContain('serverTextTruncated');
    const cut = stored().filter((m) => m.truncated === true);
    // The sentence (its reply), the alert, the custom line, the pushed message. The huge `stt`
    // of a typed turn is the server's echo of the typed line, which is shown instead; its event
    // is bounded (expectBounded).
    expect(cut.map((m) => m.role).sort()).toEqual(
      ['assistant', 'assistant', 'system', 'system'].sort(),
    );
    expect(
      events.some((e) => e.type === 'userTranscribed' && e.text.endsWith(TRUNCATION_MARK)),
    ).toBe(true);
    for (const message of cut) expect(message.text).toContain(TRUNCATION_MARK);
    const reply = stored().find((m) => m.role === 'assistant' && m.status === 'done');
    expect(reply?.text).toContain('这是参考服务器的回答。');
    await expectConversationGoesOn(srv, stored);
  });

  it('a flood of 20 000 sentences in 2 s is handled as it arrives; the stored reply is right', async () => {
    const { srv, events, stored, writeErrors } = await setup('sentenceFlood');
    await typedTurn(srv, '你好');
    const endedAt = performance.now();
    const stop = srv.sent.findLast((s) => s.label === 'tts:stop');
    expect(endedAt - (stop?.at ?? 0)).toBeLessThan(FLOOD_LAG_LIMIT_MS);
    expect(writeErrors).toEqual([]);
    const reply = stored().find((m) => m.role === 'assistant');
    let expected = '';
    for (let n = 0; n < FLOOD_SENTENCES && expected.length < MAX_REPLY_TEXT; n += 1)
      expected = expected ? `${expected} ${floodSentence(n)}` : floodSentence(n);
    const kept = expected.slice(0, MAX_REPLY_TEXT - TRUNCATION_MARK.length);
    expect(reply?.text).toBe(`${kept}${TRUNCATION_MARK}`);
    expect(reply?.truncated).toBe(true);
    expect(reply?.status).toBe('done');
    expect(problemCodes(events)).toContain('replyTruncated');
    const found = history?.search(PROFILE, 'sentence number 1999 of', 5) ?? [];
    expect(found.map((m) => m.id)).toEqual([reply?.id]);
    await expectConversationGoesOn(srv, stored);
  });

  it('ReDoS-shaped text in every field is handled in linear time', async () => {
    const { srv, events, stored } = await setup('redosText');
    await typedTurn(srv, '你好');
    expectBounded(events, stored());
    await expectConversationGoesOn(srv, stored);
  });
});
