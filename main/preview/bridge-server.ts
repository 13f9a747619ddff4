/**
 * The host side of the browser preview's bridge: each page's WebSocket carries calls of the
 * IPC contract to the handlers and the core's events back, through the same dispatcher as the
 * Electron gateway (schema check, `Result` replies, events held until a page says `app:ready`;
 * main/core/app/ipc-dispatcher.ts). The window's own channels (`window:*`) are answered here:
 * a browser tab has no window for Lumi to hide or pin.
 *
 * A socket opens only for a page that offers the bridge secret (bridge-secret.ts); without it
 * the upgrade is answered 401.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import * as z from '../core/util/zod.ts';
import type { AppEvent } from '../../shared/ipc.ts';
import { fail } from '../../shared/result.ts';
import type { AppCore, WindowHandlers } from '../core/app/handlers.ts';
import { IpcDispatcher, isIpcChannel } from '../core/app/ipc-dispatcher.ts';
import { BRIDGE_PROTOCOL, type BridgeReply, type HostMessage } from './bridge-protocol.ts';
import { offeredSecret, secretMatches } from './bridge-secret.ts';

/** A request is a few kilobytes at most (typed text is capped at 8 000 characters). */
const MAX_REQUEST_BYTES = 256 * 1024;
/** RFC 6455 close codes. */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY_VIOLATION = 1008;

/** The preview has no window of its own: hiding and pinning succeed and change nothing. */
const PREVIEW_WINDOW_HANDLERS: WindowHandlers = {
  'window:hide': () => undefined,
  'window:setPinned': () => undefined,
};

const envelope = z.object({
  id: z.int().check(z.gte(0)),
  channel: z.string(),
  // Channels without a payload send none (JSON drops `undefined`).
  request: z.optional(z.unknown()),
});

export class BridgeServer {
  readonly #log: (line: string) => void;
  readonly #secret: string;
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_REQUEST_BYTES,
    // Chromium fails a handshake that offered subprotocols and got none back.
    handleProtocols: (offered) => (offered.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });
  readonly #pages = new Set<WebSocket>();
  readonly #dispatcher: IpcDispatcher;
  readonly #unsubscribe: () => void;

  /** @param secret what a page must offer to open the bridge (loadBridgeSecret) */
  constructor(core: AppCore, log: (line: string) => void, secret: string) {
    this.#log = log;
    this.#secret = secret;
    this.#dispatcher = new IpcDispatcher({
      handlers: { ...core.handlers, ...PREVIEW_WINDOW_HANDLERS },
      deliver: (event) => this.#broadcast(event),
      log: (message, error) =>
        log(
          `${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        ),
    });
    this.#unsubscribe = core.onEvent((event) => this.#dispatcher.send(event));
  }

  /** How many pages' sockets are open. */
  get openPages(): number {
    return this.#pages.size;
  }

  /**
   * Open a page's socket for an upgrade whose Host and Origin were checked, if it offers the
   * secret; otherwise answer 401 and close.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!secretMatches(this.#secret, offeredSecret(req))) {
      this.#log('bridge connection refused: no valid bridge secret');
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (page) => this.#accept(page));
  }

  /** Serve one page's socket until it closes. */
  #accept(page: WebSocket): void {
    this.#pages.add(page);
    page.on('close', () => {
      this.#pages.delete(page);
      // Events wait again until the next page (a reload, usually) says it is ready.
      if (this.#pages.size === 0) this.#dispatcher.markNotReady();
    });
    page.on('error', (error) => this.#log(`bridge socket error: ${error.message}`));
    page.on('message', (data, isBinary) => {
      if (isBinary) {
        page.close(CLOSE_POLICY_VIOLATION, 'binary frames are not part of the bridge');
        return;
      }
      void this.#answer(page, data);
    });
  }

  /** Close every page's socket and stop listening to the core. */
  close(): void {
    this.#unsubscribe();
    for (const page of this.#pages) page.close(CLOSE_GOING_AWAY, 'the preview host stopped');
    this.#wss.close();
  }

  async #answer(page: WebSocket, data: RawData): Promise<void> {
    let parsed: z.infer<typeof envelope>;
    try {
      parsed = envelope.parse(JSON.parse(rawText(data)));
    } catch {
      this.#log('bridge socket closed: malformed request');
      page.close(CLOSE_POLICY_VIOLATION, 'malformed bridge request');
      return;
    }
    const { id, channel } = parsed;
    const response = isIpcChannel(channel)
      ? await this.#dispatcher.dispatch(channel, parsed.request)
      : fail('bad_request', { code: 'badRequest', channel, detail: 'no such channel' });
    send(page, { id, response } satisfies BridgeReply);
  }

  /** Every open page gets the event; false when none is open (the event waits). */
  #broadcast(event: AppEvent): boolean {
    if (this.#pages.size === 0) return false;
    for (const page of this.#pages) send(page, { event });
    return true;
  }
}

function send(page: WebSocket, message: HostMessage): void {
  if (page.readyState === page.OPEN) page.send(JSON.stringify(message));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}
