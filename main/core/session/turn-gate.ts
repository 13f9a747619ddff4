/**
 * Holds the first turn of a server session until the server knows Lumi's device tools.
 *
 * A xiaozhi server runs its MCP handshake after the hello: xiaozhi-esp32-server sends
 * `initialize` ~100 ms after hello and, after our answer, waits a second before `tools/list`
 * (docs/protocol.md §4.2, §8.5). A typed turn sent right after hello reaches an LLM that has no tools
 * yet ("工具 self_get_device_status 不存在"). So when the hello announced `features.mcp`, turns
 * wait until the last `tools/list` page has been answered — or until no `initialize` came within
 * INITIALIZE_WAIT of hello (a server without MCP), or MAX_WAIT in all; never longer.
 *
 * Facts in (ready, lost, initialize, tools listed), one verdict out (`isOpen`), timers on the
 * injected clock. The same wait applies after every reconnect — but not to a new session on an
 * MQTT connection that already listed the tools: a gateway answers the server's later
 * `tools/list` from its cache, so the device sees no new handshake (docs/protocol.md §1.4).
 */
import type { SessionEvent } from '../../../shared/session-events.ts';
import { type Clock, SECOND } from '../util/clock.ts';
import { NamedTimers } from '../util/named-timers.ts';

/** A server that has not sent `initialize` this long after hello has no MCP client. */
export const INITIALIZE_WAIT = 1 * SECOND;
/** The longest a turn is held for the handshake (XS lists tools ~1.1 s after hello). */
export const MAX_WAIT = 3 * SECOND;

export interface TurnGateOptions {
  readonly initializeWaitMs?: number;
  readonly maxWaitMs?: number;
}

type GateState =
  /** No server session: nothing can be sent anyway. */
  | { readonly kind: 'closed' }
  /** A server session began; its MCP handshake is still running. */
  | { readonly kind: 'waiting'; readonly since: number; readonly initialized: boolean }
  | { readonly kind: 'open' };

/** Why the gate opened, for the log and the bench. */
export type GateOpening = Extract<SessionEvent, { type: 'turnsOpened' }>['why'];

export class TurnGate {
  readonly #clock: Clock;
  readonly #options: TurnGateOptions;
  readonly #timers: NamedTimers<'initialize' | 'max'>;
  readonly #onOpened: (why: GateOpening, waitedMs: number) => void;
  #state: GateState = { kind: 'closed' };
  #expectsTools = false;
  /** The link on which the tools were last listed, and the link of the current session. */
  #listedOn: number | null = null;
  #link: number | null = null;

  constructor(
    clock: Clock,
    onOpened: (why: GateOpening, waitedMs: number) => void,
    options: TurnGateOptions = {},
  ) {
    this.#clock = clock;
    this.#timers = new NamedTimers(clock);
    this.#onOpened = onOpened;
    this.#options = options;
  }

  /** Turns may be sent (a server session is up and the handshake is over or given up). */
  get isOpen(): boolean {
    return this.#state.kind === 'open';
  }

  /** A server session is up but its tool handshake is still running. */
  get isWaiting(): boolean {
    return this.#state.kind === 'waiting';
  }

  /** Our hello announces `features.mcp` and a device MCP server answers: wait for the handshake. */
  expectTools(): void {
    this.#expectsTools = true;
  }

  /** The server answered our hello, on `link` (see Connection.link). */
  sessionReady(link: number | null = null): void {
    this.#timers.clearAll();
    this.#link = link;
    if (!this.#expectsTools) {
      this.#open('no-tools');
      return;
    }
    if (link !== null && link === this.#listedOn) {
      this.#open('tools-listed');
      return;
    }
    this.#state = { kind: 'waiting', since: this.#clock.now(), initialized: false };
    const initializeWait = this.#options.initializeWaitMs ?? INITIALIZE_WAIT;
    this.#timers.set('initialize', initializeWait, () => this.#open('no-initialize'));
    this.#timers.set('max', this.#options.maxWaitMs ?? MAX_WAIT, () => this.#open('max-wait'));
  }

  /** The server session ended. */
  sessionLost(): void {
    this.#timers.clearAll();
    this.#state = { kind: 'closed' };
  }

  /** The server's `initialize` arrived: its `tools/list` follows. */
  initializeReceived(): void {
    const state = this.#state;
    if (state.kind !== 'waiting') return;
    this.#timers.clear('initialize');
    this.#state = { ...state, initialized: true };
  }

  /** The last `tools/list` page has been answered (and written), on `link` (before a hello too). */
  toolsListed(link: number | null = this.#link): void {
    this.#listedOn = link;
    if (this.#state.kind === 'waiting') this.#open('tools-listed');
  }

  #open(why: GateOpening): void {
    const state = this.#state;
    this.#timers.clearAll();
    const waited = state.kind === 'waiting' ? this.#clock.now() - state.since : 0;
    this.#state = { kind: 'open' };
    this.#onOpened(why, waited);
  }
}
