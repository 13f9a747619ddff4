/**
 * Server → client JSON messages (docs/protocol.md §2.2, §3.3), as zod schemas.
 * Unknown keys are tolerated (servers add `session_id`, `glyph_push`, …); required ones are
 * checked. Anything that does not fit becomes an `invalid` frame in parse.ts, never a throw.
 */
import * as z from '../util/zod.ts';

const sessionId = z.nullish(z.string());
const positiveInt = z.int().check(z.positive());

export const AudioParamsSchema = z.object({
  format: z.optional(z.string()),
  sample_rate: z.optional(positiveInt),
  channels: z.optional(positiveInt),
  frame_duration: z.optional(positiveInt),
});

export const ServerHelloSchema = z.object({
  type: z.literal('hello'),
  transport: z.optional(z.string()),
  version: z.optional(z.int()),
  session_id: sessionId,
  audio_params: z.optional(AudioParamsSchema),
  /**
   * MQTT transport: where the UDP audio goes and its key (docs/protocol.md §1.4); checked by the
   * MQTT carrier, so a malformed one is a clear problem rather than a hello that never came.
   */
  udp: z.optional(z.unknown()),
  /** Original Lumi dialect: the server echoes the hello's `id` and names itself. */
  id: z.optional(z.string()),
  server_info: z.optional(
    z.object({ version: z.optional(z.string()), capabilities: z.optional(z.array(z.string())) }),
  ),
});

export const SttSchema = z.object({
  type: z.literal('stt'),
  text: z.string(),
  session_id: sessionId,
});

export const LlmSchema = z.object({
  type: z.literal('llm'),
  text: z.optional(z.string()),
  emotion: z.optional(z.string()),
  session_id: sessionId,
});

export const TtsSchema = z.union([
  z.object({
    type: z.literal('tts'),
    state: z.enum(['start', 'stop']),
    text: z.optional(z.string()),
    session_id: sessionId,
  }),
  z.object({
    type: z.literal('tts'),
    state: z.literal('sentence_start'),
    text: z.string(),
    session_id: sessionId,
  }),
  z.object({
    type: z.literal('tts'),
    // FW ignores unknown states (e.g. sentence_end); keep them typed so callers can too.
    state: z.string().check(z.refine((s) => !['start', 'stop', 'sentence_start'].includes(s))),
    text: z.optional(z.string()),
    session_id: sessionId,
  }),
]);

export const McpEnvelopeSchema = z.object({
  type: z.literal('mcp'),
  payload: z.record(z.string(), z.unknown()),
  session_id: sessionId,
});

export const SystemSchema = z.object({
  type: z.literal('system'),
  command: z.string(),
  session_id: sessionId,
});

export const AlertSchema = z.object({
  type: z.literal('alert'),
  status: z.string(),
  message: z.string(),
  emotion: z.optional(z.string()),
  session_id: sessionId,
});

export const CustomSchema = z.object({
  type: z.literal('custom'),
  payload: z.unknown(),
  session_id: sessionId,
});

export const GoodbyeSchema = z.object({ type: z.literal('goodbye'), session_id: sessionId });

export const PongSchema = z.object({
  type: z.literal('pong'),
  timestamp: z.optional(z.union([z.string(), z.number()])),
});

/** The official server has been seen sending `{"type":"error",…}` when it rejects a session. */
export const ServerErrorSchema = z.object({
  type: z.literal('error'),
  message: z.optional(z.string()),
  code: z.optional(z.union([z.string(), z.number()])),
});

/** Legacy IoT commands (pre-MCP); Lumi logs and ignores them. */
export const IotSchema = z.object({
  type: z.literal('iot'),
  commands: z.optional(z.array(z.unknown())),
});

/** Admin replies of xiaozhi-esp32-server's control channel; not for clients, logged only. */
export const ServerAdminSchema = z.object({
  type: z.literal('server'),
  status: z.optional(z.string()),
  message: z.optional(z.unknown()),
});

// Events of the original real-time module (docs/protocol.md §9.2) and the original Lumi dialect (docs/protocol.md §9.1).

export const MessageNewSchema = z.object({
  type: z.literal('message.new'),
  channel: z.optional(z.string()),
  conversation_id: z.optional(z.string()),
  message: z.optional(
    z.object({ id: z.optional(z.string()), content: z.string(), role: z.optional(z.string()) }),
  ),
  content: z.optional(z.string()),
});

const taskBase = {
  task_id: z.string(),
  title: z.optional(z.string()),
  channel: z.optional(z.string()),
};

export const TaskProgressSchema = z.object({
  type: z.literal('task.progress'),
  ...taskBase,
  progress: z.number().check(z.gte(0), z.lte(100)),
  message: z.optional(z.string()),
});

export const TaskCompletedSchema = z.object({
  type: z.literal('task.completed'),
  ...taskBase,
  result: z.optional(z.unknown()),
  message: z.optional(z.string()),
});

export const TaskFailedSchema = z.object({
  type: z.literal('task.failed'),
  ...taskBase,
  error: z.optional(z.string()),
  message: z.optional(z.string()),
});

export const SubscribedSchema = z.object({
  type: z.enum(['subscribed', 'unsubscribed']),
  channels: z.array(z.string()),
});

export const ResponseSchema = z.object({
  type: z.literal('response'),
  id: z.string(),
  content: z.string(),
  session_id: sessionId,
  timestamp: z.optional(z.string()),
});

export const serverMessageSchemas = {
  hello: ServerHelloSchema,
  stt: SttSchema,
  llm: LlmSchema,
  tts: TtsSchema,
  mcp: McpEnvelopeSchema,
  system: SystemSchema,
  alert: AlertSchema,
  custom: CustomSchema,
  goodbye: GoodbyeSchema,
  pong: PongSchema,
  error: ServerErrorSchema,
  iot: IotSchema,
  server: ServerAdminSchema,
  'message.new': MessageNewSchema,
  'task.progress': TaskProgressSchema,
  'task.completed': TaskCompletedSchema,
  'task.failed': TaskFailedSchema,
  subscribed: SubscribedSchema,
  unsubscribed: SubscribedSchema,
  response: ResponseSchema,
} as const;

export type ServerMessageType = keyof typeof serverMessageSchemas;

export type ServerMessage = {
  [K in ServerMessageType]: z.infer<(typeof serverMessageSchemas)[K]>;
}[ServerMessageType];

export type ServerHello = z.infer<typeof ServerHelloSchema>;
export type TtsMessage = z.infer<typeof TtsSchema>;
export type McpEnvelope = z.infer<typeof McpEnvelopeSchema>;

/** Narrow a ServerMessage by type. */
export type ServerMessageOf<T extends ServerMessageType> = z.infer<
  (typeof serverMessageSchemas)[T]
>;
