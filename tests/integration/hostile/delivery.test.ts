/**
 * Nothing typed is lost (issue 11, findings 1–3), against the reference server misbehaving on
 * purpose: an outage longer than the quick retries, a server that freezes with a line in
 * flight, every way a session can end mid-turn (for the CLI's exit code), stale messages, an
 * app restart with a message waiting, and messages taken back or rewritten before they leave.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionKind } from '../../../shared/connection-state.ts';
import type { AppEvent } from '../../../shared/ipc.ts';
import type { OutboxItem, OutboxStatus } from '../../../shared/session-events.ts';
import { createAppCore, type LumiCore } from '../../../main/core/app/create-app-core.ts';
import { createSession, type SessionSetup } from '../../../main/core/app/create-session.ts';
import { dialectSetup } from '../../../main/core/app/dialect.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import { NullSink } from '../../../main/core/audio/wav-sink.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import type { Session } from '../../../main/core/session/session.ts';
import { systemClock } from '../../../main/core/util/clock.ts';
import { OUTBOX_FILE } from '../../../main/core/store/outbox-store.ts';
import {
  startReferenceServer,
  type MidTurnDrop,
  type ReferenceServer,
} from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import { CLI_ENTRY, runCli } from '../../helpers/cli-run.ts';

let server: ReferenceServer | null = null;
const sessions: Session[] = [];
const cores: LumiCore[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  for (const core of cores.splice(0)) await core.close();
  await server?.stop();
  server = null;
});

async function startServer(
  knobs: Parameters<typeof startReferenceServer>[0] = {},
): Promise<ReferenceServer> {
  server = await startReferenceServer({ mcp: false, ...knobs });
  return server;
}

const QUICK = {
  backoff: { firstDelayMs: 50, maxDelayMs: 100, maxAttempts: 2, slowRetryMs: 400 },
  pongTimeoutMs: 1_000,
  helloTimeoutMs: 1_000,
};

/** A session with quick timings, so outages and freezes play out in about a second. */
function openSession(srv: ReferenceServer, extra: Partial<SessionSetup> = {}): Session {
  const session = createSession({
    url: srv.url,
    token: null,
    deviceId: '02:4c:55:4d:49:11',
    clientId: '1d1d1d1d-2e2e-4f4f-8a8a-9b9b9b9b9b9b',
    sink: new NullSink(),
    decoderFactory: (rate) => new ReplyDecoder(rate),
    connection: QUICK,
    ...extra,
  });
  sessions.push(session);
  return session;
}

function detects(srv: ReferenceServer): string[] {
  return srv.received
    .filter((r) => r.type === 'listen' && r.message?.state === 'detect')
    .map((r) => String(r.message?.text));
}

function statusOf(session: Session, item: OutboxItem): OutboxStatus | undefined {
  return session.outbox().find((i) => i.id === item.id)?.status;
}

function waitForConnection(session: Session, kind: ConnectionKind, ms = 8_000): Promise<unknown> {
  if (session.connection.state.kind === kind) return Promise.resolve();
  return nextEvent(session, 'connectionChanged', (e) => e.next.kind === kind, ms);
}

