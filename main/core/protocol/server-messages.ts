/**
 * Server → client JSON messages (reference/protocol.md §2.2, §3.3), as zod schemas.
 * Unknown keys are tolerated (servers add `session_id`, `glyph_push`, …); required ones are
 * checked. Anything that does not fit becomes an `invalid` frame in parse.ts, never a throw.
 */
import { z } from 'zod';

const sessionId = z.string().nullish();

export const AudioParamsSchema = z.object({
  format: z.string().optional(),
  sample_rate: z.number().int().positive().optional(),
  channels: z.number().int().positive().optional(),
  frame_duration: z.number().int().positive().optional(),
});

export const ServerHelloSchema = z.object({
  type: z.literal('hello'),
  transport: z.string().optional(),
  version: z.number().int().optional(),
  session_id: sessionId,
  audio_params: AudioParamsSchema.optional(),
  /** Original Lumi dialect: the server echoes the hello's `id` and names itself. */
  id: z.string().optional(),
  server_info: z
    .object({ version: z.string().optional(), capabilities: z.array(z.string()).optional() })
    .optional(),
});

export const SttSchema = z.object({
  type: z.literal('stt'),
  text: z.string(),
  session_id: sessionId,
});

export const LlmSchema = z.object({
  type: z.literal('llm'),
  text: z.string().optional(),
  emotion: z.string().optional(),
  session_id: sessionId,
});

export const TtsSchema = z.union([
  z.object({
    type: z.literal('tts'),
    state: z.enum(['start', 'stop']),
    text: z.string().optional(),
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
    state: z.string().refine((s) => !['start', 'stop', 'sentence_start'].includes(s)),
    text: z.string().optional(),
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
  emotion: z.string().optional(),
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
  timestamp: z.union([z.string(), z.number()]).optional(),
});

/** The official server has been seen sending `{"type":"error",…}` when it rejects a session. */
export const ServerErrorSchema = z.object({
  type: z.literal('error'),
  message: z.string().optional(),
  code: z.union([z.string(), z.number()]).optional(),
});

/** Legacy IoT commands (pre-MCP); Lumi logs and ignores them. */
export const IotSchema = z.object({
  type: z.literal('iot'),
  commands: z.array(z.unknown()).optional(),
});

/** Admin replies of xiaozhi-esp32-server's control channel; not for clients, logged only. */
export const ServerAdminSchema = z.object({
  type: z.literal('server'),
  status: z.string().optional(),
  message: z.unknown().optional(),
});

// Events of the original real-time module (seeds/000) and the original Lumi dialect (seeds/001).

export const MessageNewSchema = z.object({
  type: z.literal('message.new'),
  channel: z.string().optional(),
  conversation_id: z.string().optional(),
  message: z
    .object({ id: z.string().optional(), content: z.string(), role: z.string().optional() })
    .optional(),
  content: z.string().optional(),
});

const taskBase = {
  task_id: z.string(),
  title: z.string().optional(),
  channel: z.string().optional(),
};

export const TaskProgressSchema = z.object({
  type: z.literal('task.progress'),
  ...taskBase,
  progress: z.number().min(0).max(100),
  message: z.string().optional(),
});

export const TaskCompletedSchema = z.object({
  type: z.literal('task.completed'),
  ...taskBase,
  result: z.unknown().optional(),
  message: z.string().optional(),
});

export const TaskFailedSchema = z.object({
  type: z.literal('task.failed'),
  ...taskBase,
  error: z.string().optional(),
  message: z.string().optional(),
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
  timestamp: z.string().optional(),
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
