/**
 * The edge: every text frame from the server becomes an InboundFrame. Invalid JSON, plain text
 * (xiaozhi-esp32-server answers a bad token with the text `认证失败`), objects without `type`,
 * unknown types and schema mismatches are all typed results carrying the raw text. Nothing
 * here throws.
 */
import {
  serverMessageSchemas,
  type ServerMessage,
  type ServerMessageType,
} from './server-messages.ts';

/** Raw text kept for the log is cut to this many characters. */
export const RAW_TEXT_LIMIT = 2_000;

export type InboundFrame =
  | { readonly kind: 'message'; readonly message: ServerMessage; readonly raw: string }
  /** A text frame that is not JSON at all. */
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'unknown'; readonly type: string; readonly raw: string }
  | {
      readonly kind: 'invalid';
      readonly reason: 'json' | 'not_object' | 'no_type' | 'schema';
      readonly detail: string;
      readonly raw: string;
    };

/** The text xiaozhi-esp32-server sends before closing a connection with a bad token. */
export const AUTH_FAILED_TEXT = '认证失败';

function clip(raw: string): string {
  return raw.length > RAW_TEXT_LIMIT ? `${raw.slice(0, RAW_TEXT_LIMIT)}…` : raw;
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[' || first === '"';
}

function isKnownType(type: string): type is ServerMessageType {
  return Object.hasOwn(serverMessageSchemas, type);
}

/** Parse one text frame from the server. */
export function parseServerText(raw: string): InboundFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    if (!looksLikeJson(raw)) return { kind: 'text', text: clip(raw) };
    return { kind: 'invalid', reason: 'json', detail: String(error), raw: clip(raw) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // XS echoes bare numbers and strings back; they are diagnostic text, not messages.
    return typeof value === 'number' || typeof value === 'string'
      ? { kind: 'text', text: clip(raw) }
      : { kind: 'invalid', reason: 'not_object', detail: 'not a JSON object', raw: clip(raw) };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { kind: 'invalid', reason: 'no_type', detail: 'no string "type"', raw: clip(raw) };
  }
  if (!isKnownType(type)) return { kind: 'unknown', type, raw: clip(raw) };
  const result = serverMessageSchemas[type].safeParse(value);
  if (!result.success) {
    const detail = result.error.issues
      .map((issue) => `${issue.path.join('.') || type}: ${issue.message}`)
      .join('; ');
    return { kind: 'invalid', reason: 'schema', detail, raw: clip(raw) };
  }
  return { kind: 'message', message: result.data as ServerMessage, raw: clip(raw) };
}