function waitForStatus(session: Session, item: OutboxItem, status: OutboxStatus, ms = 8_000) {
  if (statusOf(session, item) === status) return Promise.resolve();
  return nextEvent(
    session,
    'outboxChanged',
    (e) => e.item.id === item.id && e.item.status === status,
    ms,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('typed messages through outages', () => {
  it('delivers a message typed during an outage longer than the quick retries, exactly once', async () => {
    const srv = await startServer();
    const session = openSession(srv);
    session.connect();
    await waitForConnection(session, 'ready');
    const restarted = srv.restart({ downMs: 2_000 });
    await waitForConnection(session, 'reconnecting');
    const item = session.sendText('still there?');
    const failed = await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'failed');
    // The quick attempts are spent, yet a slow retry is scheduled and the message kept.
    expect(failed.next).toMatchObject({
      kind: 'failed',
      gaveUpAfter: 2,
      retryAt: expect.any(Number),
    });
    expect(statusOf(session, item)).toBe('queued');
    await restarted;
    await waitForStatus(session, item, 'sent');
    await nextEvent(session, 'turnEnded');
    await sleep(300);
    expect(detects(srv)).toEqual(['still there?']);
  });

  it('does not report a line sent to a frozen server, and delivers it after the reconnect', async () => {
    const srv = await startServer();
    const session = openSession(srv);
    session.connect();
    await waitForConnection(session, 'ready');
    srv.setKnobs({ freeze: true });
    const sentAt = performance.now();
    const item = session.sendText('are you frozen?');
    const left = nextEvent(session, 'connectionChanged', (e) => e.previous.kind === 'ready');
    await sleep(300);
    // Written to the socket, but the server never showed it got it.
    expect(statusOf(session, item)).toBe('sending');
    srv.setKnobs({ freeze: false });
    await left;
    // The ping right after the write finds the freeze within the pong timeout (1 s here).
    expect(performance.now() - sentAt).toBeLessThan(2_500);
    expect(statusOf(session, item)).toBe('queued');
    await waitForStatus(session, item, 'sent');
    await nextEvent(session, 'turnEnded', (e) => !e.aborted);
    expect(detects(srv)).toEqual(['are you frozen?']);
  });

  it('re-sends a chat of the original Lumi dialect under the outbox item’s id', async () => {
    const srv = await startServer();
    const lumi = dialectSetup('lumi', '02:4c:55:4d:49:11', systemClock);
    const session = openSession(srv, {
      ...(lumi.textMessage ? { textMessage: lumi.textMessage } : {}),
      connection: { ...QUICK, ...lumi.connection },
    });
    session.connect();
    await waitForConnection(session, 'ready');
    srv.setKnobs({ freeze: true });
    const item = session.sendText('same id');
    await sleep(100);
    srv.setKnobs({ freeze: false });
    await waitForStatus(session, item, 'sent');
    const chats = srv.received.filter((r) => r.type === 'chat');
    expect(chats.map((r) => r.message?.id)).toEqual([item.id]);
  });

  it('keeps a message typed before the hello of a server frozen after accept', async () => {
    const srv = await startServer({ freeze: true });
    const session = openSession(srv);
    const item = session.sendText('hello?');
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'reconnecting');
    expect(statusOf(session, item)).toBe('queued');
    srv.setKnobs({ freeze: false });
    await waitForStatus(session, item, 'sent');
    expect(detects(srv)).toEqual(['hello?']);
  });

  it('reconnects after a clean close in the middle of a turn instead of hanging up idle', async () => {
    const srv = await startServer({ dropMidTurn: 1000 });
    const session = openSession(srv);
    session.connect();
    await waitForConnection(session, 'ready');
    const item = session.sendText('mid-turn');
    const after = await nextEvent(session, 'connectionChanged', (e) => e.previous.kind === 'ready');
    expect(after.next).toMatchObject({ kind: 'reconnecting', cause: { closeCode: 1000 } });
    // The server confirmed it with its stt: it is not sent twice.
    expect(statusOf(session, item)).toBe('sent');
    srv.setKnobs({ dropMidTurn: null });
    await waitForConnection(session, 'ready');
    await sleep(300);
    expect(detects(srv)).toEqual(['mid-turn']);
  });
});

describe('stale, cancelled and edited messages', () => {
  it('never sends a message older than the age limit on its own; a resend does', async () => {
    const srv = await startServer({ hangBeforeHello: true });
    const session = openSession(srv, { outbox: { maxAgeMs: 300 } });
    const item = session.sendText('is it raining?');
    await waitForStatus(session, item, 'expired', 2_000);
    srv.setKnobs({ hangBeforeHello: false });
    await waitForConnection(session, 'ready');
    await sleep(500);
    expect(detects(srv)).toEqual([]);
    session.retrySend(item.id);
    await waitForStatus(session, item, 'sent');
    expect(detects(srv)).toEqual(['is it raining?']);
  });

  it('sends an edited message in its place and never a cancelled one', async () => {
    const srv = await startServer({ hangBeforeHello: true });
    const session = openSession(srv);
    const first = session.sendText('first');
    const second = session.sendText('second');
    expect(session.editSend(second.id, 'second, edited').text).toBe('second, edited');
    expect(session.cancelSend(first.id).status).toBe('cancelled');
    srv.setKnobs({ hangBeforeHello: false });
    await waitForStatus(session, second, 'sent');
    await nextEvent(session, 'turnEnded');
    await sleep(300);
    expect(detects(srv)).toEqual(['second, edited']);
    expect(() => session.cancelSend(second.id)).toThrow(/too late/);
  });

  it('marks a message the server answers with an alert as refused and never resends it', async () => {
    // What the official cloud does with long detect text (docs/protocol.md §3.4).
    const srv = await startServer({ refuseTyped: 'detect is for wake words' });
    const session = openSession(srv);
    const item = session.sendText('a very long text');
    await waitForStatus(session, item, 'refused');
    expect(session.outbox().find((i) => i.id === item.id)?.error).toEqual({
      code: 'messageRefused',
      text: 'Error: detect is for wake words',
    });
    srv.closeAll(1012);
    await waitForConnection(session, 'reconnecting');
    await waitForConnection(session, 'ready');
    await sleep(300);
    expect(detects(srv)).toEqual(['a very long text']);
    expect(() => session.retrySend(item.id)).toThrow(/too late/);
  });

  it('counts a message as sent when the user stops its turn before the server confirmed it', async () => {
    const srv = await startServer();
    const session = openSession(srv);
    session.connect();
    await waitForConnection(session, 'ready');
    srv.setKnobs({ freeze: true });
    const item = session.sendText('never mind');
    await sleep(100);
    expect(statusOf(session, item)).toBe('sending');
    session.abort();
    expect(statusOf(session, item)).toBe('sent');
    srv.setKnobs({ freeze: false });
    await nextEvent(session, 'connectionChanged', (e) => e.previous.kind === 'ready');
    await waitForConnection(session, 'ready');
    await sleep(300);
    expect(detects(srv)).toEqual([]);
  });
});

