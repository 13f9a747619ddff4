/**
 * The seam between the connection's state machine (connection.ts) and what carries its bytes:
 * one WebSocket (websocket-carrier.ts), or MQTT for JSON with UDP for audio (mqtt-carrier.ts,
 * docs/protocol.md §1.4). A Carrier is one attempt at a server session; the connection opens a
 * new one for every attempt and ignores the events of any but the current one. What outlives a
 * session (the MQTT connection stays up between conversations) belongs to the factory.
 *
 * The carrier moves bytes and reports how it ended; the connection decides what that means
 * (close-reason.ts), waits for the hello, retries and refreshes credentials.
 */
import type { TransportKind } from '../../../shared/connection-state.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { ServerHello } from '../protocol/server-messages.ts';
import type { Emitter } from '../util/emitter.ts';

export type { TransportKind } from '../../../shared/connection-state.ts';

/** How a carrier ended, for close-reason.ts. */
export interface CloseReport {
  /**
   * The WebSocket close code; a carrier without one reports 1000 when the session ended
   * cleanly (goodbye) and 1006 when its link died.
   */
  readonly code: number;
  /** The HTTP status when a WebSocket upgrade was refused, else null. */
  readonly httpStatus: number | null;
  /** The transport refused our credentials (an MQTT CONNACK "bad user name or password"). */
  readonly authRejected: boolean;
  /** What the transport failed with, if anything. */
  readonly error: Problem | null;
}

export type CarrierEvents = {
  /** The transport is up: the connection sends its hello now. */
  opened: () => void;
  /** One JSON text message from the server. */
  text: (raw: string) => void;
  /**
   * One reply audio packet: its Opus payload, when it arrived, and the transport's sequence
   * number (UDP) or null (WebSocket, whose TCP keeps order).
   */
  audio: (opus: Uint8Array, arrivedAt: number, sequence: number | null) => void;
  /** The peer answered a probe. */
  alive: () => void;
  /** The attempt is over; no event follows this one. */
  closed: (report: CloseReport) => void;
};

export interface Carrier extends Pick<Emitter<CarrierEvents>, 'on'> {
  /**
   * Which link this session rides: the same number for sessions that share one MQTT
   * connection, a new one for every WebSocket. The device's tools stay known on a link.
   */
  readonly link: number;
  /** Send one JSON message; resolves once written, rejects when the write failed. */
  sendText(text: string): Promise<void>;
  /** Send one upstream Opus packet; audio is volatile, so a backlog drops it instead of queueing. */
  sendAudio(opus: Uint8Array, timestamp: number): 'sent' | 'dropped';
  /** Ask the peer to prove it is alive (answered by `alive`); false when it cannot be asked now. */
  probe(): boolean;
  /**
   * The server's hello arrived (MQTT opens its UDP channel here); resolves when the session can
   * carry audio both ways, or is null when it can at once.
   */
  sessionStarted(hello: ServerHello): Promise<void> | null;
  /** The server's reply audio begins (`tts start`): UDP checks that audio really arrives. */
  replyStarted(): void;
  /** The reply is over (`tts stop`): a reply whose audio never came proves UDP blocked now. */
  replyEnded(): void;
  /** The server said goodbye: a carrier whose link outlives the session ends the session now. */
  goodbyeReceived(): void;
  /** End the session politely (our close). */
  close(): void;
  /** Cut it now (a dead peer, a missed hello); `closed` follows with `error` when given. */
  terminate(error?: Problem): void;
}

export interface CarrierFactory {
  readonly transport: TransportKind;
  /** The hello's `transport` and the one the server's hello must name (docs/protocol.md §2). */
  readonly helloTransport: 'websocket' | 'udp';
  /** Where it connects, for the `connecting` state. */
  readonly url: string;
  /** Start one attempt. */
  open(): Carrier;
  /**
   * Ask for fresh credentials once after the server refused them (OTA); resolves true when there
   * are new ones to try, false when none came; rejects with the reason the refresh failed.
   */
  refreshCredentials?(): Promise<boolean>;
  /** The link that is up between sessions (MQTT), else null. */
  readonly idleLink?: number | null;
  /** Messages that arrive between sessions (a gateway's own MCP `initialize`, before the hello). */
  onIdleText?(listener: (raw: string) => void): () => void;
  /** Answer such a message between sessions; undefined when the transport has no such state. */
  sendIdleText?(text: string): Promise<void>;
  /** End what outlives sessions (the MQTT connection): the connection is being thrown away. */
  release(): void;
}
