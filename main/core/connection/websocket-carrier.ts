/**
 * The WebSocket carrier: one socket per attempt, JSON as text frames and Opus as binary frames
 * (docs/protocol.md §1.2, §5.2). Built in the main process because a renderer WebSocket cannot
 * send the upgrade headers the servers need.
 */
import WebSocket from 'ws';
import type { Problem } from '../../../shared/problems.ts';
import { buildAudioFrame, parseAudioFrame } from '../protocol/binary.ts';
import type { ProtocolVersion } from '../protocol/client-messages.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import type { Carrier, CarrierEvents, CarrierFactory, CloseReport } from './carrier.ts';
import {
  type ConnectionOptions,
  AUDIO_BACKLOG_LIMIT_BYTES,
  CLOSE_GRACE,
  HANDSHAKE_TIMEOUT,
  MAX_PAYLOAD_BYTES,
} from './options.ts';
import { endpointOf, socketProblem } from './socket-errors.ts';

export interface WebSocketCarrierOptions {
  readonly url: string;
  readonly token: string | null;
  readonly deviceId: string;
  readonly clientId: string;
  readonly protocolVersion: ProtocolVersion;
  readonly ca?: string | null;
  readonly handshakeTimeoutMs?: number;
  /** Called once when the server rejects the token; a new token is tried at once. */
  readonly refreshToken?: () => Promise<string | null>;
  readonly clock: Clock;
}

/** The socket's own log lines (a refused frame) go through this, to the protocol log. */
export type CarrierLog = (text: string) => void;

/** An address `ws` cannot even parse: retrying cannot help. */
export class InvalidUrlError extends Error {}

/** The WebSocket carriers of a connection's own options (url, token, headers, CA). */
export function webSocketCarriersFor(
  options: ConnectionOptions,
  clock: Clock,
  log: CarrierLog,
): WebSocketCarriers {
  return new WebSocketCarriers(
    {
      url: options.url,
      token: options.token,
      deviceId: options.deviceId,
      clientId: options.clientId,
      protocolVersion: options.protocolVersion ?? 1,
      clock,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
      ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
    },
    log,
  );
}

/** Opens one WebSocket per attempt with the firmware's headers; holds the token between them. */
export class WebSocketCarriers implements CarrierFactory {
  readonly transport = 'websocket';
  readonly helloTransport = 'websocket';
  readonly #options: WebSocketCarrierOptions;
  readonly #log: CarrierLog;
  #token: string | null;
  #links = 0;

  constructor(options: WebSocketCarrierOptions, log: CarrierLog) {
    this.#options = options;
    this.#token = options.token;
    this.#log = log;
  }

  get url(): string {
    return this.#options.url;
  }

  open(): Carrier {
    const options = this.#options;
    const headers: Record<string, string> = {
      'Protocol-Version': String(options.protocolVersion),
      'Device-Id': options.deviceId,
      'Client-Id': options.clientId,
    };
    if (this.#token) {
      // FW sends a token that already has a scheme ("Basic xyz") verbatim (docs/protocol.md §1.2).
      headers.Authorization = this.#token.includes(' ') ? this.#token : `Bearer ${this.#token}`;
    }
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT;
    let socket: WebSocket;
    try {
      socket = new WebSocket(options.url, {
        headers,
        handshakeTimeout: handshakeTimeoutMs,
        maxPayload: MAX_PAYLOAD_BYTES,
        perMessageDeflate: false,
        followRedirects: false,
        ...(options.ca ? { ca: options.ca } : {}),
      });
    } catch (error) {
      throw new InvalidUrlError(options.url, { cause: error });
    }
    this.#links += 1;
    return new WebSocketCarrier(socket, this.#links, options, handshakeTimeoutMs, this.#log);
  }

  refreshCredentials = async (): Promise<boolean> => {
    const refresh = this.#options.refreshToken;
    if (!refresh) return false;
    const token = await refresh();
    if (!token) return false;
    this.#token = token;
    return true;
  };

  release(): void {
    // Every socket belongs to its attempt; nothing outlives one.
  }
}

class WebSocketCarrier extends Emitter<CarrierEvents> implements Carrier {
  readonly link: number;
  readonly #socket: WebSocket;
  readonly #options: WebSocketCarrierOptions;
  readonly #log: CarrierLog;
  #httpStatus: number | null = null;
  #error: Problem | null = null;
  #graceTimer: TimerHandle | null = null;

  constructor(
    socket: WebSocket,
    link: number,
    options: WebSocketCarrierOptions,
    handshakeTimeoutMs: number,
    log: CarrierLog,
  ) {
    super();
    this.#socket = socket;
    this.link = link;
    this.#options = options;
    this.#log = log;
    socket.binaryType = 'nodebuffer';
    socket.on('unexpected-response', (_request, response) => {
      this.#httpStatus = response.statusCode ?? 0;
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => this.emit('opened'));
    socket.on('message', (data, isBinary) => {
      if (isBinary) this.#onBinary(data);
      else this.emit('text', Buffer.from(rawDataToBytes(data)).toString('utf8'));
    });
    socket.on('pong', () => this.emit('alive'));
    socket.on('error', (error) => {
      this.#error ??= socketProblem(error, endpointOf(options.url), handshakeTimeoutMs);
    });
    socket.on('close', (code) => {
      if (this.#graceTimer) options.clock.clearTimeout(this.#graceTimer);
      const report: CloseReport = {
        code,
        httpStatus: this.#httpStatus,
        authRejected: false,
        error: this.#error,
      };
      this.emit('closed', report);
    });
  }

  sendText(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.send(text, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  sendAudio(opus: Uint8Array, timestamp: number): 'sent' | 'dropped' {
    if (
      this.#socket.readyState !== WebSocket.OPEN ||
      this.#socket.bufferedAmount > AUDIO_BACKLOG_LIMIT_BYTES
    ) {
      return 'dropped';
    }
    const frame = buildAudioFrame(this.#options.protocolVersion, opus, timestamp);
    this.#socket.send(frame, { binary: true });
    return 'sent';
  }

  probe(): boolean {
    if (this.#socket.readyState !== WebSocket.OPEN) return false;
    this.#socket.ping();
    return true;
  }

  sessionStarted(): null {
    // The socket that carried the hello carries the audio too: ready at once.
    return null;
  }

  replyStarted(): void {
    // TCP delivers the reply or closes: nothing to watch.
  }

  replyEnded(): void {
    // Nothing was being watched.
  }

  goodbyeReceived(): void {
    // The server closes the socket after its goodbye; that close is the end.
  }

  close(): void {
    const socket = this.#socket;
    if (socket.readyState === WebSocket.OPEN) {
      socket.close(1000);
      this.#graceTimer = this.#options.clock.setTimeout(() => socket.terminate(), CLOSE_GRACE);
    } else {
      socket.terminate();
    }
  }

  terminate(error?: Problem): void {
    if (error) this.#error = error;
    // terminate(), not close(): a dead peer never completes a closing handshake.
    this.#socket.terminate();
  }

  #onBinary(data: WebSocket.RawData): void {
    const arrivedAt = this.#options.clock.now();
    const bytes = rawDataToBytes(data);
    const parsed = parseAudioFrame(this.#options.protocolVersion, bytes);
    if (!parsed.ok) {
      this.#log(`binary frame (${bytes.length} bytes): ${parsed.error}`);
      return;
    }
    this.emit('audio', parsed.payload, arrivedAt, null);
  }
}

function rawDataToBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
