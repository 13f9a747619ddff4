/**
 * The assistant state is derived from the facts (session/assistant-state.ts), so nothing a
 * server sends can make it disagree with them:
 * - while a push-to-talk listen is open it stays `listening`, whatever arrives meanwhile (MCP
 *   requests, stt, tts, llm, alerts in random interleavings);
 * - when the connection is lost, an unfinished reply is dropped at once (no `speaking` under a
 *   reconnect countdown) while one whose `tts stop` arrived plays out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AssistantState } from '../../../shared/assistant.ts';
import { SpeakerSink } from '../../../main/core/audio/speaker-sink.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import { openToolSession, type ToolSession } from '../../helpers/tool-session.ts';
import { preparePulse, requireAudio, usePrivateSink } from '../audio/pulse.ts';
import { seededRandom } from '../../helpers/signals.ts';

const pulse = await preparePulse();

let server: ReferenceServer | null = null;
let opened: ToolSession | null = null;
afterEach(async () => {
  await opened?.close();
  opened = null;
  await server?.stop();
  server = null;
});

const mcp = (payload: Record<string, unknown>) => ({
  type: 'mcp',
  payload: { jsonrpc: '2.0', ...payload },
});

/** Everything a server may send while the user holds the talk key. */
const SERVER_MESSAGES: readonly object[] = [
  mcp({
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'XS' } },
  }),
  mcp({ id: 2, method: 'tools/list' }),
  mcp({ id: 3, method: 'tools/call', params: { name: 'self.get_device_status', arguments: {} } }),
  mcp({ id: 4, method: 'ping' }),
  { type: 'stt', text: '你好' },
  { type: 'llm', emotion: 'happy', text: '😀' },
  { type: 'tts', state: 'start' },
  { type: 'tts', state: 'sentence_start', text: '好的。' },
  { type: 'tts', state: 'stop' },
  { type: 'alert', status: 'warning', message: '注意', emotion: 'sad' },
  { type: 'custom', payload: { note: 'x' } },
];

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const MESSAGES_PER_RUN = 14;

describe('assistant state while the user talks', () => {
  it.each(SEEDS)(
    'stays listening through a random interleaving of server messages (seed %i)',
    async (seed) => {
      server = await startReferenceServer({});
      opened = openToolSession(server.url);
      const { session } = opened;
      session.connect();
      await nextEvent(session, 'turnsOpened');
      session.startTalking();
      expect(session.assistant).toBe('listening');
      await server.waitFor((r) => r.type === 'listen' && r.message?.['state'] === 'start');

      const seen: AssistantState[] = [];
      const off = session.onEvent(() => seen.push(session.assistant));
      const random = seededRandom(seed);
      for (let i = 0; i < MESSAGES_PER_RUN; i += 1) {
        const message = SERVER_MESSAGES[Math.floor(random() * SERVER_MESSAGES.length)]!;
        server.push(message);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 25)));
      }
      // Let the last frames and the MCP answers land while the key is still held.
      await new Promise((resolve) => setTimeout(resolve, 100));
      off();
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set(['listening']));
      expect(session.assistant).toBe('listening');
      session.stopTalking();
      await server.waitFor((r) => r.type === 'listen' && r.message?.['state'] === 'stop');
    },
  );
});

describe('assistant state when the connection is lost mid-reply', () => {
  it('drops an unfinished reply at once: no speaking while reconnecting', async () => {
    server = await startReferenceServer({ closeMidReply: true });
    opened = openToolSession(server.url);
    const { session, events } = opened;
    session.connect();
    session.sendText('你好');
    await nextEvent(session, 'assistantChanged', (e) => e.next === 'speaking');
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'reconnecting');
    expect(session.assistant).not.toBe('speaking');
    const lost = events.findIndex(
      (e) => e.type === 'connectionChanged' && e.next.kind === 'reconnecting',
    );
    const after = events.slice(lost + 1);
    expect(after.some((e) => e.type === 'assistantChanged' && e.next === 'speaking')).toBe(false);
  });

  it('plays out a reply whose tts stop arrived, under the reconnect countdown', async () => {
    requireAudio(pulse);
    const unload = await usePrivateSink();
    try {
      // The whole reply arrives at once, so most of it is still buffered at `tts stop`.
      server = await startReferenceServer({ burstAll: true });
      opened = openToolSession(server.url, new SpeakerSink());
      const { session } = opened;
      session.connect();
      session.sendText('你好');
      await nextEvent(session, 'turnEnded', (e) => !e.aborted, 10_000);
      expect(session.assistant).toBe('speaking');
      void server.restart({ downMs: 3_000 });
      await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'reconnecting');
      expect(session.assistant).toBe('speaking');
      await nextEvent(session, 'playbackDrained', () => true, 10_000);
      expect(session.assistant).toBe('idle');
      expect(session.connection.state.kind).not.toBe('ready');
    } finally {
      await opened?.close();
      opened = null;
      await unload();
    }
  });
});
