/**
 * The first turn of every server session waits for the server's device-tool handshake, against
 * the reference server with the real servers' MCP timing (initialize ~100 ms after hello,
 * tools/list 1 s after the answer). Without the wait the server answers a tool request with
 * "工具 self_get_device_status 不存在" — the regression seen against xiaozhi-esp32-server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../shared/session-events.ts';
import { encodeMonoWav } from '../../../main/core/audio/wav.ts';
import type { Session } from '../../../main/core/session/session.ts';
import {
  REAL_MCP_TIMING,
  startReferenceServer,
  type ReceivedRecord,
  type ReferenceServer,
} from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import { openToolSession } from '../../helpers/tool-session.ts';

let server: ReferenceServer | null = null;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server?.stop();
  server = null;
});

/** A session wired like the CLI's, closed after the test. */
function open(srv: ReferenceServer): { session: Session; events: SessionEvent[] } {
  const opened = openToolSession(srv.url);
  cleanups.push(() => opened.close());
  return opened;
}

/** Index in the server's received log of the first record matching `predicate`. */
function indexOf(srv: ReferenceServer, predicate: (r: ReceivedRecord) => boolean): number {
  return srv.received.findIndex(predicate);
}

const isLastToolsPage = (r: ReceivedRecord): boolean => {
  const payload = r.message?.['payload'] as Record<string, unknown> | undefined;
  const result = payload?.['result'] as Record<string, unknown> | undefined;
  return r.type === 'mcp' && result !== undefined && 'tools' in result && !result['nextCursor'];
};
const isListen =
  (state: string) =>
  (r: ReceivedRecord): boolean =>
    r.type === 'listen' && r.message?.['state'] === state;

describe('the first turn waits for the device tools', () => {
  it('a typed tool request sent before the handshake is answered with the tool (real MCP timing)', async () => {
    server = await startReferenceServer({ ...REAL_MCP_TIMING });
    const { session, events } = open(server);
    session.connect();
    const item = session.sendText('查看设备状态');
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'ready');
    // Ready, but the server has no tools yet: the message waits as queued, not sending.
    expect(session.outbox().find((o) => o.id === item.id)?.status).toBe('queued');
    expect(session.assistant).toBe('connecting');
    const opened = await nextEvent(session, 'turnsOpened', () => true, 5_000);
    expect(opened.why).toBe('tools-listed');
    expect(opened.waitedMs).toBeGreaterThanOrEqual(900);
    expect(opened.waitedMs).toBeLessThan(3_000);
    const sentence = await nextEvent(session, 'sentenceStarted', () => true, 8_000);
    expect(sentence.text).toMatch(/^工具结果/);
    expect(sentence.text).not.toContain('不存在');
    const srv = server;
    expect(indexOf(srv, isLastToolsPage)).toBeGreaterThanOrEqual(0);
    expect(indexOf(srv, isLastToolsPage)).toBeLessThan(indexOf(srv, isListen('detect')));
    expect(events.some((e) => e.type === 'outboxChanged' && e.item.status === 'sending')).toBe(
      true,
    );
  });

  it('the reference server refuses a tool it has not been shown, as the real one does', async () => {
    server = await startReferenceServer({ ...REAL_MCP_TIMING });
    // A client that does not wait: a raw socket sends the request right after hello.
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(server.url, {
      headers: { 'Device-Id': '02:4c:55:4d:49:11', 'Client-Id': 'raw', 'Protocol-Version': '1' },
    });
    cleanups.push(() => ws.terminate());
    const replies: string[] = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message['type'] === 'hello') {
        ws.send(JSON.stringify({ type: 'listen', state: 'detect', text: '查看设备状态' }));
      }
      if (message['type'] === 'tts' && message['state'] === 'sentence_start')
        replies.push(String(message['text']));
    });
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          version: 1,
          transport: 'websocket',
          features: { mcp: true },
          audio_params: { format: 'opus', sample_rate: 16_000, channels: 1, frame_duration: 60 },
        }),
      ),
    );
    await expect
      .poll(() => replies, { timeout: 5_000 })
      .toContain('工具 self_get_device_status 不存在');
  });

  it('a queued message delivered after a reconnect waits for the new session’s tools', async () => {
    server = await startReferenceServer({ ...REAL_MCP_TIMING });
    const { session } = open(server);
    session.connect();
    await nextEvent(session, 'turnsOpened', () => true, 5_000);
    const down = server.restart({ downMs: 1_500 });
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'reconnecting');
    const item = session.sendText('再查看设备状态');
    await down;
    const opened = await nextEvent(session, 'turnsOpened', () => true, 10_000);
    expect(opened.why).toBe('tools-listed');
    const sentence = await nextEvent(session, 'sentenceStarted', () => true, 8_000);
    expect(sentence.text).toMatch(/^工具结果/);
    expect(session.outbox().find((o) => o.id === item.id)?.status).toBe('sent');
  });

  it('a server without MCP holds turns only ~1 s (no initialize)', async () => {
    server = await startReferenceServer({ mcp: false });
    const { session } = open(server);
    session.connect();
    const opened = await nextEvent(session, 'turnsOpened', () => true, 5_000);
    expect(opened.why).toBe('no-initialize');
    expect(opened.waitedMs).toBeGreaterThanOrEqual(950);
    expect(opened.waitedMs).toBeLessThan(2_000);
  });

  it('a server that never lists the tools holds turns 3 s at most', async () => {
    server = await startReferenceServer({ mcpInitializeDelayMs: 100, mcpToolsListDelayMs: 60_000 });
    const { session } = open(server);
    session.connect();
    const opened = await nextEvent(session, 'turnsOpened', () => true, 6_000);
    expect(opened.why).toBe('max-wait');
    expect(opened.waitedMs).toBeGreaterThanOrEqual(2_950);
    expect(opened.waitedMs).toBeLessThan(3_500);
  });

  it('push-to-talk released during the wait sends listen stop only after the tools are listed', async () => {
    server = await startReferenceServer({ ...REAL_MCP_TIMING, echo: true });
    const { session } = open(server);
    session.connect();
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'ready');
    session.startTalking();
    await server.waitFor(isListen('start'), 3_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    session.stopTalking();
    // Released well before the tools are listed (~1.1 s after hello): the state says so.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(session.assistant).toBe('thinking');
    await server.waitFor(isListen('stop'), 5_000);
    const srv = server;
    expect(indexOf(srv, isListen('start'))).toBeLessThan(indexOf(srv, isLastToolsPage));
    expect(indexOf(srv, isLastToolsPage)).toBeLessThan(indexOf(srv, isListen('stop')));
    await nextEvent(session, 'userTranscribed', () => true, 8_000);
  });
});

