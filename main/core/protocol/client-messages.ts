/**
 * Client → server JSON messages (docs/protocol.md §2.1, §3.2). Built only through the
 * functions below and checked against these schemas before they leave, because
 * xiaozhi-esp32-server drops the connection when one of its handlers meets a malformed
 * message (docs/protocol.md §8.9).
 */
import * as z from '../util/zod.ts';

export const UPSTREAM_SAMPLE_RATE = 16_000;
export const UPSTREAM_CHANNELS = 1;
export const DEFAULT_FRAME_DURATION_MS = 60;

const sessionId = z.optional(z.string());
const nonEmpty = z.string().check(z.minLength(1));

export const ClientHelloSchema = z.object({
  type: z.literal('hello'),
  version: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  features: z.object({
    mcp: z.boolean(),
    glyph_push: z.literal(false),
    aec: z.optional(z.boolean()),
  }),
  transport: z.enum(['websocket', 'udp']),
  audio_params: z.object({
    format: z.literal('opus'),
    sample_rate: z.literal(UPSTREAM_SAMPLE_RATE),
    channels: z.literal(UPSTREAM_CHANNELS),
    frame_duration: z.union([z.literal(20), z.literal(40), z.literal(60)]),
  }),
  // Original Lumi dialect (docs/protocol.md §9.1): id, device_id and device_info on the hello.
  id: z.optional(z.string()),
  device_id: z.optional(z.string()),
  device_info: z.optional(
    z.object({ platform: z.string(), model: z.string(), os_version: z.string() }),
  ),
  timestamp: z.optional(z.string()),
});

export const ListenSchema = z.union([
  z.object({
    session_id: sessionId,
    type: z.literal('listen'),
    state: z.literal('start'),
    mode: z.enum(['auto', 'manual', 'realtime']),
  }),
  z.object({ session_id: sessionId, type: z.literal('listen'), state: z.literal('stop') }),
  z.object({
    session_id: sessionId,
    type: z.literal('listen'),
    state: z.literal('detect'),
    text: nonEmpty,
  }),
]);

export const AbortSchema = z.object({
  session_id: sessionId,
  type: z.literal('abort'),
  reason: z.optional(z.literal('wake_word_detected')),
});

export const ClientMcpSchema = z.object({
  session_id: sessionId,
  type: z.literal('mcp'),
  payload: z.record(z.string(), z.unknown()),
});

export const ClientGoodbyeSchema = z.object({ session_id: sessionId, type: z.literal('goodbye') });
export const ClientPingSchema = z.object({ type: z.literal('ping') });

export const SubscribeSchema = z.object({
  type: z.enum(['subscribe', 'unsubscribe']),
  channels: z.array(nonEmpty).check(z.minLength(1)),
});

/** Typed text in the original Lumi dialect (docs/protocol.md §9.1); the xiaozhi way is `listen detect`. */
export const ChatSchema = z.object({
  type: z.literal('chat'),
  /** The server's `response` echoes it. */
  id: z.optional(nonEmpty),
  content: nonEmpty,
  session_id: sessionId,
  device_id: z.optional(z.string()),
});

export const ClientMessageSchema = z.union([
  ClientHelloSchema,
  ListenSchema,
  AbortSchema,
  ClientMcpSchema,
  ClientGoodbyeSchema,
  ClientPingSchema,
  SubscribeSchema,
  ChatSchema,
]);

/** Sends one message on the current connection; false when it could not be sent. */
export type SendMessage = (message: ClientMessage) => boolean;

export type ClientHello = z.infer<typeof ClientHelloSchema>;
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type FrameDuration = ClientHello['audio_params']['frame_duration'];
export type ProtocolVersion = ClientHello['version'];

export interface HelloOptions {
  readonly protocolVersion?: ProtocolVersion;
  readonly frameDuration?: FrameDuration;
  readonly mcp?: boolean;
  /** `udp` over MQTT (docs/protocol.md §1.4). */
  readonly transport?: ClientHello['transport'];
}

/** Our hello: MCP on, no glyphs, 16 kHz mono Opus upstream (docs/protocol.md §2.1). */
export function buildHello(options: HelloOptions = {}): ClientHello {
  return {
    type: 'hello',
    version: options.protocolVersion ?? 1,
    features: { mcp: options.mcp ?? true, glyph_push: false },
    transport: options.transport ?? 'websocket',
    audio_params: {
      format: 'opus',
      sample_rate: UPSTREAM_SAMPLE_RATE,
      channels: UPSTREAM_CHANNELS,
      frame_duration: options.frameDuration ?? DEFAULT_FRAME_DURATION_MS,
    },
  };
}

export const listenStart = (mode: 'auto' | 'manual' | 'realtime'): ClientMessage => ({
  type: 'listen',
  state: 'start',
  mode,
});
export const listenStop = (): ClientMessage => ({ type: 'listen', state: 'stop' });
export const listenDetect = (text: string): ClientMessage => ({
  type: 'listen',
  state: 'detect',
  text,
});
export const abortSpeaking = (reason?: 'wake_word_detected'): ClientMessage =>
  reason ? { type: 'abort', reason } : { type: 'abort' };
export const mcpReply = (payload: Record<string, unknown>): ClientMessage => ({
  type: 'mcp',
  payload,
});
export const appPing = (): ClientMessage => ({ type: 'ping' });

/**
 * Serialise a message for the wire. FW puts `session_id` first in everything it sends; servers
 * do not check it, but sending it keeps us byte-compatible with devices.
 */
export function encodeClientMessage(
  message: ClientMessage,
  currentSessionId: string | null,
): string {
  const checked = ClientMessageSchema.parse(message);
  const withSession =
    currentSessionId !== null && checked.type !== 'hello' && checked.type !== 'ping'
      ? { session_id: currentSessionId, ...checked }
      : checked;
  return JSON.stringify(withSession);
}
