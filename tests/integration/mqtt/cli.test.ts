/**
 * lumi-cli over MQTT + UDP: `--ota` against an answer that has only an `mqtt` section (XS with
 * its MQTT gateway), a typed turn and a spoken one answered by the server's echo.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeWav, encodeMonoWav } from '../../../main/core/audio/wav.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { runCli, type CliRun } from '../../helpers/cli-run.ts';

function cli(args: readonly string[], timeoutMs?: number): Promise<CliRun> {
  return runCli(args, timeoutMs === undefined ? {} : { timeoutMs });
}

let server: ReferenceServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

const configDir = () => mkdtempSync(join(tmpdir(), 'lumi-cli-mqtt-'));
const RATE = 16_000;
const TONE_HZ = 440;

/** The power of `samples` at `hz` (Goertzel), per sample. */
function powerAt(samples: Float32Array, rate: number, hz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let previous = 0;
  let beforeThat = 0;
  for (const s of samples) {
    const next = s + coefficient * previous - beforeThat;
    beforeThat = previous;
    previous = next;
  }
  const power = previous * previous + beforeThat * beforeThat - coefficient * previous * beforeThat;
  return power / samples.length;
}

describe('lumi-cli over MQTT + UDP', () => {
  it('--ota with an MQTT-only answer: a typed turn, the ready event says mqtt', async () => {
    server = await startReferenceServer({ mcp: false, otaTransport: 'mqtt' });
    const run = await cli([
      '--ota',
      server.otaUrl,
      '--text',
      '你好',
      '--json',
      '--config-dir',
      configDir(),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const ready = run.events.find((e) => e.event === 'state' && e.connection === 'ready');
    expect(ready?.transport).toBe('mqtt');
    expect(run.events.some((e) => e.event === 'turn_end' && e.aborted === false)).toBe(true);
    expect(server.mqttConnections.length).toBeGreaterThan(0);
    expect(server.connections.every((c) => c.url.startsWith('mqtt://'))).toBe(true);
  });

  it('--transport websocket against an MQTT-only answer says why it cannot', async () => {
    server = await startReferenceServer({ mcp: false, otaTransport: 'mqtt' });
    const run = await cli([
      '--ota',
      server.otaUrl,
      '--transport',
      'websocket',
      '--text',
      'hi',
      '--config-dir',
      configDir(),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/only MQTT\+UDP, and the transport is set to WebSocket/);
  });

  it('a push-to-talk turn in echo mode: the reply over UDP is the tone that was sent', async () => {
    server = await startReferenceServer({ mcp: false, otaTransport: 'mqtt', echo: true });
    const dir = configDir();
    const said = join(dir, 'tone.wav');
    const tone = new Int16Array(RATE);
    for (let i = 0; i < tone.length; i += 1) {
      tone[i] = Math.round(8_000 * Math.sin((2 * Math.PI * TONE_HZ * i) / RATE));
    }
    writeFileSync(said, encodeMonoWav(tone, RATE));
    const heard = join(dir, 'reply.wav');
    const run = await cli([
      '--ota',
      server.otaUrl,
      '--say',
      said,
      '--audio-out',
      heard,
      '--json',
      '--config-dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    const [udp] = server.udpSessions;
    // A second of 60 ms frames went up as datagrams after the first (silence) one.
    expect(udp?.receivedSequences.length).toBeGreaterThan(15);
    const reply = decodeWav(readFileSync(heard));
    const at = (hz: number) => powerAt(reply.samples, reply.sampleRate, hz);
    // The tone, not noise or silence: its frequency carries a hundred times its neighbours' power.
    expect(at(TONE_HZ)).toBeGreaterThan(100 * Math.max(at(TONE_HZ * 0.7), at(TONE_HZ * 1.4)));
  });

  it('auto falls back to the WebSocket the OTA also offered when UDP does not get through', async () => {
    server = await startReferenceServer({
      mcp: false,
      otaTransport: 'both',
      udpUnreachable: 'blackhole',
    });
    // The first reply's audio never arrives; the second turn goes over the WebSocket.
    const run = await cli([
      '--ota',
      server.otaUrl,
      '--text',
      'hi',
      '--text',
      'again',
      '--json',
      '--config-dir',
      configDir(),
    ]);
    expect(run.code).toBe(0);
    const readies = run.events.filter((e) => e.event === 'state' && e.connection === 'ready');
    expect(readies.map((e) => e.transport)).toEqual(['mqtt', 'websocket']);
    expect(run.events.some((e) => e.event === 'error' && e.code === 'fellBackToWebSocket')).toBe(
      true,
    );
    expect(run.events.some((e) => e.event === 'turn_end' && e.aborted === false)).toBe(true);
    expect(server.connections.at(-1)?.url.startsWith('mqtt://')).toBe(false);
  });
});
