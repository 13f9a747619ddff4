/**
 * The host side of the browser preview's bridge: each page's WebSocket carries calls of the
 * IPC contract to the core's handlers and the core's events back, with the Electron gateway's
 * rules. Every request is checked against its channel's schema before a handler sees it, the
 * outcome always comes back as a `Result` (a HandlerError keeps its code, anything else becomes
 * `internal`), and events wait in a queue while no page is open, flushed to the next page just
 * ahead of its `app:ready` reply.
 */
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import * as z from '../core/util/zod.ts';
import type { AppEvent, IpcChannel, IpcResponse } from '../../shared/ipc.ts';
import { fail, ok } from '../../shared/result.ts';
import { HandlerError, type AppCore } from '../core/app/handlers.ts';
import { requestSchemas } from '../electron/ipc-requests.ts';
import type { BridgeReply, HostMessage } from './bridge-protocol.ts';

/** Events kept while no page is open; past this the oldest are dropped. */
export const MAX_QUEUED_EVENTS = 1_000;
/** A request is a few kilobytes at most (typed text is capped at 8 000 characters). */
const MAX_REQUEST_BYTES = 256 * 1024;
/** Meters that only matter live: a page that opens later gets the next reading, not a backlog. */
const LIVE_ONLY_EVENTS: ReadonlySet<AppEvent['type']> = new Set([
  'inputLevel',
  'jitterStats',
  'protocolLogged',
]);
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong in Lumi. The details are in the log.';
/** RFC 6455 close codes. */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY_VIOLATION = 1008;

const envelope = z.object({
  id: z.int().check(z.gte(0)),
  channel: z.string(),
  // Channels without a payload send none (JSON drops `undefined`).
  request: z.optional(z.unknown()),
});

const isChannel = (channel: string): channel is IpcChannel =>
  Object.hasOwn(requestSchemas, channel);

export class BridgeServer {
  readonly #core: AppCore;
  readonly #log: (line: string) => void;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  readonly #pages = new Set<WebSocket>();
  #queue: AppEvent[] = [];
  readonly #unsubscribe: () => void;

  constructor(core: AppCore, log: (line: string) => void) {
    this.#core = core;
    this.#log = log;
    this.#unsubscribe = core.onEvent((event) => this.#broadcast(event));
  }

  /** The socket server whose `handleUpgrade` takes a checked upgrade request. */
  get sockets(): WebSocketServer {
    return this.#wss;
  }

  /** Serve one page's socket until it closes. */
  accept(page: WebSocket): void {
    this.#pages.add(page);
    page.on('close', () => this.#pages.delete(page));
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
    if (!isChannel(channel)) {
      send(page, { id, response: fail('bad_request', `Unknown channel ${channel}`) });
      return;
    }
    const response = await this.#invoke(channel, parsed.request);
    if (channel === 'app:ready' && response.ok) this.#flush(page);
    send(page, { id, response } satisfies BridgeReply);
  }

  async #invoke<C extends IpcChannel>(channel: C, payload: unknown): Promise<IpcResponse<C>> {
    const request = requestSchemas[channel].safeParse(payload);
    if (!request.success) {
      return fail(
        'bad_request',
        `Malformed ${channel} request: ${request.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    try {
      return ok(await this.#core.handlers[channel](request.data));
    } catch (error) {
      if (error instanceof HandlerError) return fail(error.code, error.message);
      this.#log(
        `${channel} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return fail('internal', INTERNAL_ERROR_MESSAGE);
    }
  }

  #broadcast(event: AppEvent): void {
    if (this.#pages.size > 0) {
      for (const page of this.#pages) send(page, { event });
      return;
    }
    if (LIVE_ONLY_EVENTS.has(event.type)) return;
    this.#queue.push(event);
    if (this.#queue.length > MAX_QUEUED_EVENTS) this.#queue.shift();
  }

  #flush(page: WebSocket): void {
    const queued = this.#queue;
    this.#queue = [];
    for (const event of queued) send(page, { event });
  }
}

function send(page: WebSocket, message: HostMessage): void {
  if (page.readyState === page.OPEN) page.send(JSON.stringify(message));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}