describe('the outbox across an app restart', () => {
  it('restores a queued message into the profile’s session and sends it once', async () => {
    const srv = await startServer({ hangBeforeHello: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'lumi-outbox-'));
    const first = await startCore(dataDir, srv.url);
    const item = await first.handlers['session:sendText']({ text: 'remember me' });
    expect(item.status).toBe('queued');
    await first.close();
    cores.splice(cores.indexOf(first), 1);
    const kept = JSON.parse(readFileSync(join(dataDir, OUTBOX_FILE), 'utf8')) as {
      profiles: Record<string, OutboxItem[]>;
    };
    expect(kept.profiles['preview']?.map((i) => i.text)).toEqual(['remember me']);

    srv.setKnobs({ hangBeforeHello: false });
    const events: AppEvent[] = [];
    const second = await startCore(dataDir, srv.url, events);
    await srv.waitFor((r) => r.type === 'listen' && r.message?.text === 'remember me', 8_000);
    await waitUntil(() =>
      events.some(
        (e) => e.type === 'outboxChanged' && e.item.id === item.id && e.item.status === 'sent',
      ),
    );
    const snapshot = await second.handlers['app:ready'](undefined);
    expect(snapshot.outbox.find((i) => i.id === item.id)?.status).toBe('sent');
    await sleep(300);
    expect(detects(srv)).toEqual(['remember me']);
  });
});

async function startCore(dataDir: string, url: string, events: AppEvent[] = []): Promise<LumiCore> {
  const core = await createAppCore({
    dataDir,
    appVersion: '0.1.0',
    platform: 'linux',
    secretCipher: null,
    plaintextSecrets: true,
    desktop: (app) => new NodeDesktopCapabilities({ app }),
    isWindowVisible: () => true,
    notify: () => undefined,
    holdToTalkAvailable: false,
    hotkeyProblems: () => [],
    webSocketUrl: url,
    chooseExportFile: () => Promise.resolve(null),
  });
  cores.push(core);
  core.onEvent((event) => events.push(event));
  return core;
}

async function waitUntil(predicate: () => boolean, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

interface CliRun {
  readonly code: number | null;
  readonly stderr: string;
}

function cli(args: readonly string[]): Promise<CliRun> {
  return runCli(args);
}

describe('lumi-cli --text when the session ends mid-turn', () => {
  it.each<[string, MidTurnDrop, RegExp]>([
    ['a normal close', 1000, /1000/],
    ['a going-away close', 1001, /1001/],
    ['a close without status', 1005, /1005/],
    ['an internal-error close', 1011, /1011/],
    ['a restart close', 1012, /1012/],
    ['a TCP reset', 'reset', /\S/],
    ['a system reboot', 'reboot', /restarted the session/],
  ])('exits 5 with the reason after %s', async (_name, drop, reason) => {
    const srv = await startServer({ dropMidTurn: drop });
    const dir = mkdtempSync(join(tmpdir(), 'lumi-cli-'));
    const run = await cli([
      '--url',
      srv.url,
      '--text',
      'x',
      '--timeout',
      '10',
      '--config-dir',
      dir,
    ]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/No reply to "x": /);
    expect(run.stderr).toMatch(reason);
  });

  it('exits 5 when a frame over the size limit keeps the text from being confirmed', async () => {
    const srv = await startServer({ oversizedFrameBytes: 2 * 1024 * 1024 });
    const dir = mkdtempSync(join(tmpdir(), 'lumi-cli-'));
    const run = await cli(['--url', srv.url, '--text', 'x', '--timeout', '4', '--config-dir', dir]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/"x" was not delivered within 4 s: \S/);
  });

  it('exits 5 when the server froze after accept', async () => {
    const srv = await startServer({ freeze: true });
    const dir = mkdtempSync(join(tmpdir(), 'lumi-cli-'));
    const run = await cli(['--url', srv.url, '--text', 'x', '--timeout', '3', '--config-dir', dir]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/"x" was not delivered within 3 s: .*hello/);
  });
});

describe('the interactive lumi-cli through an outage', () => {
  it('keeps a line typed while the server is away queued, says so, and sends it once back', async () => {
    const srv = await startServer();
    const dir = mkdtempSync(join(tmpdir(), 'lumi-cli-'));
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', CLI_ENTRY, '--url', srv.url, '--config-dir', dir],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await srv.waitForConnection((c) => c.sessionId !== null, 8_000);
    const restarted = srv.restart({ downMs: 2_500 });
    await waitUntil(() => stdout.includes('reconnecting'));
    child.stdin.write('still there?\n');
    await waitUntil(() => stdout.includes('1 line queued'));
    await restarted;
    await srv.waitFor((r) => r.type === 'listen' && r.message?.text === 'still there?', 15_000);
    child.stdin.write('/quit\n');
    expect(await exited).toBe(0);
    expect(detects(srv)).toEqual(['still there?']);
  });
});
