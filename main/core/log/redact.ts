/**
 * Redaction for everything Lumi logs. Tokens reach the log through many doors (a header map, a
 * raw OTA response body, an error message quoting a URL, a nested options object), so the
 * logger runs every field through here: secret-named keys lose their values anywhere in a
 * structure, and secret-shaped text is masked inside any string.
 */

export const REDACTED = '[redacted]';

/** Structures deeper than this are cut; log fields are small, so this only stops cycles of Maps. */
const MAX_DEPTH = 8;

/** A key is secret when one of its words is one of these (`deviceKey`, `auth_token`, `hmac`). */
const SECRET_WORDS = new Set([
  'token',
  'password',
  'passwd',
  'secret',
  'key',
  'hmac',
  'authorization',
  'cookie',
  'credential',
  'credentials',
  // The MQTT user name from OTA is part of the device's credentials (base64 of the device's
  // details on XS), as secret as its password (docs/protocol.md §7.2).
  'username',
]);

/**
 * Secret-shaped text. The order matters: header and JSON forms go first so that their whole
 * value is masked, not only the part a later pattern would recognise.
 */
const TEXT_PATTERNS: readonly (readonly [RegExp, string])[] = [
  // `Authorization: Bearer abc`, `authorization=Bearer%20abc` (XS accepts the token as a query parameter).
  [/\b(authorization\s*[:=]\s*)("?)[^\s"&,;]+(?:(?:\s|%20)+[^\s"&,;]+)?/gi, `$1$2${REDACTED}`],
  [/\b(Bearer)(\s+|%20)[A-Za-z0-9._~+/=-]+/g, `$1$2${REDACTED}`],
  [/\b(Basic)(\s+|%20)[A-Za-z0-9+/=]{8,}/g, `$1$2${REDACTED}`],
  // `"token":"…"` inside a raw JSON body that is being logged as text.
  [
    /("[A-Za-z_]*(?:token|password|username|secret|key|hmac|authorization)[A-Za-z_]*"\s*:\s*")(?:[^"\\]|\\.)*"/gi,
    `$1${REDACTED}"`,
  ],
  // `token=…`, `password=…` in query strings and `key: value` text.
  [
    /\b([A-Za-z_]*(?:token|password|secret|hmac)[A-Za-z_]*\s*[=:]\s*)(?!(?:true|false|null)\b)[^\s"&,;]+/gi,
    `$1${REDACTED}`,
  ],
  // `key=…`, `api_key=…`, `apikey=…` in query strings (only with `=`: `key:` is too common in
  // plain text, e.g. "hotkey: F9"), and `X-Api-Key: …` headers.
  [/\b([A-Za-z_]*key\s*=\s*)[^\s"&,;]+/gi, `$1${REDACTED}`],
  [/\b(api[-_]?key\s*:\s*)[^\s"&,;]+/gi, `$1${REDACTED}`],
  // Bare JWTs: base64url of `{"…` (so `eyJ`), a payload and a signature (empty for `alg: none`).
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  // xiaozhi HMAC tokens: base64url(HMAC-SHA256) "." unix seconds (docs/protocol.md §1.3).
  [/[A-Za-z0-9_-]{43}\.\d{9,11}\b/g, REDACTED],
  // 32-byte keys and HMAC digests in hex (device keys, activation HMACs).
  [/\b[0-9a-fA-F]{64}\b/g, REDACTED],
];

function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => SECRET_WORDS.has(word));
}

/** `hasToken: true`, `token: null`, `maxTokens: 512` say nothing about a secret's value. */
function isHarmless(value: unknown): boolean {
  return (
    value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number'
  );
}

/** Mask secret-shaped parts of a piece of text. */
export function redactText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) {
    result = result.replace(pattern, replacement);
  }
  return result;
}

function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: error.name,
    message: redactText(error.message),
  };
  if (error.stack) out['stack'] = redactText(error.stack);
  for (const [key, value] of Object.entries(error)) {
    out[key] =
      isSecretKey(key) && !isHarmless(value) ? REDACTED : redactValue(value, depth + 1, seen);
  }
  if (error.cause !== undefined) out['cause'] = redactValue(error.cause, depth + 1, seen);
  return out;
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  }
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactError(value, depth, seen);
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    const entries =
      value instanceof Map
        ? [...value.entries()].map(([key, item]) => [String(key), item] as const)
        : value instanceof Headers
          ? [...value.entries()]
          : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      out[key] =
        isSecretKey(key) && !isHarmless(item) ? REDACTED : redactValue(item, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * A copy of `value` that is safe to write to a log: secret-named keys masked at any depth,
 * secret-shaped text masked in every string (error messages and stacks included), cycles cut.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}
