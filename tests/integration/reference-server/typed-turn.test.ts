import opus from '@discordjs/opus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import {
  PlainClient,
  firmwareHello,
  type ClientFrame,
} from '../../fixtures/reference-server/plain-client.ts';
import { sentenceFrameCount, sentencePitchHz } from '../../fixtures/reference-server/tts-audio.ts';

const DECODE_RATE = 48_000;

let server: ReferenceServer;
let client: PlainClient;

beforeEach(async () => {
  server = await startReferenceServer({ mcp: false });
  client = await PlainClient.connect(server.url);
  client.sendJson(firmwareHello());
  await client.waitForJson('hello');
});

afterEach(async () => {
  await server.stop();
});

/** Label of a frame: `type[:state]` for JSON, `audio` for binary. */
function label(frame: ClientFrame): string {
  if (frame.kind === 'binary') return 'audio';
  const m = frame.message;
  if (m === null) return 'text';
  return typeof m.state === 'string' ? `${String(m.type)}:${m.state}` : String(m.type);
}

/** Collapse runs of audio frames into one `audio×n`. */
function shape(frames: readonly ClientFrame[]): string[] {
  const out: string[] = [];
  let run = 0;
  for (const frame of frames) {
    if (label(frame) === 'audio') {
      run += 1;
      continue;
    }
    if (run > 0) out.push(`audio×${run}`);
    run = 0;
    out.push(label(frame));
  }
  if (run > 0) out.push(`audio×${run}`);
  return out;
}

/** Estimate a tone's pitch from zero crossings of mono 16-bit PCM. */
function pitchHz(pcm: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i += 1) {
    if ((pcm[i - 1] ?? 0) < 0 !== (pcm[i] ?? 0) < 0) crossings += 1;
  }
  return crossings / 2 / (pcm.length / rate);
}

function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}

describe('typed turn', () => {
  it('answers listen detect in XS order: stt, tts start, llm, sentences with audio, tts stop', async () => {
    server.setKnobs({ burstAll: true });
    const from = client.frames.length;
    client.sendJson({ type: 'listen', state: 'detect', text: '你好' });
    await client.waitForJson('tts', 'stop', from);
    const sentences = server.knobs.replyFor('你好');
    const frames = client.frames.slice(from);
    expect(shape(frames)).toEqual([
      'stt',
      'tts:start',
      'llm',
      'tts:sentence_start',
      `audio×${sentenceFrameCount(sentences[0] ?? '')}`,
      'tts:sentence_start',
      `audio×${sentenceFrameCount(sentences[1] ?? '')}`,
      'tts:stop',
    ]);
    const session = server.connections[0]?.sessionId;
    expect(client.json('stt')[0]).toEqual({ type: 'stt', text: '你好', session_id: session });
    expect(client.json('llm')[0]).toMatchObject({ emotion: 'happy', text: '😀' });
    expect(client.json('tts', 'sentence_start').map((m) => m.text)).toEqual(sentences);
    expect(server.received.some((r) => r.type === 'listen' && r.message?.text === '你好')).toBe(
      true,
    );
  });

  it('sends real 24 kHz Opus: an audible tone per sentence, 80 ms per character', async () => {
    server.setKnobs({ burstAll: true, replyFor: () => ['一二三四五六七八九十', '短'] });
    const from = client.frames.length;
    client.sendJson({ type: 'listen', state: 'detect', text: '音' });
    await client.waitForJson('tts', 'stop', from);
    const frames = client.frames.slice(from);
    const starts = frames.flatMap((f, i) => (label(f) === 'tts:sentence_start' ? [i] : []));
    const secondStart = starts[1] ?? frames.length;
    const decoder = new opus.OpusEncoder(DECODE_RATE, 1);
    const decode = (list: readonly ClientFrame[]): Int16Array => {
      const chunks = list.flatMap((f) => (f.data === null ? [] : [decoder.decode(f.data)]));
      const pcm = Buffer.concat(chunks);
      return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    };
    const first = decode(frames.slice(0, secondStart));
    const second = decode(frames.slice(secondStart));
    // 10 characters → 800 ms → 13 frames of 60 ms; 1 character → the 600 ms floor.
    expect(first.length / DECODE_RATE).toBeCloseTo(0.78, 2);
    expect(second.length / DECODE_RATE).toBeCloseTo(0.6, 2);
    expect(rms(first)).toBeGreaterThan(3_000);
    expect(Math.abs(pitchHz(first, DECODE_RATE) - sentencePitchHz(0))).toBeLessThan(15);
    expect(Math.abs(pitchHz(second, DECODE_RATE) - sentencePitchHz(1))).toBeLessThan(15);
  });

  it('bursts the first 5 frames, then paces one frame per 60 ms', async () => {
    server.setKnobs({ replyFor: () => ['一二三四五六七八九十'] });
    const from = client.frames.length;
    client.sendJson({ type: 'listen', state: 'detect', text: '节奏' });
    const stop = await client.waitForJson('tts', 'stop', from);
    const sentAudio = server.sent.filter((s) => s.kind === 'binary').map((s) => s.at);
    expect(sentAudio).toHaveLength(13);
    const t0 = sentAudio[0] ?? 0;
    const offsets = sentAudio.map((t) => t - t0);
    // The burst leaves in one go; after it, frame k is due at (k − 4) · 60 ms on an absolute
    // schedule: never early, and lateness does not add up (the last frame is not far behind).
    expect(offsets.slice(0, 5).every((o) => o < 15)).toBe(true);
    offsets.slice(5).forEach((o, i) => expect(o).toBeGreaterThanOrEqual((i + 1) * 60 - 5));
    expect(offsets.at(-1)).toBeLessThan(8 * 60 + 250);
    const lastAudio = client.frames.filter((f) => f.kind === 'binary').at(-1)?.at ?? 0;
    expect(stop.at - lastAudio).toBeGreaterThanOrEqual(400);
  });

  it('stops at once on abort and acknowledges with tts stop', async () => {
    const from = client.frames.length;
    client.sendJson({ type: 'listen', state: 'detect', text: '打断我' });
    await client.waitForJson('tts', 'sentence_start', from);
    client.sendJson({ type: 'abort' });
    const stop = await client.waitForJson('tts', 'stop', from);
    const audioSoFar = client.frames.filter((f) => f.kind === 'binary').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.frames.filter((f) => f.kind === 'binary')).toHaveLength(audioSoFar);
    expect(client.frames.filter((f) => f.seq > stop.seq)).toHaveLength(0);
  });

  it('answers the Lumi dialect chat with the reply and a response carrying its id', async () => {
    server.setKnobs({ burstAll: true, replyFor: () => ['好的。'] });
    const from = client.frames.length;
    client.sendJson({ type: 'chat', id: 'c-1', content: '聊天' });
    await client.waitForJson('tts', 'stop', from);
    const kinds = shape(client.frames.slice(from));
    expect(kinds.slice(-2)).toEqual(['response', 'tts:stop']);
    expect(client.json('response')[0]).toMatchObject({ id: 'c-1', content: '好的。' });
    expect(client.json('stt')[0]).toMatchObject({ text: '聊天' });
  });
});
