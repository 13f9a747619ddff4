import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../shared/session-events.ts';
import { createSession } from '../../../main/core/app/create-session.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import type { AudioSink } from '../../../main/core/audio/sink.ts';
import { NullSink, WavFileSink } from '../../../main/core/audio/wav-sink.ts';
import { decodeWav } from '../../../main/core/audio/wav.ts';
import type { Session } from '../../../main/core/session/session.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';

let server: ReferenceServer | null = null;
const sessions: Session[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  await server?.stop();
  server = null;
});

async function setup(
  knobs: Parameters<typeof startReferenceServer>[0] = {},
  sink: AudioSink = new NullSink(),
) {
  server = await startReferenceServer({ mcp: false, ...knobs });
  const session = createSession({
    url: server.url,
    token: null,
    deviceId: '02:4c:55:4d:49:02',
    clientId: '9c1f5a7e-2b3d-4e6f-8a9b-0c1d2e3f4a5b',
    sink,
    decoderFactory: (rate) => new ReplyDecoder(rate),
    connection: {
      backoff: { firstDelayMs: 100, maxDelayMs: 400, maxAttempts: 8, slowRetryMs: 60_000 },
    },
  });
  sessions.push(session);
  const events: SessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  return { srv: server, session, events };
}

const detects = (srv: ReferenceServer) =>
  srv.received
    .filter((r) => r.type === 'listen' && r.message?.state === 'detect')
    .map((r) => r.message?.text);

