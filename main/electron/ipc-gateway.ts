/**
 * The one place IPC crosses into main. Every request channel is handled here: the sender is
 * checked (our window's top frame, on our app:// origin), the payload is checked against its
 * schema, and the handler's outcome comes back as a `Result` (a thrown error would reach the
 * window with only its message, electron/electron#24427). Events wait in a queue until the
 * window says it is ready, so nothing the core reports while the page loads is lost.
 */
import type { IpcMainInvokeEvent } from 'electron';
import type { AppEvent, IpcChannel, IpcResponse } from '../../shared/ipc.ts';
import { EVENT_CHANNEL } from '../../shared/ipc.ts';
import { fail, ok } from '../../shared/result.ts';
import { HandlerError, type IpcHandlers } from '../core/app/handlers.ts';
import { APP_HOST, APP_SCHEME } from './app-protocol.ts';
import { IPC_CHANNELS, requestSchemas } from './ipc-requests.ts';

/** Events kept for a window that is not ready yet; past this the oldest are dropped. */
export const MAX_QUEUED_EVENTS = 1_000;
/** Meters that only matter live: a late window gets the next reading, not a backlog. */
const LIVE_ONLY_EVENTS: ReadonlySet<AppEvent['type']> = new Set([
  'inputLevel',
  'jitterStats',
  'protocolLogged',
]);
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong in Lumi. The details are in the log.';

/** The part of Electron's `ipcMain` the gateway uses. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

/** The window's webContents, as far as sending events goes. */
export interface EventTarget {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, event: AppEvent): void;
}

/** The parts of an invoke event the sender check reads. */
export interface SenderInfo {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcGatewayOptions {
  readonly ipcMain: IpcMainLike;
  readonly handlers: IpcHandlers;
  /** Our window's webContents, or null while there is none. */
  readonly target: () => EventTarget | null;
  readonly log?: (message: string, error: unknown) => void;
}

/**
 * Whether an invoke comes from our window: its top frame (not a sub-frame or a detached
 * window), currently showing a page of our own app:// origin.
 */
export function isTrustedSender(event: SenderInfo, target: EventTarget | null): boolean {
  if (target === null || event.sender.id !== target.id) return false;
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  // Compare parts: for a custom scheme, URL#origin is the opaque "null".
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}

export class IpcGateway {
  readonly #options: IpcGatewayOptions;
  readonly #log: (message: string, error: unknown) => void;
  #ready = false;
  #queue: AppEvent[] = [];

  constructor(options: IpcGatewayOptions) {
    this.#options = options;
    this.#log = options.log ?? ((message, error) => console.error(message, error));
  }

  /** Registers a handler for every request channel. */
  start(): void {
    for (const channel of IPC_CHANNELS) {
      this.#options.ipcMain.handle(channel, (event, payload) =>
        this.#invoke(channel, event, payload),
      );
    }
  }

  stop(): void {
    for (const channel of IPC_CHANNELS) this.#options.ipcMain.removeHandler(channel);
    this.#queue = [];
    this.#ready = false;
  }

  /** Sends an event to the window, or queues it until the window is ready. */
  send(event: AppEvent): void {
    const target = this.#options.target();
    if (this.#ready && target !== null && !target.isDestroyed()) {
      target.send(EVENT_CHANNEL, event);
      return;
    }
    if (LIVE_ONLY_EVENTS.has(event.type)) return;
    this.#queue.push(event);
    if (this.#queue.length > MAX_QUEUED_EVENTS) this.#queue.shift();
  }

  /** The page is (re)loading: queue events until it calls `app:ready` again. */
  markNotReady(): void {
    this.#ready = false;
  }

  get isReady(): boolean {
    return this.#ready;
  }

  async #invoke<C extends IpcChannel>(
    channel: C,
    event: SenderInfo,
    payload: unknown,
  ): Promise<IpcResponse<C>> {
    if (!isTrustedSender(event, this.#options.target())) {
      this.#log(
        `IPC ${channel} refused: unknown sender ${event.senderFrame?.url ?? '(none)'}`,
        null,
      );
      return fail('forbidden', 'This request did not come from the Lumi window.');
    }
    const parsed = requestSchemas[channel].safeParse(payload);
    if (!parsed.success) {
      return fail(
        'bad_request',
        `Malformed ${channel} request: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    let response: IpcResponse<C>;
    try {
      response = ok(await this.#options.handlers[channel](parsed.data));
    } catch (error) {
      if (error instanceof HandlerError) return fail(error.code, error.message);
      this.#log(`IPC ${channel} failed`, error);
      return fail('internal', INTERNAL_ERROR_MESSAGE);
    }
    if (channel === 'app:ready') this.#flush();
    return response;
  }

  /** Ready: everything queued goes out in order, just ahead of the snapshot reply. */
  #flush(): void {
    this.#ready = true;
    const queued = this.#queue;
    this.#queue = [];
    for (const event of queued) this.send(event);
  }
}
