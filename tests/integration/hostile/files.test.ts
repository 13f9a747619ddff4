/**
 * Damaged and hostile local files, and what a local attacker could read or inject: the history
 * that is not a database, truncated or damaged is moved aside and named while Lumi keeps
 * talking; a folder that cannot hold it leaves history off with a notice; lost tokens and
 * identities are reported; everything Lumi writes is private to its user; server text cannot
 * drive the terminal; OTA redirects keep their scheme and an https OTA cannot hand out ws://;
 * the token need not appear in the process list; timeouts and bad `--say` files say what went
 * wrong. The app core in process, `lumi-cli` as a child process, both against the reference
 * server.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../shared/ipc.ts';
import type { Problem } from '../../../shared/problems.ts';
import { createAppCore, type LumiCore } from '../../../main/core/app/create-app-core.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import { HistoryStore } from '../../../main/core/store/history.ts';
import {
  startReferenceServer,
  TERMINAL_ESCAPES,
  type ReferenceServer,
} from '../../fixtures/reference-server.ts';
import { runCli } from '../../helpers/cli-run.ts';

/** `nobody`: the read-only folder must be read-only for the process, and root ignores modes. */
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

let server: ReferenceServer | null = null;
const cores: LumiCore[] = [];

afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
  await server?.stop();
  server = null;
});

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const modeOf = (path: string) => statSync(path).mode & 0o777;

// --- damaged history files -----------------------------------------------------------------

/** A real history with a few messages, then damaged by `damage`. */
function damagedHistory(dir: string, damage: (path: string) => void): Buffer {
  const path = join(dir, 'history.sqlite');
  const store = new HistoryStore(path);
  const conversation = store.startConversation('preview', 1);
  for (let i = 0; i < 200; i += 1) {
    store.upsert({
      id: `m${i}`,
      conversationId: conversation,
      role: i % 2 === 0 ? 'user' : 'assistant',
      text: `old message ${i} `.repeat(20),
      emotion: null,
      status: 'sent',
      createdAt: i,
      updatedAt: i,
      systemKind: null,
      timings: null,
    });
  }
  store.close();
  damage(path);
  return readFileSync(path);
}

const DAMAGES: readonly (readonly [string, (path: string) => void])[] = [
  ['not a database', (path) => writeFileSync(path, 'this is a text file, not SQLite\n'.repeat(64))],
  ['truncated', (path) => truncateSync(path, Math.floor(statSync(path).size / 2))],
  [
    'damaged in its header and schema',
    (path) => {
      const bytes = readFileSync(path);
      bytes.fill(0xa5, 16, 4096);
      writeFileSync(path, bytes);
    },
  ],
];

// --- the app core --------------------------------------------------------------------------

async function startCore(dataDir: string, webSocketUrl: string) {
  const events: AppEvent[] = [];
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
    webSocketUrl,
    chooseExportFile: () => Promise.resolve(null),
  });
  cores.push(core);
  core.onEvent((event) => events.push(event));
  return { core, events };
}

/** The problems the window is told when it loads. */
async function startupProblems(core: LumiCore, events: AppEvent[]): Promise<Problem[]> {
  await core.handlers['app:ready'](undefined);
  return events.flatMap((event) => (event.type === 'errorOccurred' ? [event.problem] : []));
}