describe('typed turns against the reference server', () => {
  it('sends listen detect, streams the reply sentences in order and writes audible audio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumi-turn-'));
    const wavPath = join(dir, 'reply.wav');
    const { srv, session, events } = await setup({}, new WavFileSink(wavPath));
    const ended = nextEvent(session, 'turnEnded');
    session.sendText('你好');
    const turn = await ended;
    expect(turn.aborted).toBe(false);
    // tts stop ends the turn; the assistant is idle once the reply's audio has drained.
    if (session.assistant !== 'idle')
      await nextEvent(session, 'assistantChanged', (e) => e.next === 'idle');
    expect(turn.timings.firstAudioMs).not.toBeNull();
    expect(turn.timings.totalMs).toBeGreaterThanOrEqual(turn.timings.firstAudioMs ?? 0);

    expect(detects(srv)).toEqual(['你好']);
    const types = events.map((e) => e.type);
    expect(types.indexOf('userTranscribed')).toBeLessThan(types.indexOf('sentenceStarted'));
    const sentences = events.flatMap((e) => (e.type === 'sentenceStarted' ? [e.text] : []));
    expect(sentences).toEqual(srv.knobs.replyFor('你好'));
    expect(events.find((e) => e.type === 'emotionChanged')).toMatchObject({ emotion: 'happy' });
    const assistant = events
      .flatMap((e) =>
        e.type === 'messageUpserted' && e.message.role === 'assistant' ? [e.message] : [],
      )
      .at(-1);
    expect(assistant?.status).toBe('done');
    expect(assistant?.text).toContain(sentences[1]);
    expect(assistant?.emotion).toBe('happy');
    const states = events.flatMap((e) => (e.type === 'assistantChanged' ? [e.next] : []));
    expect(states).toEqual(expect.arrayContaining(['thinking', 'speaking', 'idle']));

    await session.close();
    const wav = decodeWav(readFileSync(wavPath));
    expect(wav.sampleRate).toBe(48_000);
    const seconds = wav.samples.length / wav.sampleRate;
    expect(seconds).toBeGreaterThan(0.5);
    const rms = Math.sqrt(wav.samples.reduce((sum, x) => sum + x * x, 0) / wav.samples.length);
    expect(rms).toBeGreaterThan(0.01);
  });

  it('runs several typed turns one after another', async () => {
    const { srv, session } = await setup();
    for (const text of ['one', 'two', 'three']) {
      const ended = nextEvent(session, 'turnEnded');
      session.sendText(text);
      expect((await ended).aborted).toBe(false);
    }
    expect(detects(srv)).toEqual(['one', 'two', 'three']);
  });

  it('typing while Lumi speaks aborts the reply first, then sends the new text', async () => {
    const { srv, session } = await setup();
    const firstSentence = nextEvent(session, 'sentenceStarted');
    session.sendText('long answer please');
    await firstSentence;
    const aborted = nextEvent(session, 'turnEnded', (e) => e.aborted);
    const next = nextEvent(session, 'turnEnded', (e) => !e.aborted);
    session.sendText('second');
    await aborted;
    await next;
    const kinds = srv.received
      .filter((r) => r.type === 'abort' || (r.type === 'listen' && r.message?.state === 'detect'))
      .map((r) => (r.type === 'abort' ? 'abort' : `detect:${String(r.message?.text)}`));
    expect(kinds).toEqual(['detect:long answer please', 'abort', 'detect:second']);
    const abort = srv.received.find((r) => r.type === 'abort');
    expect(abort?.message?.reason).toBe('wake_word_detected');
  });

  it('the Stop button aborts without the wake-word reason and the next turn works', async () => {
    const { srv, session } = await setup();
    const firstSentence = nextEvent(session, 'sentenceStarted');
    session.sendText('stop me');
    await firstSentence;
    const aborted = nextEvent(session, 'turnEnded', (e) => e.aborted);
    session.abort();
    await aborted;
    expect(session.assistant).toBe('idle');
    const abort = await srv.waitFor((r) => r.type === 'abort');
    expect(abort.message?.reason).toBeUndefined();
    const ok = nextEvent(session, 'turnEnded', (e) => !e.aborted);
    session.sendText('again');
    await ok;
  });

  it('delivers text queued during a server restart exactly once, in order', async () => {
    const { srv, session } = await setup();
    session.connect();
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'ready');
    const restart = srv.restart({ downMs: 600 });
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'reconnecting');
    const first = session.sendText('queued one');
    session.sendText('queued two');
    expect(first.status).toBe('queued');
    await restart;
    await nextEvent(session, 'turnEnded', () => detects(srv).length >= 2, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(detects(srv)).toEqual(['queued one', 'queued two']);
    expect(session.outbox().map((i) => i.status)).toEqual(['sent', 'sent']);
  });

  it('skips and counts invalid Opus frames without losing the reply', async () => {
    const { session, events } = await setup({ invalidOpus: true });
    const ended = nextEvent(session, 'turnEnded');
    session.sendText('bad audio');
    expect((await ended).aborted).toBe(false);
    const skipped = events.filter((e) => e.type === 'audioFrameSkipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]).toMatchObject({ problem: { code: 'undecodableAudio' } });
    expect(events.filter((e) => e.type === 'sentenceStarted')).toHaveLength(2);
  });

  it('reports garbage from the server as protocol errors and still completes the turn', async () => {
    const { session, events } = await setup({ garbage: true });
    const ended = nextEvent(session, 'turnEnded');
    session.sendText('hi');
    expect((await ended).aborted).toBe(false);
    const protocolErrors = events.filter(
      (e) =>
        e.type === 'errorOccurred' &&
        (e.problem.code === 'invalidMessage' || e.problem.code === 'unknownMessage'),
    );
    expect(protocolErrors.length).toBeGreaterThanOrEqual(2);
  });

  it('ends the turn as aborted when the server drops mid-reply, then reconnects', async () => {
    const { srv, session } = await setup({ closeMidReply: true });
    const aborted = nextEvent(session, 'turnEnded');
    session.sendText('drop');
    expect((await aborted).aborted).toBe(true);
    srv.setKnobs({ closeMidReply: false });
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'ready');
    const ok = nextEvent(session, 'turnEnded');
    session.sendText('after');
    expect((await ok).aborted).toBe(false);
  });

  it('starts a new conversation after the server ended an idle session', async () => {
    const { session } = await setup({ idleCloseMs: 400 });
    session.connect();
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'ready');
    const before = session.conversationId;
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'disconnected');
    expect(session.conversationId).not.toBe(before);
  });
});
