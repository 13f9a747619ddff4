/**
 * One xiaozhi server session at a time, from the main process. Owns the hello handshake,
 * liveness and reconnects over a Carrier (carrier.ts) — a WebSocket (docs/protocol.md §1.2) or
 * MQTT with UDP audio (§1.4); knows nothing of turns or audio.
 *
 * State is a single ConnectionState changed only by #setState. Every carrier callback checks it
 * still belongs to the current attempt before acting, so a late event of an old socket can never
 * move the state of a new one.
 */
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { ProtocolLogEntry } from '../../../shared/session-events.ts';
import type { ClientMessage } from '../protocol/client-messages.ts';
import { AUTH_FAILED_TEXT, parseServerText } from '../protocol/parse.ts';
import type { ServerHello } from '../protocol/server-messages.ts';
import { type Clock, systemClock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import {
  HELLO_RESEND_AFTER,
  HELLO_TIMEOUT,
  NUDGE_PONG_TIMEOUT,
  PING_INTERVAL,
  PONG_TIMEOUT,
  STABLE_AFTER,
  type ConnectionEvents,
  type ConnectionOptions,
  type ServerAudioParams,
} from './options.ts';

export * from './options.ts';
import { NamedTimers } from '../util/named-timers.ts';
import { DEFAULT_BACKOFF } from './backoff.ts';
import type { Carrier, CarrierFactory, CloseReport, TransportKind } from './carrier.ts';
import { classifyClose, describeVerdict } from './close-reason.ts';
import { Recovery } from './recovery.ts';
import { InvalidUrlError, webSocketCarriersFor } from './websocket-carrier.ts';
import { helloText, messageText } from './wire.ts';

const LOG_TEXT_LIMIT = 500;

type TimerName = 'retry' | 'pong' | 'ping' | 'hello' | 'helloResend' | 'stable';

interface Attempt {
  readonly carrier: Carrier;
  authRejected: boolean;
  initiatedByUs: boolean;
  saidGoodbye: boolean;
  error: Problem | null;
  wasReady: boolean;
}

export class Connection extends Emitter<ConnectionEvents> {
  readonly #options: ConnectionOptions;
  readonly #clock: Clock;
  readonly #recovery: Recovery;
  #carriers: CarrierFactory;
  #state: ConnectionState = { kind: 'initial' };
  #attempt: Attempt | null = null;
  /** The session has a turn waiting for its reply (a clean close then is not an idle hang-up). */
  #turnInFlight = false;
  #serverHello: ServerHello | null = null;
  readonly #timers: NamedTimers<TimerName>;
  #droppedAudioFrames = 0;
  #releaseIdle: () => void;

  constructor(options: ConnectionOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new NamedTimers(this.#clock);
    this.#recovery = new Recovery(
      this.#clock,
      options.random ?? Math.random,
      options.backoff ?? DEFAULT_BACKOFF,
      {
        state: () => this.#state,
        setState: (next) => this.#setState(next),
        open: () => this.#open(),
        schedule: (ms, callback) => this.#timers.set('retry', ms, callback),
        refreshCredentials: () => this.#carriers.refreshCredentials?.bind(this.#carriers),
        fallBack: (cause) => this.#fallBack(cause),
      },
    );
    this.#carriers = options.carriers?.(this.#carrierLog) ?? this.#webSocketCarriers();
    this.#releaseIdle = this.#carriers.onIdleText?.((raw) => this.#onIdleText(raw)) ?? (() => {});
  }

  readonly #carrierLog = (text: string): void => this.#log('in', 'invalid', text);

  #webSocketCarriers(): CarrierFactory {
    return webSocketCarriersFor(this.#options, this.#clock, this.#carrierLog);
  }

  /**
   * Auto's fallback (docs/protocol.md §1.4): the OTA answer offered a WebSocket too and the
   * other transport cannot get a session through. Once; true when it switched.
   */
  #fallBack(cause: Problem): boolean {
    if (!this.#options.fallBackToWebSocket || this.#carriers.transport === 'websocket') {
      return false;
    }
    this.#releaseIdle();
    this.#releaseIdle = () => {};
    this.#carriers.release();
    this.#carriers = this.#webSocketCarriers();
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
    return this.#carriers.transport;
  }

  /**
   * The link the current session rides, or null: sessions on one MQTT connection share it, so
   * the device's tools listed on it stay known (turn-gate.ts).
   */
  get link(): number | null {
    return this.#attempt?.carrier.link ?? this.#carriers.idleLink ?? null;
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
    const params = this.#serverHello?.audio_params;
    return {
      sampleRate: params?.sample_rate ?? 24_000,
      frameDurationMs: params?.frame_duration ?? 60,
    };
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
      this.#sendPing(this.#options.pongTimeoutMs ?? NUDGE_PONG_TIMEOUT);
    }
  }

  /**
   * A turn was just sent or has gone quiet: the socket must answer a ping within the pong
   * timeout, so a server that froze mid-turn shows in seconds instead of at the next periodic
   * ping. Only liveness is checked: a slow answer (an LLM thinking, a tool call) is fine.
   */
  probe(): void {
    if (this.#state.kind === 'ready') this.#sendPing(this.#options.pongTimeoutMs ?? PONG_TIMEOUT);
  }

  /** The session tells whether a turn is waiting for its reply (see close-reason.ts). */
  noteTurnInFlight(inFlight: boolean): void {
    this.#turnInFlight = inFlight;
  }

  /** Our own close: no retry. */
  disconnect(): void {
    this.#timers.clearAll();
    const attempt = this.#attempt;
    if (attempt) {
      attempt.initiatedByUs = true;
      attempt.carrier.close();
    }
    this.#attempt = null;
    this.#serverHello = null;
    if (this.#state.kind !== 'disconnected' || this.#state.reason !== 'user') {
      this.#setState({ kind: 'disconnected', reason: 'user' });
    }
  }

  /** Close for good: also what outlives sessions (the MQTT connection). */
  dispose(): void {
    this.disconnect();
    this.#releaseIdle();
    this.#carriers.release();
  }

  /** Cut a socket that stopped answering (the app-level heartbeat uses this); it reconnects. */
  terminate(cause: Problem): void {
    const attempt = this.#attempt;
    if (!attempt) return;
    attempt.error = cause;
    attempt.carrier.terminate(cause);
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
      const idle = this.#carriers.sendIdleText?.bind(this.#carriers);
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
    this.#timers.clearAll();
    const number = this.#recovery.attemptNumber;
    this.#setState({ kind: 'connecting', attempt: number, url: this.#carriers.url });
    let carrier: Carrier;
    try {
      carrier = this.#carriers.open();
    } catch (error) {
      if (!(error instanceof InvalidUrlError)) throw error;
      this.#setState({
        kind: 'failed',
        cause: { code: 'invalidUrl', url: this.#carriers.url },
        gaveUpAfter: null,
        retryAt: null,
      });
      return;
    }
    const attempt: Attempt = {
      carrier,
      authRejected: false,
      initiatedByUs: false,
      saidGoodbye: false,
      error: null,
      wasReady: false,
    };
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
      if (current()) this.#timers.clear('pong');
    });
    carrier.on('closed', (report) => {
      if (current()) this.#onClose(attempt, report);
    });
  }

  #sendHello(attempt: Attempt): void {
    const text = helloText(this.#options, this.#carriers.helloTransport);
    const send = (): void => {
      attempt.carrier.sendText(text).catch(() => undefined);
      this.#log('out', 'json', text);
    };
    this.#setState({ kind: 'handshaking' });
    send();
    this.#timers.set('helloResend', HELLO_RESEND_AFTER, () => {
      if (this.#attempt === attempt && this.#state.kind === 'handshaking') send();
    });
    const helloTimeoutMs = this.#options.helloTimeoutMs ?? HELLO_TIMEOUT;
    this.#timers.set('hello', helloTimeoutMs, () => {
      if (this.#attempt !== attempt) return;
      attempt.error = { code: 'helloTimedOut', seconds: Math.ceil(helloTimeoutMs / 1000) };
      attempt.carrier.terminate(attempt.error);
    });
  }

  #onText(attempt: Attempt, raw: string): void {
    const frame = parseServerText(raw);
    this.#log(
      'in',
      frame.kind === 'message' ? 'json' : frame.kind === 'text' ? 'text' : 'invalid',
      raw,
    );
    if (frame.kind === 'text' && frame.text.trim() === AUTH_FAILED_TEXT) {
      attempt.authRejected = true;
    }
    if (frame.kind === 'message') {
      const message = frame.message;
      if (message.type === 'hello' && this.#state.kind === 'handshaking' && !attempt.wasReady) {
        const transport = this.#carriers.helloTransport;
        const accept = this.#options.acceptHello ?? ((h: ServerHello) => h.transport === transport);
        if (!accept(message)) return; // FW ignores hellos of another transport and keeps waiting
        this.#onServerHello(attempt, message);
        return;
      }
      if (message.type === 'tts' && message.state === 'start') attempt.carrier.replyStarted();
      if (message.type === 'tts' && message.state === 'stop') attempt.carrier.replyEnded();
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
    this.#timers.clear('hello');
    this.#timers.clear('helloResend');
    this.#serverHello = hello;
    attempt.wasReady = true;
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
      transport: this.#carriers.transport,
    });
    this.#schedulePing();
    this.#timers.set('stable', STABLE_AFTER, () => {
      if (this.#attempt !== attempt) return;
      this.#recovery.stable();
    });
  }

  #onClose(attempt: Attempt, report: CloseReport): void {
    this.#timers.clearAll();
    this.#attempt = null;
    this.#serverHello = null;
    const verdict = classifyClose({
      initiatedByUs: attempt.initiatedByUs,
      authRejected: attempt.authRejected || report.authRejected,
      httpStatus: report.httpStatus,
      code: report.code,
      wasReady: attempt.wasReady,
      saidGoodbye: attempt.saidGoodbye,
      turnInFlight: this.#turnInFlight,
      error: attempt.error ?? report.error,
    });
    this.#log('in', 'text', `socket closed (code ${report.code}): ${describeVerdict(verdict)}`);
    this.#recovery.follow(verdict);
  }

  #schedulePing(): void {
    this.#timers.set('ping', this.#options.pingIntervalMs ?? PING_INTERVAL, () => {
      this.#sendPing(this.#options.pongTimeoutMs ?? PONG_TIMEOUT);
      this.#schedulePing();
    });
  }

  #sendPing(timeoutMs: number): void {
    const attempt = this.#attempt;
    if (!attempt || !attempt.carrier.probe()) return;
    if (this.#timers.has('pong')) return;
    this.#timers.set('pong', timeoutMs, () => {
      if (this.#attempt !== attempt) return;
      attempt.error = { code: 'pongTimedOut', seconds: Math.ceil(timeoutMs / 1000) };
      attempt.carrier.terminate(attempt.error);
    });
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
    this.emit('protocolLogged', {
      at: this.#clock.now(),
      direction,
      kind,
      text: text.length > LOG_TEXT_LIMIT ? `${text.slice(0, LOG_TEXT_LIMIT)}…` : text,
    });
  }
}