/** Run the real CLI (main/cli.ts) with `--json`; its exit code and the JSON events it printed. */
async function runCli(
  args: readonly string[],
): Promise<{ code: number | null; events: Record<string, unknown>[] }> {
  const cli = fileURLToPath(new URL('../../../main/cli.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', cli, ...args, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const events = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, events };
}

describe('the CLI’s first turn', () => {
  it('`--text 查看设备状态` as the first turn calls the device tool', async () => {
    server = await startReferenceServer({ ...REAL_MCP_TIMING });
    const configDir = mkdtempSync(join(tmpdir(), 'lumi-cli-tools-'));
    const run = await runCli([
      '--url',
      server.url,
      '--text',
      '查看设备状态',
      '--config-dir',
      configDir,
    ]);
    expect(run.code).toBe(0);
    const sentences = run.events
      .filter((event) => event['event'] === 'sentence')
      .map((event) => String(event['text']));
    expect(sentences[0]).toMatch(/^工具结果/);
  });

  it('`--say` while the server asks for the tools: the state stays listening until the release', async () => {
    server = await startReferenceServer({ ...REAL_MCP_TIMING });
    const dir = mkdtempSync(join(tmpdir(), 'lumi-cli-say-'));
    const wav = join(dir, 'question.wav');
    const rate = 16_000;
    const samples = new Int16Array(Math.round(1.5 * rate));
    for (let i = 0; i < samples.length; i += 1)
      samples[i] = Math.round(8_000 * Math.sin((2 * Math.PI * 330 * i) / rate));
    writeFileSync(wav, encodeMonoWav(samples, rate));
    const { code, events } = await runCli([
      '--url',
      server.url,
      '--say',
      wav,
      '--verbose',
      '--config-dir',
      dir,
    ]);
    expect(code).toBe(0);
    const sent = (state: string) =>
      events.findIndex(
        (e) =>
          e['event'] === 'protocol' &&
          e['direction'] === 'out' &&
          typeof e['text'] === 'string' &&
          e['text'].includes('"listen"') &&
          e['text'].includes(`"state":"${state}"`),
      );
    const start = sent('start');
    const stop = sent('stop');
    const toolsList = events.findIndex(
      (e) =>
        e['event'] === 'protocol' &&
        e['direction'] === 'in' &&
        String(e['text']).includes('tools/list'),
    );
    expect(start).toBeGreaterThan(-1);
    // The server asked for the tools while the user was talking …
    expect(toolsList).toBeGreaterThan(start);
    expect(toolsList).toBeLessThan(stop);
    // … and meanwhile the state said listening while the file played, then thinking once it was
    // released and its `listen stop` waited for the tools: never idle.
    const states = events
      .slice(start, stop)
      .filter((e) => e['event'] === 'state' && 'assistant' in e)
      .map((e) => String(e['assistant']));
    expect(states.join(' ')).toMatch(/^(listening ?)*(thinking ?)*$/);
    expect(states).not.toContain('idle');
  });
});
