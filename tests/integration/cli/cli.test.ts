/**
 * The real `lumi-cli` (main/cli.ts in a child process) against the reference server: events,
 * exit codes, misbehaving servers, OTA activation, spoken turns from a WAV file, history.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

const configDir = () => mkdtempSync(join(tmpdir(), 'lumi-cli-'));

describe('lumi-cli against the reference server', () => {
  it('runs typed turns in order, prints JSON events and writes the reply audio', async () => {
    server = await startReferenceServer();
    const dir = configDir();
    const wav = join(dir, 'reply.wav');
    const run = await cli([
      '--url',
      server.url,
      '--text',
      '你好',
      '--text',
      'second',
      '--json',
      '--audio-out',
      wav,
      '--config-dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const kinds = run.events.map((e) => e.event);
    for (const kind of ['state', 'stt', 'sentence', 'emotion', 'turn_end'])
      expect(kinds).toContain(kind);
    expect(run.events.filter((e) => e.event === 'stt').map((e) => e.text)).toEqual([
      '你好',
      'second',
    ]);
    const ends = run.events.filter((e) => e.event === 'turn_end');
    expect(ends).toHaveLength(2);
    expect(ends[0]).toMatchObject({
      aborted: false,
      timings: { firstAudioMs: expect.any(Number) },
    });
    const detects = server.received.filter(
      (r) => r.type === 'listen' && r.message?.state === 'detect',
    );
    expect(detects.map((r) => r.message?.text)).toEqual(['你好', 'second']);
    const audio = decodeWav(readFileSync(wav));
    expect(audio.samples.length / audio.sampleRate).toBeGreaterThan(1);
  });

  it('remembers a generated identity in the config dir and sends it as headers', async () => {
    server = await startReferenceServer({ mcp: false });
    const dir = configDir();
    await cli(['--url', server.url, '--text', 'a', '--config-dir', dir]);
    await cli(['--url', server.url, '--text', 'b', '--config-dir', dir]);
    const [first, second] = server.connections;
    expect(first?.headers.deviceId).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(second?.headers.deviceId).toBe(first?.headers.deviceId);
    expect(second?.headers.clientId).toBe(first?.headers.clientId);
  });

  it('prints human lines without --json', async () => {
    server = await startReferenceServer({ mcp: false });
    const run = await cli(['--url', server.url, '--text', 'hello', '--config-dir', configDir()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('you:  hello');
    expect(run.stdout).toMatch(/lumi: .*hello/);
    expect(run.stdout).not.toContain('{"event"');
  });

  it.each([
    [['--text', 'x'], /--url/],
    [['--url', 'http://x', '--text', 'x'], /ws:\/\//],
    [['--url', 'ws://x', '--mode', 'loud'], /--mode/],
    [['--url', 'ws://x', '--device-id', 'nope'], /MAC/],
    [['--url', 'ws://x', '--timeout', '-1'], /timeout/],
    [['--bogus'], /Unknown option/],
  ])('exits 2 with one line for bad usage %j', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 3 with a plain message when the token is rejected', async () => {
    server = await startReferenceServer({ token: 'right' });
    const run = await cli([
      '--url',
      server.url,
      '--token',
      'wrong',
      '--text',
      'x',
      '--config-dir',
      configDir(),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/认证失败|token/);
    expect(server.connections).toHaveLength(1);
  });

  it('exits 3 when nothing listens', async () => {
    const run = await cli(
      ['--url', 'ws://127.0.0.1:9/xiaozhi/v1/', '--text', 'x', '--config-dir', configDir()],
      60_000,
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/refused/i);
  }, 70_000);

  it('exits 5 with the reason when the server never answers the hello', async () => {
    server = await startReferenceServer({ hangBeforeHello: true });
    const run = await cli([
      '--url',
      server.url,
      '--text',
      'x',
      '--timeout',
      '2',
      '--config-dir',
      configDir(),
    ]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/"x" was not delivered within 2 s: .*hello/);
  });

  it.each([
    ['garbage', { garbage: true }],
    ['invalid Opus', { invalidOpus: true }],
    ['a 500 ms stall', { stallMs: 500 }],
    ['no pacing at all', { burstAll: true }],
    ['a slow hello', { helloDelayMs: 1_500 }],
  ] as const)('completes the turn despite %s', async (_name, knobs) => {
    server = await startReferenceServer(knobs);
    const run = await cli([
      '--url',
      server.url,
      '--text',
      'hi',
      '--json',
      '--config-dir',
      configDir(),
    ]);
    expect(run.code).toBe(0);
    expect(run.events.filter((e) => e.event === 'sentence')).toHaveLength(2);
  });

  it('reconnects after the server drops mid-reply and exits 5: that text got no reply', async () => {
    server = await startReferenceServer({ closeMidReply: true });
    const srv = server;
    const done = cli([
      '--url',
      srv.url,
      '--text',
      'one',
      '--text',
      'two',
      '--json',
      '--config-dir',
      configDir(),
    ]);
    await srv.waitFor((r) => r.type === 'listen');
    srv.setKnobs({ closeMidReply: false });
    const run = await done;
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/No reply to "one": .*1006/);
    expect(run.events.some((e) => e.event === 'turn_end' && e.aborted === true)).toBe(true);
    expect(
      run.events.filter((e) => e.event === 'state' && e.connection === 'reconnecting').length,
    ).toBeGreaterThan(0);
  });

  it('speaks a WAV file of any rate and channel count as a push-to-talk turn', async () => {
    server = await startReferenceServer({ mcp: false });
    const dir = configDir();
    const wav = join(dir, 'say.wav');
    // 1 s of 44.1 kHz stereo: resampled and downmixed to 16 kHz mono on the way.
    const rate = 44_100;
    const stereo = new Int16Array(rate * 2);
    for (let i = 0; i < rate; i += 1) {
      const v = Math.round(8_000 * Math.sin((2 * Math.PI * 300 * i) / rate));
      stereo[2 * i] = v;
      stereo[2 * i + 1] = v;
    }
    writeFileSync(wav, stereoWav(stereo, rate));
    const run = await cli(['--url', server.url, '--say', wav, '--json', '--config-dir', dir]);
    expect(run.code).toBe(0);
    const stt = run.events.find((e) => e.event === 'stt');
    const ms = Number(/(\d+)/.exec(String(stt?.text))?.[1]);
    expect(ms).toBeGreaterThanOrEqual(1_000); // a second of speech (plus the release margin)
    expect(ms).toBeLessThan(1_800);
    const start = server.received.find((r) => r.type === 'listen' && r.message?.state === 'start');
    expect(start?.message?.mode).toBe('manual');
  });

  it('runs OTA with activation: prints the code, polls, then talks with the token it got', async () => {
    server = await startReferenceServer({
      token: 'unused',
      activation: true,
      autoApproveAfterPolls: 1,
    });
    const dir = configDir();
    const run = await cli(
      ['--ota', server.otaUrl, '--text', 'hi', '--json', '--config-dir', dir],
      60_000,
    );
    expect(run.code).toBe(0);
    const activation = run.events.find((e) => e.event === 'activation');
    expect(String(activation?.code)).toMatch(/^\d{6}$/);
    expect(run.events.some((e) => e.event === 'activated')).toBe(true);
    expect(server.connections.at(-1)?.authorized).toBe(true);
    const secrets = join(dir, 'secrets.json');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    // The token is remembered: the next run needs no OTA for --url.
    const again = await cli(['--url', server.url, '--text', 'again', '--config-dir', dir]);
    expect(again.code).toBe(0);
  }, 70_000);

  it('connects with the protocol version the OTA hands out (as the app does)', async () => {
    server = await startReferenceServer({ otaProtocolVersion: 3 });
    const run = await cli([
      '--ota',
      server.otaUrl,
      '--text',
      'hi',
      '--json',
      '--config-dir',
      configDir(),
    ]);
    expect(run.code).toBe(0);
    expect(server.connections.at(-1)?.headers.protocolVersion).toBe('3');
    expect(run.events.some((e) => e.event === 'sentence')).toBe(true);
  });

  it('answers device tools per --allow-tools and prints tool_call events', async () => {
    server = await startReferenceServer();
    const srv = server;
    const done = cli([
      '--url',
      srv.url,
      '--text',
      'hi',
      '--json',
      '--allow-tools',
      'self.system.open_url',
      '--config-dir',
      configDir(),
    ]);
    await srv.waitForTools();
    const volume = await srv.callTool('self.audio_speaker.set_volume', { volume: 30 });
    expect(JSON.stringify(volume)).toContain('"isError":false');
    const clipboard = await srv.callTool('self.clipboard.get_text', {});
    expect(JSON.stringify(clipboard)).toContain('"isError":true');
    const run = await done;
    const calls = run.events.filter((e) => e.event === 'tool_call');
    expect(calls).toEqual(
      expect.arrayContaining([
        { event: 'tool_call', name: 'self.audio_speaker.set_volume', ok: true },
        { event: 'tool_call', name: 'self.clipboard.get_text', ok: false },
      ]),
    );
  });

  it('speaks the original Lumi dialect with --dialect lumi', async () => {
    server = await startReferenceServer({ mcp: false });
    const run = await cli([
      '--url',
      server.url,
      '--dialect',
      'lumi',
      '--text',
      '你好',
      '--json',
      '--config-dir',
      configDir(),
    ]);
    expect(run.code).toBe(0);
    const hello = server.received.find((r) => r.type === 'hello');
    expect(hello?.message).toMatchObject({ id: expect.any(String), device_id: expect.any(String) });
    const chat = server.received.find((r) => r.type === 'chat');
    expect(chat?.message).toMatchObject({
      content: '你好',
      id: expect.any(String),
      timestamp: expect.any(String),
    });
  });

  it('keeps history: search in Chinese and English, export as Markdown and JSON', async () => {
    server = await startReferenceServer({ mcp: false });
    const dir = configDir();
    await cli([
      '--url',
      server.url,
      '--text',
      '今天天气怎么样',
      '--text',
      'tell me a joke',
      '--config-dir',
      dir,
    ]);
    const zh = await cli(['history', 'search', '天气', '--json', '--config-dir', dir]);
    expect(zh.code).toBe(0);
    const found = zh.events as { text: string; conversationId: string }[];
    expect(found.some((m) => m.text.includes('天气'))).toBe(true);
    const en = await cli(['history', 'search', 'joke', '--json', '--config-dir', dir]);
    expect((en.events as { text: string }[]).some((m) => m.text.includes('joke'))).toBe(true);
    const conversation = found[0]!.conversationId;
    const md = await cli([
      'history',
      'export',
      conversation,
      '--format',
      'md',
      '--config-dir',
      dir,
    ]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('今天天气怎么样');
    const json = await cli([
      'history',
      'export',
      conversation,
      '--format',
      'json',
      '--config-dir',
      dir,
    ]);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain('tell me a joke');
    const missing = await cli(['history', 'export', 'nope', '--config-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/lumi-cli:/);
  });

  it('doctor reports every step and a plain fix for a wrong port', async () => {
    server = await startReferenceServer();
    const ok = await cli(['doctor', '--ota', server.otaUrl, '--json', '--config-dir', configDir()]);
    expect(ok.code).toBe(0);
    expect(ok.events.map((e) => [e.name, e.ok])).toEqual([
      ['ota', true],
      ['activation', true],
      ['websocket', true],
      ['hello', true],
      ['mcp', true],
    ]);
    const bad = await cli([
      'doctor',
      '--url',
      'ws://127.0.0.1:9/xiaozhi/v1/',
      '--config-dir',
      configDir(),
    ]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/fix: .*(port|running)/i);
  });
});

function stereoWav(samples: Int16Array, rate: number): Uint8Array {
  const mono = encodeMonoWav(samples, rate);
  const view = new DataView(mono.buffer, mono.byteOffset, mono.byteLength);
  view.setUint16(22, 2, true); // channels
  view.setUint32(28, rate * 4, true); // byte rate
  view.setUint16(32, 4, true); // block align
  return mono;
}
