/**
 * JSON-RPC 2.0 as MCP carries it (in the xiaozhi `mcp` envelope, docs/protocol.md §4.1): what an
 * inbound payload is, and the replies a server sends. Only what a device-side MCP server needs:
 * it receives requests and notifications, and never sends requests of its own.
 */
import * as z from '../util/zod.ts';

export const JSONRPC_VERSION = '2.0';

/** The JSON-RPC 2.0 error codes MCP uses. */
export const RpcErrorCode = {
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/**
 * Deepest nesting an inbound payload may have. Device tools take flat arguments (a name, a
 * number, a list of strings), so a payload deeper than this is not a request a device can serve;
 * refusing it keeps recursive handling and logging of tool arguments shallow. The frame itself
 * was already bounded at the edge (protocol/parse.ts MAX_JSON_DEPTH).
 */
export const MAX_PAYLOAD_DEPTH = 16;

export type RequestId = string | number;
export type Params = Readonly<Record<string, unknown>>;

const id = z.union([z.string(), z.int()]);
const params = z.optional(z.record(z.string(), z.unknown()));
const RequestSchema = z.object({
  jsonrpc: z.literal(JSONRPC_VERSION),
  id,
  method: z.string(),
  params,
});
const NotificationSchema = z.object({
  jsonrpc: z.literal(JSONRPC_VERSION),
  method: z.string(),
  params,
});
const ResponseSchema = z.union([
  z.object({ jsonrpc: z.literal(JSONRPC_VERSION), id, result: z.record(z.string(), z.unknown()) }),
  z.object({
    jsonrpc: z.literal(JSONRPC_VERSION),
    id,
    error: z.object({ code: z.int(), message: z.string() }),
  }),
]);

/** One inbound payload, classified. */
export type Inbound =
  | {
      readonly kind: 'request';
      readonly id: RequestId;
      readonly method: string;
      readonly params: Params;
    }
  | { readonly kind: 'notification'; readonly method: string; readonly params: Params }
  | { readonly kind: 'response'; readonly id: RequestId }
  /**
   * Not JSON-RPC, or nested deeper than MAX_PAYLOAD_DEPTH (`tooDeep`). `id` is the payload's id
   * when it has a usable one, so it can be answered.
   */
  | { readonly kind: 'invalid'; readonly id: RequestId | null; readonly tooDeep: boolean };

/** True when `value` nests objects and arrays deeper than `limit`; recursion stops at `limit`. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit <= 0) return true;
  for (const key in value) {
    if (nestsDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  }
  return false;
}

function usableId(payload: Readonly<Record<string, unknown>>): RequestId | null {
  const given = payload['id'];
  return typeof given === 'string' || (typeof given === 'number' && Number.isInteger(given))
    ? given
    : null;
}

export function classify(payload: Readonly<Record<string, unknown>>): Inbound {
  if (nestsDeeperThan(payload, MAX_PAYLOAD_DEPTH)) {
    return { kind: 'invalid', id: usableId(payload), tooDeep: true };
  }
  const request = RequestSchema.safeParse(payload);
  if (request.success) {
    const { id: requestId, method, params: given } = request.data;
    return { kind: 'request', id: requestId, method, params: given ?? {} };
  }
  if (!('id' in payload)) {
    const notification = NotificationSchema.safeParse(payload);
    if (notification.success) {
      const { method, params: given } = notification.data;
      return { kind: 'notification', method, params: given ?? {} };
    }
  }
  const response = ResponseSchema.safeParse(payload);
  if (response.success) return { kind: 'response', id: response.data.id };
  return { kind: 'invalid', id: usableId(payload), tooDeep: false };
}

/** An error a request handler throws to answer with a JSON-RPC error of its choosing. */
export class RpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
  }
}

export function resultReply(requestId: RequestId, result: object): Record<string, unknown> {
  return { jsonrpc: JSONRPC_VERSION, id: requestId, result };
}

export function errorReply(
  requestId: RequestId,
  code: number,
  message: string,
): Record<string, unknown> {
  return { jsonrpc: JSONRPC_VERSION, id: requestId, error: { code, message } };
}
