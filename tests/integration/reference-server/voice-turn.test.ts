import opus from '@discordjs/opus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { PlainClient, firmwareHello } from '../../fixtures/reference-server/plain-client.ts';

const RATE = 16_000;
const FRAME_SAMPLES = 960; // 60 ms at 16 kHz, as FW sends upstream

let server: ReferenceServer;
let client: PlainClient;

/** Upstream Opus packets: `toneFrames` of a 300 Hz tone, then `silentFrames` of silence. */
function upstream(toneFrames: number, silentFrames: number): Buffer[] {
  const encoder = new opus.OpusEncoder(RATE, 1);
  const packets: Buffer[] = [];
  for (let f = 0; f < toneFrames + silentFrames; f += 1) {
    const pcm = Buffer.alloc(FRAME_SAMPLES * 2);
    if (f < toneFrames) {
      for (let i = 0; i < FRAME_SAMPLES; i += 1) {
        const n = f * FRAME_SAMPLES + i;
        pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 300 * n) / RATE)), i * 2);
      }
    }
    packets.push(encoder.encode(pcm));
  }
  return packets;
}

function heardMs(text: unknown): number {
  const match = /我听到了 (\d+) 毫秒的语音/.exec(String(text));
  return Number(match?.[1] ?? NaN);
}

beforeEach(async () => {
  server = await startReferenceServer({ mcp: false, burstAll: true, replyFor: () => ['嗯。'] });
  client = await PlainClient.connect(server.url);
  client.sendJson(firmwareHello());
  await client.waitForJson('hello');
});

afterEach(async () => {
  await server.stop();
});

describe('voice turn', () => {
  it('manual: on listen stop, stt names the length of the audio received, then the reply', async () => {
    client.sendJson({ type: 'listen', state: 'start', mode: 'manual' });
    for (const packet of upstream(10, 0)) client.sendBinary(packet);
    client.sendJson({ type: 'listen', state: 'stop' });
    const stt = await client.waitForJson('stt');
    expect(stt.message?.text).toBe('我听到了 600 毫秒的语音');
    await client.waitForJson('tts', 'stop');
    expect(client.json('tts', 'sentence_start')[0]?.text).toBe('嗯。');
    expect(server.connections[0]).toMatchObject({ binaryFrames: 10, decodeErrors: 0 });
  });

  it('auto: the energy VAD ends the utterance after 700 ms of silence', async () => {
    client.sendJson({ type: 'listen', state: 'start', mode: 'auto' });
    for (const packet of upstream(20, 6)) client.sendBinary(packet);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(client.json('stt')).toHaveLength(0);
    for (const packet of upstream(0, 8)) client.sendBinary(packet);
    const stt = await client.waitForJson('stt');
    // 1.2 s of tone; the decoder's look-ahead may carry a little of it into the next frame.
    expect(heardMs(stt.message?.text)).toBeGreaterThanOrEqual(1140);
    expect(heardMs(stt.message?.text)).toBeLessThanOrEqual(1260);
  });

  it('auto: ignores the microphone while speaking', async () => {
    client.sendJson({ type: 'listen', state: 'start', mode: 'auto' });
    for (const packet of upstream(5, 14)) client.sendBinary(packet);
    await client.waitForJson('tts', 'start');
    for (const packet of upstream(5, 14)) client.sendBinary(packet);
    await client.waitForJson('tts', 'stop');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.json('stt')).toHaveLength(1);
  });

  it('realtime: a new utterance while speaking ends the reply and starts the next', async () => {
    client.sendJson({ type: 'listen', state: 'start', mode: 'realtime' });
    for (const packet of upstream(5, 14)) client.sendBinary(packet);
    const firstStart = await client.waitForJson('tts', 'start');
    for (const packet of upstream(10, 14)) client.sendBinary(packet);
    const second = await client.waitFor((f) => f.message?.type === 'stt' && f.seq > firstStart.seq);
    const between = client.frames.slice(firstStart.seq, second.seq).map((f) => f.message?.state);
    expect(between).toContain('stop');
    expect(heardMs(second.message?.text)).toBeGreaterThan(heardMs(client.json('stt')[0]?.text));
  });

  it('echo: the reply audio is the upstream packets, byte for byte', async () => {
    server.setKnobs({ echo: true });
    const packets = upstream(8, 0);
    client.sendJson({ type: 'listen', state: 'start', mode: 'manual' });
    for (const packet of packets) client.sendBinary(packet);
    client.sendJson({ type: 'listen', state: 'stop' });
    await client.waitForJson('tts', 'stop');
    const audio = client.frames.flatMap((f) => (f.data === null ? [] : [f.data]));
    expect(audio).toEqual(packets);
  });

  it('counts packets it cannot decode', async () => {
    client.sendJson({ type: 'listen', state: 'start', mode: 'manual' });
    client.sendBinary(Buffer.from([0xff, 0x00, 1, 2, 3]));
    client.sendJson({ type: 'listen', state: 'stop' });
    await server.waitForConnection((c) => c.decodeErrors === 1);
  });
});
