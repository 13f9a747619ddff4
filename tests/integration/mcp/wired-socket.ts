/**
 * A bare `ws` connection that speaks like Lumi (firmware upgrade headers, Lumi's hello, Lumi's
 * encoder and protocol edge) so the MCP and event modules can be wired to a real server before
 * the session does it. It reconnects only when told to.
 */
import { WebSocket } from 'ws';
import {
  buildHello,
  encodeClientMessage,
  type ClientHello,
  type ClientMessage,
} from '../../../main/core/protocol/client-messages.ts';
import { parseServerText } from '../../../main/core/protocol/parse.ts';
import type { ServerHello, ServerMessage } from '../../../main/core/protocol/server-messages.ts';

const WAIT_MS = 5_000;

export interface WiredSocketOptions {
  readonly url: string;
  readonly decorateHello?: (hello: ClientHello) => Record<string, unknown>;
  readonly acceptHello?: (hello: ServerHello) => boolean;
  readonly decorateMessage?: (message: Record<string, unknown>) => Record<string, unknown>;
}

type Listener = (message: ServerMessage) => void;

export class WiredSocket {
  /** Every parsed message after the server hello, across connections. */
  readonly messages: ServerMessage[] = [];
  sessionId: string | null = null;
  readonly #options: WiredSocketOptions;
  readonly #listeners = new Set<Listener>();
  readonly #readyListeners = new Set<() => void>();
  #ws: WebSocket | null = null;

  constructor(options: WiredSocketOptions) {
    this.#options = options;
  }

  /** What the modules get as `send`: false unless a session is ready. */
  readonly send = (message: ClientMessage): boolean => {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.sessionId === null) return false;
    const encoded = encodeClientMessage(message, this.sessionId);
    const decorate = this.#options.decorateMessage;
    ws.send(
      decorate ? JSON.stringify(decorate(JSON.parse(encoded) as Record<string, unknown>)) : encoded,
    );
    return true;
  };

  onMessage(listener: Listener): void {
    this.#listeners.add(listener);
  }

  /** Called on every accepted server hello (first connect and each reconnect). */
  onReady(listener: () => void): void {
    this.#readyListeners.add(listener);
  }

  /** Open a socket, send the hello, resolve once the server hello is accepted. */
  connect(): Promise<void> {
    this.sessionId = null;
    const ws = new WebSocket(this.#options.url, {
      headers: {
        'Device-Id': 'aa:bb:cc:dd:ee:42',
        'Client-Id': '0b5c3f6e-1d2a-4e8b-9c7d-5a4f3e2d1c0b',
        'Protocol-Version': '1',
      },
    });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no server hello')), WAIT_MS);
      ws.on('error', reject);
      ws.on('open', () => {
        const hello = buildHello();
        const wire = this.#options.decorateHello ? this.#options.decorateHello(hello) : hello;
        ws.send(JSON.stringify(wire));
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary || this.#ws !== ws) return;
        const frame = parseServerText(String(data));
        if (frame.kind !== 'message') return;
        const { message } = frame;
        if (this.sessionId === null) {
          const accept =
            this.#options.acceptHello ?? ((h: ServerHello) => h.transport === 'websocket');
          if (message.type !== 'hello' || !accept(message)) return;
          clearTimeout(timer);
          this.sessionId = message.session_id ?? '';
          for (const listener of this.#readyListeners) listener();
          resolve();
          return;
        }
        this.messages.push(message);
        for (const listener of this.#listeners) listener(message);
      });
    });
  }

  /** Resolves when the current socket closes. */
  closed(): Promise<number> {
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve(0);
    return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  }

  /** Drop the socket without a closing handshake (what a dead-server detector does). */
  terminate(): void {
    this.#ws?.terminate();
  }

  close(): void {
    this.#ws?.close();
  }

  /** The first message, past or future, that matches. */
  waitFor(match: (message: ServerMessage) => boolean, timeoutMs = WAIT_MS): Promise<ServerMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error('message not received'));
      }, timeoutMs);
      const listener: Listener = (message) => {
        if (!match(message)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(message);
      };
      this.#listeners.add(listener);
    });
  }
}