async function typedTurn(core: LumiCore, events: AppEvent[], text: string): Promise<void> {
  await core.handlers['session:sendText']({ text });
  const deadline = Date.now() + 10_000;
  while (!events.some((event) => event.type === 'turnEnded')) {
    if (Date.now() > deadline) throw new Error('no turn ended');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('app core: damaged and unwritable files', () => {
  it.each(DAMAGES)(
    'a history that is %s is moved aside, named, and talking works',
    async (_, damage) => {
      server = await startReferenceServer({ mcp: false });
      const dataDir = tempDir('lumi-files-');
      const original = damagedHistory(dataDir, damage);

      const { core, events } = await startCore(dataDir, server.url);
      const problems = await startupProblems(core, events);
      const recovered = problems.find((p) => p.code === 'historyRecovered');
      expect(recovered).toMatchObject({
        movedTo: expect.stringMatching(/history\.corrupt-.+\.sqlite$/),
      });
      const movedTo = recovered?.code === 'historyRecovered' ? recovered.movedTo : '';
      expect(readFileSync(movedTo)).toEqual(original);

      await typedTurn(core, events, '还在吗');
      const page = await core.handlers['history:page']({ before: null, limit: 10 });
      expect(page.messages[0]?.text).toBe('还在吗');
      // Told once per window load, not again for every write.
      expect(problems.filter((p) => p.code === 'historyRecovered')).toHaveLength(1);
    },
  );

  it('a history that cannot be written leaves history off with a notice, and talking works', async () => {
    server = await startReferenceServer({ mcp: false });
    const dataDir = tempDir('lumi-files-');
    // A folder where the database file should be: no process, root included, can open it.
    execFileSync('mkdir', [join(dataDir, 'history.sqlite')]);

    const { core, events } = await startCore(dataDir, server.url);
    const problems = await startupProblems(core, events);
    expect(problems).toContainEqual({
      code: 'historyUnavailable',
      path: join(dataDir, 'history.sqlite'),
      detail: expect.any(String),
    });
    await typedTurn(core, events, 'hello');
    expect(events.some((e) => e.type === 'sentenceStarted')).toBe(true);
  });

  it('reports saved tokens and identities that were lost to a damaged file', async () => {
    server = await startReferenceServer({ mcp: false });
    const dataDir = tempDir('lumi-files-');
    writeFileSync(join(dataDir, 'secrets.json'), '{"version":1,"entries":{"home":');
    writeFileSync(join(dataDir, 'identities.json'), '[not json');

    const { core, events } = await startCore(dataDir, server.url);
    const problems = await startupProblems(core, events);
    const secrets = problems.find((p) => p.code === 'secretsRecovered');
    const identities = problems.find((p) => p.code === 'identitiesRecovered');
    expect(secrets).toMatchObject({ movedTo: expect.stringMatching(/secrets\.corrupt-.+\.json$/) });
    expect(identities).toMatchObject({
      movedTo: expect.stringMatching(/identities\.corrupt-.+\.json$/),
    });
  });

  it('keeps its data folder 0700 and every file in it 0600', async () => {
    server = await startReferenceServer({ mcp: false });
    const dataDir = tempDir('lumi-files-');
    chmodSync(dataDir, 0o755);
    // A history an older Lumi left readable by everyone is narrowed too.
    new HistoryStore(join(dataDir, 'history.sqlite')).close();
    chmodSync(join(dataDir, 'history.sqlite'), 0o644);
    const { core, events } = await startCore(dataDir, server.url);
    await core.handlers['app:ready'](undefined);
    await typedTurn(core, events, 'private');
    expect(modeOf(dataDir)).toBe(0o700);
    for (const name of ['history.sqlite', 'history.sqlite-wal', 'history.sqlite-shm']) {
      expect([name, modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
    }
    for (const name of readdirSync(dataDir).filter((n) => n.endsWith('.json'))) {
      expect([name, modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
    }
    expect(readdirSync(dataDir)).toContain('identities.json');
  });
});

// --- lumi-cli ------------------------------------------------------------------------------

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface CliOptions {
  readonly env?: Record<string, string>;
  /** Written to standard input, which is then closed. */
  readonly input?: string;
  /** Run as `nobody` (when the tests run as root). */
  readonly unprivileged?: boolean;
}

function cli(args: readonly string[], options: CliOptions = {}): Promise<Run> {
  return runCli(args, {
    env: { LUMI_TOKEN: '', ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.unprivileged && isRoot
      ? { prefix: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] }
      : {}),
  });
}

/** A config folder the unprivileged user owns. */
function ownedConfigDir(): string {
  const dir = tempDir('lumi-cli-files-');
  if (isRoot) chownSync(dir, NOBODY, NOBODY);
  return dir;
}

// Any escape or control character but newline and tab, raw in the output.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('lumi-cli: damaged and unwritable files', () => {
  it.each(DAMAGES)(
    'a history that is %s is moved aside and named; the turn is kept',
    async (_, damage) => {
      server = await startReferenceServer({ mcp: false });
      const dir = tempDir('lumi-cli-files-');
      damagedHistory(dir, damage);
      const run = await cli(['--url', server.url, '--text', '你好', '--config-dir', dir]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('lumi: ');
      expect(run.stderr).toMatch(
        /history file was damaged; it was kept as .*history\.corrupt-.+\.sqlite/,
      );
      expect(readdirSync(dir).some((n) => /^history\.corrupt-.+\.sqlite$/.test(n))).toBe(true);
      const search = await cli(['history', 'search', '你好', '--config-dir', dir]);
      expect(search.code).toBe(0);
      expect(search.stdout).toContain('你好');
      expect(search.stderr).toBe('');
    },
  );

  it('talks from a read-only config folder, with history off and a notice', async () => {
    server = await startReferenceServer({ mcp: false });
    const dir = ownedConfigDir();
    const first = await cli(['--url', server.url, '--text', 'one', '--config-dir', dir], {
      unprivileged: true,
    });
    expect(first.code).toBe(0);
    chmodSync(dir, 0o500);
    const run = await cli(['--url', server.url, '--text', 'two', '--config-dir', dir], {
      unprivileged: true,
    });
    chmodSync(dir, 0o700);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/lumi: .*two/);
    expect(run.stderr).toContain(`The history at ${join(dir, 'history.sqlite')} cannot be written`);
    expect(run.stderr).toContain('conversations are not saved');
  });

  it('says on stderr that saved tokens and the identity were lost to damaged files', async () => {
    server = await startReferenceServer({ mcp: false });
    const dir = tempDir('lumi-cli-files-');
    writeFileSync(join(dir, 'secrets.json'), '{"version":1,"entries":');
    writeFileSync(join(dir, 'identities.json'), '{"version":7}');
    const run = await cli(['--url', server.url, '--text', 'hi', '--config-dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/saved tokens was damaged; it was kept as .*secrets\.corrupt-/);
    expect(run.stderr).toMatch(
      /device identity file was damaged; it was kept as .*identities\.corrupt-/,
    );
  });

  it('keeps its config folder 0700 and every file 0600', async () => {
    server = await startReferenceServer({ mcp: false, token: 'tok' });
    const dir = tempDir('lumi-cli-files-');
    chmodSync(dir, 0o755);
    const run = await cli(['--url', server.url, '--text', 'a', '--config-dir', dir], {
      env: { LUMI_TOKEN: 'tok' },
    });
    expect(run.code).toBe(0);
    expect(modeOf(dir)).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['history.sqlite', 'identities.json']));
    for (const name of files) expect([name, modeOf(join(dir, name))]).toEqual([name, 0o600]);
  });
});

describe('lumi-cli: server text on the terminal', () => {
  it('strips escape sequences from human output and from history search', async () => {
    server = await startReferenceServer({ mcp: false, escapes: true });
    const dir = tempDir('lumi-cli-files-');
    const run = await cli(['--url', server.url, '--text', 'clipboard', '--config-dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('you:  clipboard');
    expect(run.stdout).toMatch(/lumi: 你说的是「clipboard」/);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    expect(run.stdout).not.toContain(']52;');

    const search = await cli(['history', 'search', 'clipboard', '--config-dir', dir]);
    expect(search.stdout).toContain('clipboard');
    expect(search.stdout).not.toMatch(RAW_CONTROL);
    expect(search.stdout).not.toContain(']52;');
  });

  it('keeps the text exact but escaped in --json output', async () => {
    server = await startReferenceServer({ mcp: false, escapes: true });
    const dir = tempDir('lumi-cli-files-');
    const run = await cli(['--url', server.url, '--text', 'json', '--json', '--config-dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    const events = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const stt = events.find((e) => e.event === 'stt');
    expect(stt?.text).toBe(`${TERMINAL_ESCAPES.before}json${TERMINAL_ESCAPES.after}`);

    const search = await cli(['history', 'search', 'json', '--json', '--config-dir', dir]);
    expect(search.stdout).not.toMatch(RAW_CONTROL);
    expect(search.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(0);
  });
});

describe('lumi-cli: the token outside the process list', () => {
  it('takes the token from LUMI_TOKEN and from standard input', async () => {
    server = await startReferenceServer({ mcp: false, token: 'env-or-stdin-token' });
    const dir = tempDir('lumi-cli-files-');
    const refused = await cli(['--url', server.url, '--text', 'x', '--config-dir', dir]);
    expect(refused.code).toBe(3);

    const fromEnvironment = await cli(['--url', server.url, '--text', 'x', '--config-dir', dir], {
      env: { LUMI_TOKEN: 'env-or-stdin-token' },
    });
    expect(fromEnvironment.code).toBe(0);
    const fromStdin = await cli(
      ['--url', server.url, '--token', '-', '--text', 'x', '--config-dir', dir],
      { input: 'env-or-stdin-token\n' },
    );
    expect(fromStdin.code).toBe(0);
    const authorized = server.connections.filter((c) => c.authorized);
    expect(authorized).toHaveLength(2);
  });

  it('refuses --token - without --text or --say (standard input is the prompt then)', async () => {
    const run = await cli(['--url', 'ws://127.0.0.1:9/', '--token', '-']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--token - reads standard input');
  });
});

describe('lumi-cli: failures that say what they are', () => {
  it('a server that never answers the hello: exit 5 (not delivered) naming the hello and the path', async () => {
    server = await startReferenceServer({ mcp: false, hangBeforeHello: true });
    const run = await cli([
      '--url',
      server.url,
      '--text',
      'x',
      '--timeout',
      '2',
      '--config-dir',
      tempDir('lumi-cli-files-'),
    ]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('the server accepted the connection but never answered the hello');
    expect(run.stderr).toContain('/xiaozhi/v1/');
  });

  it.each([
    ['a missing file', (dir: string) => join(dir, 'missing.wav'), /missing\.wav: cannot read/],
    [
      'a file that is not WAV',
      (dir: string) => {
        const path = join(dir, 'notes.wav');
        writeFileSync(path, 'not audio at all');
        return path;
      },
      /notes\.wav: not a WAV file/,
    ],
  ])('--say with %s exits 2 naming the file and the reason', async (_, makeFile, reason) => {
    const dir = tempDir('lumi-cli-files-');
    const run = await cli([
      '--url',
      'ws://127.0.0.1:9/',
      '--say',
      makeFile(dir),
      '--config-dir',
      dir,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(reason);
  });
});

// --- OTA over https ------------------------------------------------------------------------

let tlsDir = '';
let httpsOta: Server | undefined;
let httpsPort = 0;
/** What the https OTA answers next: a redirect or an OTA answer. */
let httpsAnswer: (res: ServerResponse) => void = (res) => res.end();

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: tlsDir, stdio: 'ignore' });
}

beforeAll(async () => {
  tlsDir = tempDir('lumi-files-tls-');
  const subject = (cn: string) => ['-nodes', '-subj', `/CN=${cn}`];
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', ...subject('Lumi Test CA'), '-days', '2'].concat([
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ]),
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', ...subject('127.0.0.1'), '-keyout', 'server.key'].concat([
      '-out',
      'server.csr',
    ]),
  );
  writeFileSync(join(tlsDir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key'].concat([
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'san.ext',
      '-out',
      'server.pem',
    ]),
  );
  httpsOta = createServer(
    {
      key: readFileSync(join(tlsDir, 'server.key')),
      cert: readFileSync(join(tlsDir, 'server.pem')),
    },
    (req, res) => {
      req.resume();
      req.on('end', () => httpsAnswer(res));
    },
  );
  await new Promise<void>((resolve) => httpsOta?.listen(0, '127.0.0.1', resolve));
  httpsPort = (httpsOta.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (httpsOta ? httpsOta.close(() => resolve()) : resolve()));
});

/** The CLI, trusting the test CA (as a user would with NODE_EXTRA_CA_CERTS). */
function cliTrusting(args: readonly string[]): Promise<Run> {
  return cli(args, { env: { NODE_EXTRA_CA_CERTS: join(tlsDir, 'ca.pem') } });
}

const httpsOtaUrl = () => `https://127.0.0.1:${httpsPort}/xiaozhi/ota/`;

describe('lumi-cli: OTA redirects and addresses', () => {
  it('refuses an https OTA redirecting to http, naming where it pointed', async () => {
    server = await startReferenceServer({ mcp: false });
    const target = server.otaUrl;
    httpsAnswer = (res) => res.writeHead(307, { Location: target }).end();
    const dir = tempDir('lumi-cli-files-');
    const run = await cliTrusting(['--ota', httpsOtaUrl(), '--text', 'x', '--config-dir', dir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`redirected to ${target}`);
    expect(server.otaRequests).toHaveLength(0);
  });

  it('follows an http OTA redirect within http, a bounded number of times', async () => {
    server = await startReferenceServer({ mcp: false });
    let hops = 0;
    const otaUrl = server.otaUrl;
    const bouncer = createHttpServer((req, res) => {
      hops += 1;
      const path = req.url ?? '/';
      const location = path === '/loop' ? '/loop' : otaUrl;
      req.resume();
      res.writeHead(308, { Location: location }).end();
    });
    await new Promise<void>((resolve) => bouncer.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(bouncer.address() as AddressInfo).port}`;
    try {
      const dir = tempDir('lumi-cli-files-');
      const followed = await cli(['--ota', `${base}/moved`, '--text', 'x', '--config-dir', dir]);
      expect(followed.code).toBe(0);
      expect(server.otaRequests.at(-1)?.method).toBe('POST');

      hops = 0;
      const looped = await cli(['--ota', `${base}/loop`, '--text', 'x', '--config-dir', dir]);
      expect(looped.code).toBe(3);
      expect(looped.stderr).toContain('redirected more than 5 times');
      expect(hops).toBe(6);
    } finally {
      await new Promise<void>((resolve) => bouncer.close(() => resolve()));
    }
  });

  it('refuses a ws:// address from an https OTA unless --allow-insecure-ws', async () => {
    server = await startReferenceServer({ mcp: false });
    const wsUrl = server.url;
    httpsAnswer = (res) =>
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ websocket: { url: wsUrl, token: 'would-go-in-clear' } }));
    const dir = tempDir('lumi-cli-files-');
    const refused = await cliTrusting(['--ota', httpsOtaUrl(), '--text', 'x', '--config-dir', dir]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`handed out the unencrypted address ${wsUrl}`);
    expect(refused.stderr).toContain('--allow-insecure-ws');
    expect(server.connections).toHaveLength(0);

    const allowed = await cliTrusting([
      '--ota',
      httpsOtaUrl(),
      '--allow-insecure-ws',
      '--text',
      'x',
      '--config-dir',
      dir,
    ]);
    expect(allowed.code).toBe(0);
    expect(server.connections).toHaveLength(1);
  });
});
