/**
 * One xiaozhi server session at a time, from the main process. Owns the session's state and
 * reconnects over a Carrier (carrier.ts) — a WebSocket (docs/protocol.md §1.2) or MQTT with UDP
 * audio (§1.4) — with the hello in handshake.ts and the pings in liveness.ts; knows nothing of
 * turns or audio.
 *
 * State is a single ConnectionState changed only by #setState. Every carrier callback checks it
 * still belongs to the current attempt before acting, so a late event of an old socket can never
 * move the state of a new one.
 */
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { ProtocolLogEntry } from '../../../shared/session-events.ts';
import type { ClientMessage } from '../protocol/client-messages.ts';
import { parseServerText } from '../protocol/parse.ts';
import type { ServerHello } from '../protocol/server-messages.ts';
import { type Clock, systemClock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import {
  HELLO_TIMEOUT,
  type ConnectionEvents,
  type ConnectionOptions,
  type ServerAudioParams,
} from './options.ts';

export * from './options.ts';
import { NamedTimers } from '../util/named-timers.ts';
import { DEFAULT_BACKOFF } from './backoff.ts';
import type { Carrier, CloseReport, TransportKind } from './carrier.ts';
import { Attempt } from './attempt.ts';
import { CarrierChoice } from './carrier-choice.ts';
import { describeVerdict } from './close-reason.ts';
import { answersHello, Handshake, serverAudioOf } from './handshake.ts';
import { Liveness } from './liveness.ts';
import { inboundLogKind, protocolLogEntry } from './protocol-log.ts';
import { Recovery } from './recovery.ts';
import { InvalidUrlError, webSocketCarriersFor } from './websocket-carrier.ts';
import { helloText, messageText } from './wire.ts';

type TimerName = 'retry';

export class Connection extends Emitter<ConnectionEvents> {
  readonly #options: ConnectionOptions;
  readonly #clock: Clock;
  readonly #recovery: Recovery;
  readonly #choice: CarrierChoice;
  #state: ConnectionState = { kind: 'initial' };
  #attempt: Attempt | null = null;
  /** The session has a turn waiting for its reply (a clean close then is not an idle hang-up). */
  #turnInFlight = false;
  readonly #timers: NamedTimers<TimerName>;
  readonly #handshake: Handshake;
  readonly #liveness: Liveness;
  #droppedAudioFrames = 0;

  constructor(options: ConnectionOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new NamedTimers(this.#clock);
    this.#handshake = new Handshake(this.#clock, options.helloTimeoutMs ?? HELLO_TIMEOUT);
    this.#liveness = new Liveness(this.#clock, options);
    this.#recovery = new Recovery(
      this.#clock,
      options.random ?? Math.random,
      options.backoff ?? DEFAULT_BACKOFF,
      {
        state: () => this.#state,
        setState: (next) => this.#setState(next),
        open: () => this.#open(),
        schedule: (ms, callback) => this.#timers.set('retry', ms, callback),
        refreshCredentials: () =>
          this.#choice.current.refreshCredentials?.bind(this.#choice.current),
        fallBack: (cause) => this.#fallBack(cause),
      },
    );
    const log = (text: string): void => this.#log('in', 'invalid', text);
    this.#choice = new CarrierChoice(
      options.carriers?.(log),
      () => webSocketCarriersFor(options, this.#clock, log),
      options.fallBackToWebSocket ?? false,
      (raw) => this.#onIdleText(raw),
    );
  }

  /**
   * Auto's fallback (docs/protocol.md §1.4): the OTA answer offered a WebSocket too and the
   * other transport cannot get a session through. Once; true when it switched.
   */
  #fallBack(cause: Problem): boolean {
    if (!this.#choice.fallBack()) return false;
    this.emit('transportChanged', cause);
    this.#recovery.restart();
    this.#open();
    return true;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Which transport carries the sessions. */
  get transport(): TransportKind {
    return this.#choice.current.transport;
  }

  /**
   * The link the current session rides, or null: sessions on one MQTT connection share it, so
   * the device's tools listed on it stay known (turn-gate.ts).
   */
  get link(): number | null {
    return this.#attempt?.carrier.link ?? this.#choice.current.idleLink ?? null;
  }

  /** Where and as whom this connection talks (the vision upload names the same device). */
  get identity(): { readonly url: string; readonly deviceId: string; readonly clientId: string } {
    const { url, deviceId, clientId } = this.#options;
    return { url, deviceId, clientId };
  }

  get sessionId(): string | null {
    return this.#state.kind === 'ready' ? this.#state.sessionId : null;
  }

  get serverAudio(): ServerAudioParams {
    return serverAudioOf(this.#attempt?.hello ?? null);
  }

  get droppedAudioFrames(): number {
    return this.#droppedAudioFrames;
  }

  /** Start or resume: a user action. From `reconnecting` it retries at once. */
  connect(): void {
    switch (this.#state.kind) {
      case 'initial':
      case 'disconnected':
      case 'failed':
      case 'authFailed':
        this.#recovery.restart();
        this.#open();
        return;
      case 'reconnecting':
        this.nudge();
        return;
      default:
        return;
    }
  }

  /** Manual retry after `failed` or `authFailed` (the same as connect). */
  retry(): void {
    this.connect();
  }

  /**
   * Resume from sleep, unlock, network back: retry now instead of waiting out the backoff (the
   * quick one or the slow one after `failed`); a ready socket must answer a ping quickly or it
   * is replaced.
   */
  nudge(): void {
    const state = this.#state;
    if (state.kind === 'reconnecting' || (state.kind === 'failed' && state.retryAt !== null)) {
      this.#timers.clear('retry');
      this.#open();
    } else if (state.kind === 'ready') {
      this.#liveness.nudge();
    }
  }

  /**
   * A turn was just sent or has gone quiet: the socket must answer a ping within the pong
   * timeout, so a server that froze mid-turn shows in seconds instead of at the next periodic
   * ping. Only liveness is checked: a slow answer (an LLM thinking, a tool call) is fine.
   */
  probe(): void {
    if (this.#state.kind === 'ready') this.#liveness.probe();
  }

  /** The session tells whether a turn is waiting for its reply (see close-reason.ts). */
  noteTurnInFlight(inFlight: boolean): void {
    this.#turnInFlight = inFlight;
  }

  /** Our own close: no retry. */
  disconnect(): void {
    this.#stopTimers();
    const attempt = this.#attempt;
    if (attempt) {
      attempt.initiatedByUs = true;
      attempt.carrier.close();
    }
    this.#attempt = null;
    if (this.#state.kind !== 'disconnected' || this.#state.reason !== 'user') {
      this.#setState({ kind: 'disconnected', reason: 'user' });
    }
  }

  /** Close for good: also what outlives sessions (the MQTT connection). */
  dispose(): void {
    this.disconnect();
    this.#choice.release();
  }

  /** Cut a socket that stopped answering (the app-level heartbeat uses this); it reconnects. */
  terminate(cause: Problem): void {
    this.#attempt?.cut(cause);
  }

  /**
   * Send a JSON message of the current session. Resolves once the carrier wrote it; rejects when
   * there is no ready session or the write failed. MCP answers may also go before the hello
   * (a gateway asks `initialize` first, docs/protocol.md §1.4).
   */
  sendJson(message: ClientMessage): Promise<void> {
    const attempt = this.#attempt;
    if (attempt && this.#state.kind === 'ready') return this.#write(attempt.carrier, message);
    if (message.type === 'mcp') {
      if (attempt) return this.#write(attempt.carrier, message);
      const idle = this.#choice.current.sendIdleText?.bind(this.#choice.current);
      if (idle) return this.#write({ sendText: idle }, message);
    }
    return Promise.reject(new Error('Not connected.'));
  }

  /**
   * Send one upstream Opus packet. Audio is volatile: without a ready session, or with a backlog
   * in the carrier, the frame is dropped and counted rather than queued.
   */
  sendAudio(opus: Uint8Array, timestamp = 0): 'sent' | 'dropped' {
    const attempt = this.#attempt;
    const sent =
      attempt !== null &&
      this.#state.kind === 'ready' &&
      attempt.carrier.sendAudio(opus, timestamp) === 'sent';
    if (sent) return 'sent';
    this.#droppedAudioFrames += 1;
    return 'dropped';
  }

  /** The server said goodbye (or spoke its farewell): its next close is a clean end. */
  noteGoodbye(): void {
    if (this.#attempt) this.#attempt.saidGoodbye = true;
  }

  #open(): void {
    this.#stopTimers();
    const number = this.#recovery.attemptNumber;
    this.#setState({ kind: 'connecting', attempt: number, url: this.#choice.current.url });
    let carrier: Carrier;
    try {
      carrier = this.#choice.current.open();
    } catch (error) {
      if (!(error instanceof InvalidUrlError)) throw error;
      this.#setState({
        kind: 'failed',
        cause: { code: 'invalidUrl', url: this.#choice.current.url },
        gaveUpAfter: null,
        retryAt: null,
      });
      return;
    }
    const attempt = new Attempt(carrier);
    this.#attempt = attempt;
    const current = (): boolean => this.#attempt === attempt;
    carrier.on('opened', () => {
      if (!current()) return;
      this.#setState({ kind: 'connected' });
      this.#sendHello(attempt);
    });
    carrier.on('text', (raw) => {
      if (current()) this.#onText(attempt, raw);
    });
    carrier.on('audio', (opus, arrivedAt, sequence) => {
      if (current()) this.emit('audio', opus, arrivedAt, sequence);
    });
    carrier.on('alive', () => {
      if (current()) this.#liveness.answered();
    });
    carrier.on('closed', (report) => {
      if (current()) this.#onClose(attempt, report);
    });
  }

  #sendHello(attempt: Attempt): void {
    this.#setState({ kind: 'handshaking' });
    this.#handshake.start(helloText(this.#options, this.#choice.current.helloTransport), {
      send: (text) => {
        attempt.carrier.sendText(text).catch(() => undefined);
        this.#log('out', 'json', text);
      },
      waiting: () => this.#attempt === attempt && this.#state.kind === 'handshaking',
      timedOut: (cause) => {
        if (this.#attempt === attempt) attempt.cut(cause);
      },
    });
  }

  /** Everything timed that belongs to an attempt: a new one starts, or it ended. */
  #stopTimers(): void {
    this.#timers.clearAll();
    this.#handshake.stop();
    this.#liveness.stop();
  }

  #onText(attempt: Attempt, raw: string): void {
    const frame = parseServerText(raw);
    this.#log('in', inboundLogKind(frame), raw);
    attempt.noteServerText(frame);
    if (frame.kind === 'message') {
      const message = frame.message;
      if (message.type === 'hello' && this.#state.kind === 'handshaking' && !attempt.hello) {
        const { helloTransport } = this.#choice.current;
        if (answersHello(message, helloTransport, this.#options.acceptHello)) {
          this.#onServerHello(attempt, message);
        }
        return;
      }
      if (message.type === 'goodbye') {
        attempt.saidGoodbye = true;
        this.emit('frame', frame);
        attempt.carrier.goodbyeReceived();
        return;
      }
    }
    this.emit('frame', frame);
  }

  /** A message between sessions on a link that outlives them: only MCP is expected there. */
  #onIdleText(raw: string): void {
    const frame = parseServerText(raw);
    this.#log('in', frame.kind === 'message' ? 'json' : 'invalid', raw);
    if (frame.kind === 'message' && frame.message.type === 'mcp') this.emit('frame', frame);
  }

  #onServerHello(attempt: Attempt, hello: ServerHello): void {
    this.#handshake.stop();
    attempt.hello = hello;
    this.#recovery.established();
    const started = attempt.carrier.sessionStarted(hello);
    if (!started) {
      this.#onSessionStarted(attempt, hello);
      return;
    }
    void started.then(() => {
      if (this.#attempt === attempt) this.#onSessionStarted(attempt, hello);
    });
  }

  #onSessionStarted(attempt: Attempt, hello: ServerHello): void {
    this.#setState({
      kind: 'ready',
      sessionId: hello.session_id ?? '',
      serverVersion: hello.server_info?.version ?? String(hello.version ?? 1),
      transport: this.#choice.current.transport,
    });
    this.#liveness.start({
      probe: () => this.#attempt === attempt && attempt.carrier.probe(),
      silent: (cause) => {
        if (this.#attempt === attempt) attempt.cut(cause);
      },
      stable: () => {
        if (this.#attempt === attempt) this.#recovery.stable();
      },
    });
  }

  #onClose(attempt: Attempt, report: CloseReport): void {
    this.#stopTimers();
    this.#attempt = null;
    const verdict = attempt.verdict(report, this.#turnInFlight);
    this.#log('in', 'text', `socket closed (code ${report.code}): ${describeVerdict(verdict)}`);
    this.#recovery.follow(verdict);
  }

  #write(carrier: Pick<Carrier, 'sendText'>, message: ClientMessage): Promise<void> {
    let text: string;
    try {
      text = messageText(this.#options, message, this.sessionId);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const written = carrier.sendText(text);
    this.#log('out', 'json', text);
    return written;
  }

  #setState(next: ConnectionState): void {
    const previous = this.#state;
    this.#state = next;
    this.emit('stateChanged', previous, next);
  }

  #log(direction: 'in' | 'out', kind: ProtocolLogEntry['kind'], text: string): void {
    if (this.listenerCount('protocolLogged') === 0) return;
    this.emit('protocolLogged', protocolLogEntry(this.#clock.now(), direction, kind, text));
  }
}
