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
/**
 * Deepest nesting of objects and arrays a frame may have. Real frames nest a handful of levels
 * (an MCP `tools/call`: frame, payload, params, arguments, then the arguments' own values); a
 * frame nested 200 000 deep parses fine but overflows the stack of everything recursive after
 * it (JSON.stringify, structured clone over IPC, validators), so it is refused unparsed.
 */
export const MAX_JSON_DEPTH = 64;

export type InboundFrame =
  | { readonly kind: 'message'; readonly message: ServerMessage; readonly raw: string }
  /** A text frame that is not JSON at all. */
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'unknown'; readonly type: string; readonly raw: string }
  | {
      readonly kind: 'invalid';
      readonly reason: 'json' | 'not_object' | 'no_type' | 'schema' | 'too_deep';
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * True when `text`, read as JSON, opens objects and arrays deeper than `limit` (brackets inside
 * strings do not count). One pass, no allocation; it stops at the first level too deep.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

function isKnownType(type: string): type is ServerMessageType {
  return Object.hasOwn(serverMessageSchemas, type);
}

/** Parse one text frame from the server. */
export function parseServerText(raw: string): InboundFrame {
  if (looksLikeJson(raw) && nestsDeeperThan(raw, MAX_JSON_DEPTH)) {
    const detail = `nested deeper than ${MAX_JSON_DEPTH} levels`;
    return { kind: 'invalid', reason: 'too_deep', detail, raw: clip(raw) };
  }
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
