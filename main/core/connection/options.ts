/**
 * The connection's options, limits and events: every duration and limit is a named constant
 * with the firmware's or the servers' reason beside it.
 */
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { ProtocolLogEntry } from '../../../shared/session-events.ts';
import type { ClientHello, FrameDuration, ProtocolVersion } from '../protocol/client-messages.ts';
import type { InboundFrame } from '../protocol/parse.ts';
import type { ServerHello } from '../protocol/server-messages.ts';
import { type Clock, type RandomSource, SECOND } from '../util/clock.ts';
import type { ReconnectOptions } from './backoff.ts';
import type { CarrierFactory } from './carrier.ts';

/** Firmware limits: 10 s for the upgrade, 10 s for the server hello (docs/protocol.md §2.3). */
export const HANDSHAKE_TIMEOUT = 10 * SECOND;
export const HELLO_TIMEOUT = 10 * SECOND;
/** A slow control panel can eat the first hello (docs/protocol.md §8.8): send it once more. */
export const HELLO_RESEND_AFTER = 3 * SECOND;
/** Our WebSocket ping; the server's own pings are answered by `ws` automatically. */
export const PING_INTERVAL = 30 * SECOND;
export const PONG_TIMEOUT = 10 * SECOND;
/** After a nudge (resume from sleep, network back) a ready socket must prove itself quickly. */
export const NUDGE_PONG_TIMEOUT = 5 * SECOND;
/** A connection that stayed up this long resets the backoff. */
export const STABLE_AFTER = 10 * SECOND;
/** TTS frames are ~200 bytes and MCP results small; nothing legitimate comes near this. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Audio is volatile: with more than this waiting in the socket, new frames are dropped (about five 60 ms frames). */
export const AUDIO_BACKLOG_LIMIT_BYTES = 1024;
/** Our close waits this long for the server's close frame before cutting the socket. */
export const CLOSE_GRACE = 5 * SECOND;

export interface ServerAudioParams {
  /** What the server announced; informational only — never used to open the decoder (§2.2). */
  readonly sampleRate: number;
  readonly frameDurationMs: number;
}

export interface ConnectionOptions {
  /**
   * What carries the sessions; default: a WebSocket to `url` with `token` (the carrier options
   * below: url, token, protocolVersion, ca, refreshToken, handshakeTimeoutMs).
   */
  readonly carriers?: (log: (text: string) => void) => CarrierFactory;
  /**
   * When `carriers` cannot get a session through (UDP blocked, the broker out of reach), switch
   * to the default WebSocket once and say so (`transportChanged`).
   */
  readonly fallBackToWebSocket?: boolean;
  readonly url: string;
  readonly token: string | null;
  readonly deviceId: string;
  readonly clientId: string;
  readonly protocolVersion?: ProtocolVersion;
  readonly frameDuration?: FrameDuration;
  readonly mcp?: boolean;
  /** PEM of an extra CA to trust for a self-hosted wss:// server; TLS stays verified. */
  readonly ca?: string | null;
  readonly backoff?: ReconnectOptions;
  /** Called once when the server rejects the token; a new token reconnects at once. */
  readonly refreshToken?: () => Promise<string | null>;
  /** Adjust the hello before it is sent (the original Lumi dialect adds id and device info). */
  readonly decorateHello?: (hello: ClientHello) => Record<string, unknown>;
  /** Accept a server hello (the dialect checks the echoed id). Default: transport websocket. */
  readonly acceptHello?: (hello: ServerHello) => boolean;
  /** Adjust every other outgoing message (the dialect adds id and timestamp). */
  readonly decorateMessage?: (message: Record<string, unknown>) => Record<string, unknown>;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  readonly helloTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
}

export type ConnectionEvents = {
  stateChanged: (previous: ConnectionState, next: ConnectionState) => void;
  /** A parsed text frame (messages, plain text, invalid and unknown frames alike). */
  frame: (frame: InboundFrame) => void;
  /**
   * Reply audio: the Opus payload of a packet, when it arrived, and its transport sequence
   * number (UDP; null over a WebSocket, whose TCP keeps order).
   */
  audio: (opus: Uint8Array, arrivedAt: number, sequence: number | null) => void;
  protocolLogged: (entry: ProtocolLogEntry) => void;
  /** Sessions now go over the WebSocket because the other transport failed with `cause`. */
  transportChanged: (cause: Problem) => void;
};
