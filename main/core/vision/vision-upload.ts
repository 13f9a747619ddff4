/**
 * The vision side channel (docs/protocol.md §4.5): the picture goes as `multipart/form-data`,
 * field `question` then field `file` (`camera.jpg`, `image/jpeg`), to the `vision.url` the
 * server named in MCP `initialize`, with `Authorization: Bearer <vision.token>`, `Device-Id`
 * and `Client-Id`. xiaozhi-esp32-server answers
 * `{"success":true,"action":"RESPONSE","response":"…"}` or `{"success":false,"message":"…"}`.
 * Every failure is an Error whose message the server's model reads as the tool's result.
 */

/** Where the picture goes and as whom (the WebSocket session's own identity). */
export interface VisionTarget {
  readonly url: string;
  readonly token: string | null;
  readonly deviceId: string;
  readonly clientId: string;
  /** The WebSocket URL of the session that named the endpoint (for the downgrade check). */
  readonly sessionUrl: string;
}

/** The longest answer read: an explanation is a paragraph, not megabytes for the model. */
export const VISION_ANSWER_MAX_BYTES = 64 * 1024;
const HTTP_UNAUTHORIZED = 401;

/**
 * The endpoint as a URL, or an Error: only http(s), never credentials in it, and never plain
 * http when the session itself is encrypted (the picture and the token would travel in clear).
 */
export function checkVisionUrl(target: Pick<VisionTarget, 'url' | 'sessionUrl'>): URL {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new Error('The vision endpoint the server named is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The vision endpoint must be http(s), not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('The vision endpoint URL carries credentials; refused');
  }
  if (url.protocol === 'http:' && target.sessionUrl.startsWith('wss:')) {
    throw new Error('Refused: the vision endpoint is plain http:// on an encrypted wss:// session');
  }
  return url;
}

/** Read at most `limit` bytes of the body; an Error when it is longer. */
async function readCapped(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`The vision answer is larger than ${limit / 1024} KB; not read`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The answer text out of XS's JSON; any other body is passed on as it is, as the firmware does. */
function answerOf(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof parsed !== 'object' || parsed === null || !('success' in parsed)) return body;
  if (parsed.success === true && 'response' in parsed && typeof parsed.response === 'string') {
    return parsed.response;
  }
  const message = 'message' in parsed && typeof parsed.message === 'string' ? parsed.message : '';
  throw new Error(`The vision endpoint could not explain the picture: ${message || body}`);
}

/** POST the picture and return the endpoint's answer; aborts with `signal`. */
export async function explainPicture(
  target: VisionTarget,
  question: string,
  jpeg: Uint8Array,
  signal: AbortSignal,
): Promise<string> {
  const url = checkVisionUrl(target);
  const form = new FormData();
  form.append('question', question);
  form.append('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'camera.jpg');
  const headers: Record<string, string> = {
    'Device-Id': target.deviceId,
    'Client-Id': target.clientId,
  };
  if (target.token !== null) headers['Authorization'] = `Bearer ${target.token}`;
  signal.throwIfAborted();
  const response = await fetch(url, { method: 'POST', body: form, headers, signal });
  if (response.status === HTTP_UNAUTHORIZED) {
    await response.body?.cancel();
    throw new Error('The server refused the vision token (HTTP 401)');
  }
  const body = await readCapped(response, VISION_ANSWER_MAX_BYTES);
  if (!response.ok) {
    // XS puts its reason in the JSON even on an error status.
    answerOf(body);
    throw new Error(`The vision endpoint answered HTTP ${response.status}`);
  }
  return answerOf(body);
}
