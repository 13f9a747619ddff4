/**
 * The rules every IPC transport applies, in plain Node so the Electron gateway and the browser
 * preview's bridge share them: a request is checked against its channel's schema before a
 * handler sees it, and its outcome always comes back as a `Result` (a thrown error would reach
 * the window with only its message, electron/electron#24427); events wait in a backlog until the
 * window says `app:ready`, so nothing the core reports while the page loads is lost.
 * The transports add only what is theirs: the sender check, the socket, the wire format.
 */
import type { AppEvent, IpcChannel, IpcResponse } from '../../../shared/ipc.ts';
import { fail, ok } from '../../../shared/result.ts';
import { HandlerError, type IpcHandlers } from './handlers.ts';
import { requestSchemas } from './ipc-requests.ts';

/** Events kept for a window that is not ready yet; past this the oldest are dropped. */
export const MAX_QUEUED_EVENTS = 1_000;
/** Meters that only matter live: a late window gets the next reading, not a backlog. */
const LIVE_ONLY_EVENTS: ReadonlySet<AppEvent['type']> = new Set([
  'inputLevel',
  'jitterStats',
  'protocolLogged',
]);

/** Whether `channel` is a request channel of the contract. */
export const isIpcChannel = (channel: string): channel is IpcChannel =>
  Object.hasOwn(requestSchemas, channel);

export interface IpcDispatcherOptions {
  /** The app core's handlers merged with the window host's. */
  readonly handlers: IpcHandlers;
  /**
   * Hands one event to the window; false when there is no window to take it (it is queued).
   * Only called once the window said `app:ready`.
   */
  readonly deliver: (event: AppEvent) => boolean;
  /** A handler failed with something other than a HandlerError. */
  readonly log: (message: string, error: unknown) => void;
}

/** One request dispatcher and one event backlog, for one window (or the preview's pages). */
export class IpcDispatcher {
  readonly #options: IpcDispatcherOptions;
  #ready = false;
  #queue: AppEvent[] = [];

  constructor(options: IpcDispatcherOptions) {
    this.#options = options;
  }

  /**
   * Answers one request: schema check, handler, `Result`. A successful `app:ready` first sends
   * everything queued, in order, so it arrives just ahead of the snapshot reply.
   */
  async dispatch<C extends IpcChannel>(channel: C, payload: unknown): Promise<IpcResponse<C>> {
    const parsed = requestSchemas[channel].safeParse(payload);
    if (!parsed.success) {
      return fail('bad_request', {
        code: 'badRequest',
        channel,
        detail: parsed.error.issues[0]?.message ?? 'invalid',
      });
    }
    let response: IpcResponse<C>;
    try {
      response = ok(await this.#options.handlers[channel](parsed.data));
    } catch (error) {
      if (error instanceof HandlerError) return fail(error.code, error.problem);
      this.#options.log(`IPC ${channel} failed`, error);
      return fail('internal', { code: 'internalError' });
    }
    if (channel === 'app:ready') this.#flush();
    return response;
  }

  /** Sends an event to the window, or queues it until the window is ready. */
  send(event: AppEvent): void {
    if (this.#ready && this.#options.deliver(event)) return;
    if (LIVE_ONLY_EVENTS.has(event.type)) return;
    this.#queue.push(event);
    if (this.#queue.length > MAX_QUEUED_EVENTS) this.#queue.shift();
  }

  /** The page is (re)loading or gone: queue events until it calls `app:ready` again. */
  markNotReady(): void {
    this.#ready = false;
  }

  get isReady(): boolean {
    return this.#ready;
  }

  /** Forget the queue and wait for the next `app:ready` (the transport stopped). */
  reset(): void {
    this.#queue = [];
    this.#ready = false;
  }

  #flush(): void {
    this.#ready = true;
    const queued = this.#queue;
    this.#queue = [];
    for (const event of queued) this.send(event);
  }
}
