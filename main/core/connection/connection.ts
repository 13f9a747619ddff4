/**
 * One xiaozhi WebSocket session at a time, from the main process (a renderer WebSocket cannot
 * send the upgrade headers the servers need, docs/protocol.md §1.2). Owns the socket, the hello
 * handshake, liveness and reconnects; knows nothing of turns or audio.
 *
 * State is a single ConnectionState changed only by #setState. Every socket callback checks it
 * still belongs to the current socket before acting, so a late event of an old socket can never
 * move the state of a new one.
 */
import WebSocket from 'ws';
import type { ConnectionState } from '../../../shared/connection-state.ts';
import { describeProblem, problemOf } from '../../../shared/problem-english.ts';
import { errorDetail, type Problem } from '../../../shared/problems.ts';
import type { ProtocolLogEntry } from '../../../shared/session-events.ts';
import { buildAudioFrame, parseAudioFrame } from '../protocol/binary.ts';
import {
  buildHello,
  encodeClientMessage,
  type ClientMessage,
  type ProtocolVersion,
} from '../protocol/client-messages.ts';
import { AUTH_FAILED_TEXT, parseServerText } from '../protocol/parse.ts';
import type { ServerHello } from '../protocol/server-messages.ts';
import { type Clock, type RandomSource, systemClock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import {
  AUDIO_BACKLOG_LIMIT_BYTES,
  CLOSE_GRACE,
  HANDSHAKE_TIMEOUT,
  HELLO_RESEND_AFTER,
  HELLO_TIMEOUT,
  MAX_PAYLOAD_BYTES,
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
import { backoffDelay, DEFAULT_BACKOFF, type ReconnectOptions } from './backoff.ts';
import { classifyClose, type CloseVerdict } from './close-reason.ts';
import { endpointOf, socketProblem } from './socket-errors.ts';

const LOG_TEXT_LIMIT = 500;

type TimerName = 'retry' | 'closeGrace' | 'pong' | 'ping' | 'hello' | 'helloResend' | 'stable';

interface Attempt {
  readonly socket: WebSocket;
  httpStatus: number | null;
  authRejected: boolean;
  initiatedByUs: boolean;
  saidGoodbye: boolean;
  error: Problem | null;
  wasReady: boolean;
}

export class Connection extends Emitter<ConnectionEvents> {
  readonly #options: ConnectionOptions;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #backoff: ReconnectOptions;
  #token: string | null;
  #state: ConnectionState = { kind: 'initial' };
  #attempt: Attempt | null = null;
  /** Failed attempts since the last session was established: the give-up count. */
  #failures = 0;
  /**
   * Backoff step: grows with every retry and resets only once a connection stayed up, so a
   * server that accepts and then drops us at once is not hammered.
   */
  #backoffStep = 0;
  #tokenRefreshed = false;
  /** The session has a turn waiting for its reply (a clean close then is not an idle hang-up). */
  #turnInFlight = false;
  #serverHello: ServerHello | null = null;
  readonly #timers: NamedTimers<TimerName>;
  #droppedAudioFrames = 0;

  constructor(options: ConnectionOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new NamedTimers(this.#clock);
    this.#random = options.random ?? Math.random;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#token = options.token;
  }

  get state(): ConnectionState {
    return this.#state;
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
        this.#failures = 0;
        this.#backoffStep = 0;
        this.#tokenRefreshed = false;
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
    this.#timers.clearAll(['closeGrace']);
    const attempt = this.#attempt;
    if (attempt) {
      attempt.initiatedByUs = true;
      const socket = attempt.socket;
      if (socket.readyState === WebSocket.OPEN) {
        socket.close(1000);
        this.#timers.set('closeGrace', CLOSE_GRACE, () => socket.terminate());
      } else {
        socket.terminate();
      }
    }
    this.#attempt = null;
    this.#serverHello = null;
    if (this.#state.kind !== 'disconnected' || this.#state.reason !== 'user') {
      this.#setState({ kind: 'disconnected', reason: 'user' });
    }
  }

  /** Cut a socket that stopped answering (the app-level heartbeat uses this); it reconnects. */
  terminate(cause: Problem): void {
    const attempt = this.#attempt;
    if (!attempt) return;
    attempt.error = cause;
    attempt.socket.terminate();
  }

  /**
   * Send a JSON message of the current session. Resolves once the socket wrote it; rejects when
   * there is no ready session or the write failed.
   */
  sendJson(message: ClientMessage): Promise<void> {
    const attempt = this.#attempt;
    if (!attempt || this.#state.kind !== 'ready') {
      return Promise.reject(new Error('Not connected.'));
    }
    return this.#write(attempt, message);
  }

  /**
   * Send one upstream Opus packet. Audio is volatile: without a ready socket, or with a backlog
   * in the socket, the frame is dropped and counted rather than queued.
   */
  sendAudio(opus: Uint8Array, timestamp = 0): 'sent' | 'dropped' {
    const attempt = this.#attempt;
    if (
      !attempt ||
      this.#state.kind !== 'ready' ||
      attempt.socket.bufferedAmount > AUDIO_BACKLOG_LIMIT_BYTES
    ) {
      this.#droppedAudioFrames += 1;
      return 'dropped';
    }
    attempt.socket.send(buildAudioFrame(this.#protocolVersion, opus, timestamp), { binary: true });
    return 'sent';
  }

  /** The server said goodbye (or spoke its farewell): its next close is a clean end. */
  noteGoodbye(): void {
    if (this.#attempt) this.#attempt.saidGoodbye = true;
  }

  get #protocolVersion(): ProtocolVersion {
    return this.#options.protocolVersion ?? 1;
  }

  #open(): void {
    this.#timers.clearAll(['closeGrace']);
    const attemptNumber = this.#failures + 1;
    this.#setState({ kind: 'connecting', attempt: attemptNumber, url: this.#options.url });
    const headers: Record<string, string> = {
      'Protocol-Version': String(this.#protocolVersion),
      'Device-Id': this.#options.deviceId,
      'Client-Id': this.#options.clientId,
    };
    if (this.#token) {
      // FW sends a token that already has a scheme ("Basic xyz") verbatim (docs/protocol.md §1.2).
      headers.Authorization = this.#token.includes(' ') ? this.#token : `Bearer ${this.#token}`;
    }
    const handshakeTimeoutMs = this.#options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#options.url, {
        headers,
        handshakeTimeout: handshakeTimeoutMs,
        maxPayload: MAX_PAYLOAD_BYTES,
        perMessageDeflate: false,
        followRedirects: false,
        ...(this.#options.ca ? { ca: this.#options.ca } : {}),
      });
    } catch {
      // An unparsable URL: retrying cannot help.
      this.#setState({
        kind: 'failed',
        cause: { code: 'invalidUrl', url: this.#options.url },
        gaveUpAfter: null,
        retryAt: null,
      });
      return;
    }
    const attempt: Attempt = {
      socket,
      httpStatus: null,
      authRejected: false,
      initiatedByUs: false,
      saidGoodbye: false,
      error: null,
      wasReady: false,
    };
    this.#attempt = attempt;
    socket.binaryType = 'nodebuffer';

    socket.on('unexpected-response', (_request, response) => {
      if (this.#attempt !== attempt) return;
      attempt.httpStatus = response.statusCode ?? 0;
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      if (this.#attempt !== attempt) return;
      this.#setState({ kind: 'connected' });
      this.#sendHello(attempt);
    });
    socket.on('message', (data, isBinary) => {
      if (this.#attempt !== attempt) return;
      if (isBinary) this.#onBinary(data);
      else this.#onText(attempt, rawDataToString(data));
    });
    socket.on('pong', () => {
      if (this.#attempt === attempt) this.#timers.clear('pong');
    });
    socket.on('error', (error) => {
      if (this.#attempt !== attempt) return;
      attempt.error ??= socketProblem(error, endpointOf(this.#options.url), handshakeTimeoutMs);
    });
    socket.on('close', (code) => {
      if (this.#attempt !== attempt) return;
      this.#onClose(attempt, code);
    });
  }

  #sendHello(attempt: Attempt): void {
    const hello = buildHello({
      protocolVersion: this.#protocolVersion,
      ...(this.#options.frameDuration ? { frameDuration: this.#options.frameDuration } : {}),
      ...(this.#options.mcp === undefined ? {} : { mcp: this.#options.mcp }),
    });
    const wire = this.#options.decorateHello ? this.#options.decorateHello(hello) : hello;
    const send = (): void => {
      const text = JSON.stringify(wire);
      attempt.socket.send(text);
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
      attempt.socket.terminate();
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
      if (message.type === 'hello' && this.#state.kind === 'handshaking') {
        const accept =
          this.#options.acceptHello ?? ((h: ServerHello) => h.transport === 'websocket');
        if (!accept(message)) return; // FW ignores hellos of another transport and keeps waiting
        this.#onServerHello(attempt, message);
        return;
      }
      if (message.type === 'goodbye') attempt.saidGoodbye = true;
    }
    this.emit('frame', frame);
  }

  #onServerHello(attempt: Attempt, hello: ServerHello): void {
    this.#timers.clear('hello');
    this.#timers.clear('helloResend');
    this.#serverHello = hello;
    attempt.wasReady = true;
    this.#failures = 0;
    this.#setState({
      kind: 'ready',
      sessionId: hello.session_id ?? '',
      serverVersion: hello.server_info?.version ?? String(hello.version ?? 1),
    });
    this.#schedulePing();
    this.#timers.set('stable', STABLE_AFTER, () => {
      if (this.#attempt !== attempt) return;
      this.#backoffStep = 0;
      this.#tokenRefreshed = false;
    });
  }

  #onBinary(data: WebSocket.RawData): void {
    const arrivedAt = this.#clock.now();
    const bytes = rawDataToBytes(data);
    const parsed = parseAudioFrame(this.#protocolVersion, bytes);
    if (!parsed.ok) {
      this.#log('in', 'invalid', `binary frame (${bytes.length} bytes): ${parsed.error}`);
      return;
    }
    this.emit('audio', parsed.payload, arrivedAt);
  }

  #onClose(attempt: Attempt, code: number): void {
    this.#timers.clearAll(['closeGrace']);
    this.#attempt = null;
    this.#serverHello = null;
    const verdict = classifyClose({
      initiatedByUs: attempt.initiatedByUs,
      authRejected: attempt.authRejected,
      httpStatus: attempt.httpStatus,
      code,
      wasReady: attempt.wasReady,
      saidGoodbye: attempt.saidGoodbye,
      turnInFlight: this.#turnInFlight,
      error: attempt.error,
    });
    this.#log('in', 'text', `socket closed (code ${code}): ${describeVerdict(verdict)}`);
    this.#follow(verdict);
  }

  #follow(verdict: CloseVerdict): void {
    switch (verdict.kind) {
      case 'ours':
        if (this.#state.kind !== 'disconnected')
          this.#setState({ kind: 'disconnected', reason: 'user' });
        return;
      case 'idle':
        this.#failures = 0;
        this.#backoffStep = 0;
        this.#setState({ kind: 'disconnected', reason: 'idle' });
        return;
      case 'auth':
        void this.#onAuthFailure(verdict.cause);
        return;
      case 'fatal':
        this.#setState({ kind: 'failed', cause: verdict.cause, gaveUpAfter: null, retryAt: null });
        return;
      case 'retry':
        this.#scheduleRetry(verdict.cause);
        return;
    }
  }

  async #onAuthFailure(cause: Problem): Promise<void> {
    const refresh = this.#options.refreshToken;
    if (refresh && !this.#tokenRefreshed) {
      this.#tokenRefreshed = true;
      let token: string | null;
      try {
        token = await refresh();
      } catch (error) {
        this.#setState({ kind: 'authFailed', cause, refreshFailed: problemOf(error) });
        return;
      }
      if (token) {
        this.#token = token;
        this.#open();
        return;
      }
    }
    this.#setState({ kind: 'authFailed', cause, refreshFailed: null });
  }

  #scheduleRetry(cause: Problem): void {
    this.#failures += 1;
    if (this.#failures >= this.#backoff.maxAttempts) {
      this.#scheduleSlowRetry(cause);
      return;
    }
    this.#backoffStep += 1;
    const delay = backoffDelay(this.#backoffStep, this.#backoff, this.#random);
    this.#setState({
      kind: 'reconnecting',
      attempt: this.#failures + 1,
      retryAt: this.#clock.now() + delay,
      cause,
    });
    this.#timers.set('retry', delay, () => {
      if (this.#state.kind === 'reconnecting') this.#open();
    });
  }

  /** The quick attempts are spent: `failed` for the UI, and one more attempt now and then. */
  #scheduleSlowRetry(cause: Problem): void {
    const delay = this.#backoff.slowRetryMs;
    this.#setState({
      kind: 'failed',
      cause,
      gaveUpAfter: this.#failures,
      retryAt: this.#clock.now() + delay,
    });
    this.#timers.set('retry', delay, () => {
      if (this.#state.kind === 'failed') this.#open();
    });
  }

  #schedulePing(): void {
    this.#timers.set('ping', this.#options.pingIntervalMs ?? PING_INTERVAL, () => {
      this.#sendPing(this.#options.pongTimeoutMs ?? PONG_TIMEOUT);
      this.#schedulePing();
    });
  }

  #sendPing(timeoutMs: number): void {
    const attempt = this.#attempt;
    if (!attempt || attempt.socket.readyState !== WebSocket.OPEN) return;
    attempt.socket.ping();
    if (this.#timers.has('pong')) return;
    this.#timers.set('pong', timeoutMs, () => {
      if (this.#attempt !== attempt) return;
      attempt.error = { code: 'pongTimedOut', seconds: Math.ceil(timeoutMs / 1000) };
      // terminate(), not close(): a dead peer never completes a closing handshake.
      attempt.socket.terminate();
    });
  }

  #write(attempt: Attempt, message: ClientMessage): Promise<void> {
    let text: string;
    try {
      const encoded = encodeClientMessage(message, this.sessionId);
      text = this.#options.decorateMessage
        ? JSON.stringify(
            this.#options.decorateMessage(JSON.parse(encoded) as Record<string, unknown>),
          )
        : encoded;
    } catch (error) {
      return Promise.reject(
        new Error(`Refused to send a malformed message: ${errorDetail(error)}`),
      );
    }
    return new Promise((resolve, reject) => {
      attempt.socket.send(text, (error) => {
        if (error) reject(error);
        else resolve();
      });
      this.#log('out', 'json', text);
    });
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

function describeVerdict(verdict: CloseVerdict): string {
  switch (verdict.kind) {
    case 'ours':
      return 'closed by us';
    case 'idle':
      return 'the server ended the session';
    case 'auth':
    case 'retry':
    case 'fatal':
      return describeProblem(verdict.cause);
  }
}

function rawDataToBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function rawDataToString(data: WebSocket.RawData): string {
  return Buffer.from(rawDataToBytes(data)).toString('utf8');
}
