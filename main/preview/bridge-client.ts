/**
 * The page side of the browser preview: defines `window.lumi` (the contract's `makeLumiApi`, as
 * the Electron preload does) over the preview host's WebSocket bridge. Calls made before the
 * socket opens wait for it; a call whose socket drops resolves with a `disconnected` failure, as
 * any refused call does. When the host comes back after a drop the page reloads, because the window's state was
 * built from a snapshot of a core that may no longer exist.
 *
 * The host opens the bridge only to a page that offers its secret (bridge-secret.ts): the page
 * reads it from its own URL fragment and offers it as a WebSocket subprotocol. The fragment
 * stays in the address, so a reload, and a reload after a host restart with the same data folder,
 * still gets in.
 *
 * Bundled for the browser by the host (bridge-bundle.ts); it is type-checked with the Node
 * project, so the two DOM globals it needs are declared here.
 */
import type { AppEvent, IpcChannel, IpcRequest, IpcResponse } from '../../shared/ipc.ts';
import { makeLumiApi } from '../../shared/ipc.ts';
import { fail, type Result } from '../../shared/result.ts';
import {
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
  BRIDGE_SECRET_PARAM,
  BRIDGE_SECRET_PROTOCOL_PREFIX,
  type BridgeRequest,
  type HostMessage,
} from './bridge-protocol.ts';

declare const location: { readonly host: string; readonly hash: string; reload(): void };

/** Reconnect delays double from the first to the last (the host is local: it is up or not). */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 4_000;
const HOST_GONE: Result<never> = fail('disconnected', { code: 'previewHostGone' });

type Settle = (response: Result<unknown>) => void;

class Bridge {
  readonly #url: string;
  readonly #protocols: readonly string[];
  readonly #listeners = new Set<(event: AppEvent) => void>();
  /** Sent calls waiting for their reply, by id. */
  readonly #waiting = new Map<number, Settle>();
  /** Calls made while the socket was not open, sent when it opens. */
  #unsent: string[] = [];
  #socket: WebSocket | null = null;
  #nextId = 1;
  #wasOpen = false;
  #delay = RECONNECT_FIRST_MS;

  constructor(url: string, secret: string) {
    this.#url = url;
    this.#protocols = [BRIDGE_PROTOCOL, `${BRIDGE_SECRET_PROTOCOL_PREFIX}${secret}`];
    this.#open();
  }

  call<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResponse<C>> {
    const id = this.#nextId;
    this.#nextId += 1;
    const frame = JSON.stringify({ id, channel, request } satisfies BridgeRequest<C>);
    return new Promise((resolve) => {
      // The host answers with the channel's Result; it is our own process, so it is trusted.
      this.#waiting.set(id, (response) => resolve(response as IpcResponse<C>));
      const socket = this.#socket;
      if (socket !== null && socket.readyState === WebSocket.OPEN) socket.send(frame);
      else this.#unsent.push(frame);
    });
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    // A wrapper per subscription, so subscribing the same function twice needs two unsubscribes.
    const forward = (event: AppEvent): void => listener(event);
    this.#listeners.add(forward);
    return () => {
      this.#listeners.delete(forward);
    };
  }

  #open(): void {
    const socket = new WebSocket(this.#url, [...this.#protocols]);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#wasOpen) {
        location.reload();
        return;
      }
      this.#wasOpen = true;
      this.#delay = RECONNECT_FIRST_MS;
      const unsent = this.#unsent;
      this.#unsent = [];
      for (const frame of unsent) socket.send(frame);
    });
    socket.addEventListener('message', (message: MessageEvent) => {
      if (typeof message.data === 'string') this.#receive(JSON.parse(message.data) as HostMessage);
    });
    socket.addEventListener('close', () => {
      this.#socket = null;
      const waiting = [...this.#waiting.values()];
      this.#waiting.clear();
      for (const settle of waiting) settle(HOST_GONE);
      setTimeout(() => this.#open(), this.#delay);
      this.#delay = Math.min(this.#delay * 2, RECONNECT_MAX_MS);
    });
  }

  #receive(message: HostMessage): void {
    if ('event' in message) {
      for (const listener of [...this.#listeners]) listener(message.event);
      return;
    }
    const settle = this.#waiting.get(message.id);
    this.#waiting.delete(message.id);
    settle?.(message.response);
  }
}

/**
 * The secret from the fragment. Without one (or with characters a subprotocol may not carry,
 * which would make `new WebSocket` throw) the page offers an empty one, which the host refuses
 * and logs.
 */
function secretFromFragment(): string {
  const secret = new URLSearchParams(location.hash.slice(1)).get(BRIDGE_SECRET_PARAM) ?? '';
  return /^[\w-]*$/.test(secret) ? secret : '';
}

const secret = secretFromFragment();
const bridge = new Bridge(`ws://${location.host}${BRIDGE_PATH}`, secret);
/** The same methods, under the same names, as the Electron preload's `window.lumi`. */
const api = makeLumiApi(
  (channel, request) => bridge.call(channel, request),
  (listener) => bridge.onEvent(listener),
);

// Read-only, like the preload's contextBridge object.
Object.defineProperty(globalThis, 'lumi', { value: Object.freeze(api), enumerable: true });
