/**
 * The browser preview: the real app core running in Node, the real built renderer served over
 * http://127.0.0.1:<port>, and between them a WebSocket bridge speaking the IPC contract, so the
 * window runs in any Chromium (Playwright, a developer's browser) with no Electron binary. A
 * development and test tool only: the shipped app uses Electron's IPC. It keeps tokens and
 * device keys unencrypted in its data folder (there is no keystore to ask), and its bridge opens
 * only for a page that knows the secret kept beside them (bridge-secret.ts).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createAppCore, type LumiCore } from '../core/app/create-app-core.ts';
import { appVersion } from '../cli/version.ts';
import { bundleBridgeClient } from './bridge-bundle.ts';
import { BRIDGE_PATH, BRIDGE_SCRIPT_PATH, BRIDGE_SECRET_PARAM } from './bridge-protocol.ts';
import { loadBridgeSecret } from './bridge-secret.ts';
import { BridgeServer } from './bridge-server.ts';
import { createPreviewDesktop } from './preview-desktop.ts';
import { loadRendererFiles, type RendererFiles } from './renderer-files.ts';

/** Loopback only: the bridge hands out everything the window can do. */
export const PREVIEW_HOST = '127.0.0.1';

export interface PreviewOptions {
  /** The xiaozhi WebSocket URL; the core makes a profile for it the active one. */
  readonly url: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Settings, secrets and history; a fresh temporary folder (removed on close) when omitted. */
  readonly dataDir?: string;
  /** The built renderer, dist/renderer by default. */
  readonly rendererDir?: string;
  /** Receives the host's notable events (refusals, failed handlers, notifications). */
  readonly log?: (line: string) => void;
}

export interface Preview {
  /** The page to open, the bridge secret in its fragment: http://127.0.0.1:<port>/#token=… */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly core: LumiCore;
  /** Closes the pages' sockets, the server and the core (and removes a temporary data folder). */
  close(): Promise<void>;
}

/**
 * Starts the preview and resolves once it listens.
 * @throws RendererMissingError when dist/renderer is not built
 */
export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const log = options.log ?? ((line: string) => console.error(`lumi-preview: ${line}`));
  const files = await loadRendererFiles(options.rendererDir);
  const bridgeScript = await bundleBridgeClient();

  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lumi-preview-'));
  mkdirSync(dataDir, { recursive: true });
  const version = appVersion();
  let core: LumiCore;
  try {
    core = await createAppCore({
      dataDir,
      appVersion: version,
      platform: process.platform,
      secretCipher: null,
      plaintextSecrets: true,
      desktop: (app) => createPreviewDesktop(app, log),
      isWindowVisible: () => true,
      notify: (title, body) => log(`notification: ${title}: ${body}`),
      // No dialog to ask with: an export with secrets goes into the preview's own data folder.
      chooseExportFile: (name) => Promise.resolve(join(dataDir, name)),
      holdToTalkAvailable: false,
      hotkeyProblems: () => [],
      webSocketUrl: options.url,
    });
  } catch (error) {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const secret = loadBridgeSecret(dataDir);
  const bridge = new BridgeServer(core, log, secret);

  let port = options.port ?? 0;
  const origin = () => ({ host: PREVIEW_HOST, port });
  const server = createServer((req, res) =>
    serveFile(req, res, { files, bridgeScript, origin: origin() }),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const problem = upgradeProblem(req, origin());
    if (problem !== null) {
      log(`bridge connection refused: ${problem}`);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    bridge.upgrade(req, socket, head);
  });

  try {
    port = await listen(server, port);
  } catch (error) {
    bridge.close();
    await core.close();
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  let closing: Promise<void> | null = null;
  return {
    url: `http://${PREVIEW_HOST}:${port}/#${BRIDGE_SECRET_PARAM}=${secret}`,
    port,
    dataDir,
    core,
    close() {
      closing ??= (async () => {
        bridge.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await core.close();
        if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${PREVIEW_HOST} is in use; choose another with --port`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, PREVIEW_HOST, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(address !== null && typeof address === 'object' ? address.port : port);
    });
  });
}

/**
 * Why an upgrade may not become a bridge socket, or null. The Host check stops DNS rebinding;
 * the Origin check stops any other page the browser has open from driving Lumi.
 */
function upgradeProblem(
  req: IncomingMessage,
  origin: { host: string; port: number },
): string | null {
  const path = new URL(req.url ?? '/', 'http://preview').pathname;
  if (path !== BRIDGE_PATH) return `unknown path ${path}`;
  if (req.headers.host !== `${origin.host}:${origin.port}`)
    return `foreign Host ${req.headers.host ?? '(none)'}`;
  const expected = `http://${origin.host}:${origin.port}`;
  if (req.headers.origin !== expected) return `foreign Origin ${req.headers.origin ?? '(none)'}`;
  return null;
}

interface Served {
  readonly files: RendererFiles;
  readonly bridgeScript: string;
  readonly origin: { readonly host: string; readonly port: number };
}

function serveFile(req: IncomingMessage, res: ServerResponse, served: Served): void {
  const { files, origin } = served;
  res.setHeader('Content-Security-Policy', files.policyFor(origin));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  if (req.headers.host !== `${origin.host}:${origin.port}`)
    return reply(res, 421, 'text/plain', 'Misdirected request');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, 405, 'text/plain', 'Method not allowed');
  }
  const path = new URL(req.url ?? '/', 'http://preview').pathname;
  const head = req.method === 'HEAD';
  if (path === '/' || path === '/index.html') {
    return reply(res, 200, 'text/html; charset=utf-8', files.indexFor(origin), head);
  }
  if (path === BRIDGE_SCRIPT_PATH) {
    return reply(res, 200, 'text/javascript; charset=utf-8', served.bridgeScript, head);
  }
  const file = files.assets.get(path);
  if (file === undefined) return reply(res, 404, 'text/plain', 'Not found');
  return reply(res, 200, file.contentType, file.body, head);
}

function reply(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headOnly = false,
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(headOnly ? undefined : body);
}
