/**
 * The OTA check, made exactly as the firmware makes it (docs/protocol.md §7.1): POST with the
 * device headers and a firmware-like JSON body. The answer (§7.2) gives the WebSocket URL and
 * token, maybe an activation code, MQTT details and the server time; `firmware` is ignored, a
 * desktop app does not flash itself. Every failure becomes an OtaError with a plain message.
 */
import { nodeCrypto } from '../util/crypto.ts';
import * as z from '../util/zod.ts';
import type { DeviceIdentity } from '../store/identity.ts';
import { parseMqttSection, type MqttEndpoint } from './mqtt-section.ts';
import { SECOND, systemClock, type Clock } from '../util/clock.ts';

/** The same 10 s the firmware allows its handshake and hello (docs/protocol.md §2.3). */
export const OTA_TIMEOUT_MS = 10 * SECOND;
/** OTA answers are a few hundred bytes; anything past this is not one. */
export const MAX_ANSWER_BYTES = 256 * 1024;
export const CLIENT_NAME = 'lumi-desktop';
/**
 * Redirects followed before giving up (fetch's own limit is 20; an OTA endpoint that moved has
 * no reason to bounce more than once or twice).
 */
export const MAX_REDIRECTS = 5;
const DEFAULT_LANGUAGE = 'zh-CN';

export type OtaErrorKind =
  /** Nothing listens at that host and port. */
  | 'refused'
  /** The host name does not resolve. */
  | 'dns'
  /** Network down, host unreachable, connection reset. */
  | 'network'
  /** Certificate problems (self-signed, expired, wrong name). */
  | 'tls'
  | 'timeout'
  | 'aborted'
  /** A non-200 HTTP status. */
  | 'http'
  /** 200, but the body is not JSON. */
  | 'badJson'
  /** The server refused the device in its JSON (`{"success":false}`, `{"error":…}`). */
  | 'rejected'
  /** JSON, but not an OTA answer Lumi can use. */
  | 'badResponse'
  /** A redirect to another scheme (`detail` is where to), e.g. https → http: not followed. */
  | 'redirect'
  /** More than MAX_REDIRECTS redirects. */
  | 'tooManyRedirects';

export class OtaError extends Error {
  readonly kind: OtaErrorKind;
  readonly status: number | null;
  /** The system error code underneath (ECONNREFUSED, CERT_HAS_EXPIRED, …). */
  readonly code: string | null;
  /**
   * What the server said (`rejected`), what is wrong with its answer (`badResponse`), or the
   * network's error (`network`).
   */
  readonly detail: string | null;
  constructor(
    kind: OtaErrorKind,
    message: string,
    status: number | null = null,
    code: string | null = null,
    detail: string | null = null,
  ) {
    super(message);
    this.name = 'OtaError';
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export interface OtaActivation {
  /** The 6-digit code the user enters in the console. */
  readonly code: string;
  /** The server's text, usually `<console address>\n<code>`. */
  readonly message: string;
  /** To be signed with the device key; the control panel uses the Device-Id. */
  readonly challenge: string | null;
  readonly timeoutMs: number | null;
}

export interface OtaResult {
  readonly websocket: {
    readonly url: string;
    /** null when the server hands out none (auth off, or an old control panel, §8.14). */
    readonly token: string | null;
    /** Binary framing version for `Protocol-Version` and the hello (§5.2). */
    readonly protocolVersion: 1 | 2 | 3;
  } | null;
  readonly activation: OtaActivation | null;
  /** Present when the server offers MQTT+UDP (the firmware then prefers it, §7.2). */
  readonly mqtt: MqttEndpoint | null;
  readonly serverTime: {
    readonly timestamp: number;
    readonly timezoneOffsetMinutes: number | null;
  } | null;
}

const OtaAnswerSchema = z.object({
  websocket: z.optional(
    z.object({
      url: z.string().check(z.regex(/^wss?:\/\/\S+$/i)),
      token: z.nullish(z.string()),
      version: z.optional(z.unknown()),
    }),
  ),
  activation: z.optional(
    z.object({
      code: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
      message: z.optional(z.string()),
      challenge: z.optional(z.string()),
      timeout_ms: z.optional(z.number()),
    }),
  ),
  mqtt: z.optional(z.record(z.string(), z.unknown())),
  server_time: z.optional(
    z.object({ timestamp: z.number(), timezone_offset: z.optional(z.number()) }),
  ),
});

/** What the firmware sends as the OTA headers (§7.1); the same go to `/activate`. */
export function otaHeaders(
  identity: DeviceIdentity,
  appVersion: string,
  language = DEFAULT_LANGUAGE,
): Record<string, string> {
  return {
    // "2" is what firmware with an eFuse serial number sends; Lumi always has a serial.
    'Activation-Version': '2',
    'Device-Id': identity.deviceId,
    'Client-Id': identity.clientId,
    'Serial-Number': identity.serialNumber,
    'User-Agent': `${CLIENT_NAME}/${appVersion}`,
    'Accept-Language': language,
    'Content-Type': 'application/json',
  };
}

/**
 * A firmware-like system-info body (§7.1). Servers key on `application.version` (the control
 * panel throws without `application`), `board.type` and `mac_address`.
 */
export function otaBody(
  identity: DeviceIdentity,
  appVersion: string,
  language = DEFAULT_LANGUAGE,
  platform = `${process.platform}-${process.arch}`,
): Record<string, unknown> {
  return {
    version: 2,
    language,
    mac_address: identity.deviceId,
    uuid: identity.clientId,
    chip_model_name: platform,
    application: {
      name: CLIENT_NAME,
      version: appVersion,
      // Stands in for the firmware image hash: stable per release, says nothing about the device.
      elf_sha256: nodeCrypto()
        .createHash('sha256')
        .update(`${CLIENT_NAME}/${appVersion}`)
        .digest('hex'),
    },
    board: { type: CLIENT_NAME, name: CLIENT_NAME, mac: identity.deviceId },
  };
}

export interface OtaRequestOptions {
  readonly url: string;
  readonly identity: DeviceIdentity;
  readonly appVersion: string;
  /** `zh-CN`, `en-US`, … (the firmware sends its UI language). */
  readonly language?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

const errorCode = (error: unknown): string | null => {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : null;
};

/** Turn what `fetch` threw into an OtaError. */
export function describeFetchFailure(url: string, error: unknown): OtaError {
  const code = errorCode(error);
  const where = URL.parse(url)?.host ?? url;
  if (code === 'ECONNREFUSED') {
    return new OtaError(
      'refused',
      `Connection refused by ${where}: nothing is listening on that port.`,
      null,
      code,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new OtaError('dns', `The server name in ${url} could not be resolved.`, null, code);
  }
  if (code !== null && (/CERT|SSL|TLS|SIGNATURE/.test(code) || code.startsWith('ERR_TLS'))) {
    return new OtaError(
      'tls',
      `The certificate of ${where} was not accepted (${code}).`,
      null,
      code,
    );
  }
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  return new OtaError('network', `Could not reach ${where} (${detail}).`, null, code, detail);
}

function httpError(status: number, url: string): OtaError {
  const hint =
    status === 404
      ? ' The path is wrong: an OTA address usually ends in /xiaozhi/ota/.'
      : status >= 500
        ? ' The server failed; its log says why.'
        : '';
  return new OtaError('http', `The OTA server at ${url} answered HTTP ${status}.${hint}`, status);
}

/** Parse the body of a 200 OTA answer (§7.2). Throws OtaError. */
export function parseOtaAnswer(text: string, url: string): OtaResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const start = text.trim().slice(0, 60);
    const quoted = start ? ` ("${start}")` : '';
    throw new OtaError('badJson', `The answer from ${url} is not JSON${quoted}.`, 200);
  }
  if (typeof json === 'object' && json !== null) {
    const record = json as Record<string, unknown>;
    // XS without Device-Id/Client-Id: {"success":false,"message":"request error."} (still 200);
    // the control panel with a malformed Device-Id: {"error":"Invalid device ID"} (§7.2).
    if (record['success'] === false || typeof record['error'] === 'string') {
      const said = String(record['message'] ?? record['error'] ?? 'no reason given');
      throw new OtaError(
        'rejected',
        `The OTA server refused this device: ${said}`,
        200,
        null,
        said,
      );
    }
  }
  const parsed = OtaAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new OtaError(
      'badResponse',
      `The OTA answer from ${url} is not usable (${detail}).`,
      200,
      null,
      detail,
    );
  }
  const { websocket, activation, mqtt, server_time: time } = parsed.data;
  const version = Number(websocket?.version ?? 1);
  return {
    websocket: websocket
      ? {
          url: websocket.url,
          token: websocket.token ? websocket.token : null,
          protocolVersion: version === 2 || version === 3 ? version : 1,
        }
      : null,
    activation: activation
      ? {
          code: activation.code,
          message: activation.message ?? activation.code,
          challenge: activation.challenge ?? null,
          timeoutMs: activation.timeout_ms ?? null,
        }
      : null,
    mqtt: mqtt ? parseMqttSection(mqtt) : null,
    serverTime: time
      ? { timestamp: time.timestamp, timezoneOffsetMinutes: time.timezone_offset ?? null }
      : null,
  };
}

/** The body as text, refusing to buffer more than MAX_ANSWER_BYTES. */
async function readLimited(response: Response, url: string): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream, so the rest is never downloaded.
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      throw new OtaError('badResponse', `The answer from ${url} is too large to be an OTA answer.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * `fetch`, following at most MAX_REDIRECTS redirects and only those that keep the scheme: fetch's
 * own `redirect: 'follow'` would take an https request to http, where the answer (with its
 * token) can be read and changed on the way. Methods change as fetch changes them: 303, and 301
 * or 302 after a POST, become a GET without a body.
 */
async function fetchSameScheme(url: string, init: RequestInit): Promise<Response> {
  let current = new URL(url);
  let request: RequestInit = { ...init, redirect: 'manual' };
  for (let redirects = 0; ; redirects += 1) {
    const response = await fetch(current.href, request);
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.protocol !== current.protocol) {
      throw new OtaError(
        'redirect',
        `The OTA server at ${url} redirected to ${next.href}, another scheme; not followed.`,
        response.status,
        null,
        next.href,
      );
    }
    if (redirects >= MAX_REDIRECTS) {
      throw new OtaError(
        'tooManyRedirects',
        `The OTA server at ${url} redirected more than ${MAX_REDIRECTS} times.`,
        response.status,
      );
    }
    const toGet = response.status === 303 || (response.status <= 302 && request.method === 'POST');
    if (toGet) {
      const { body: _body, ...rest } = request;
      request = { ...rest, method: 'GET' };
    }
    current = next;
  }
}

/**
 * POST `url` with our headers and `body`, with a timeout and the caller's abort signal; the
 * response and its text, or an OtaError. Shared by the OTA check and the activation poll.
 */
export async function postDeviceRequest(
  options: Omit<OtaRequestOptions, 'identity' | 'appVersion'> & {
    readonly headers: Record<string, string>;
    readonly body: unknown;
  },
): Promise<{ status: number; text: string }> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? OTA_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const signal = options.signal
    ? AbortSignal.any([options.signal, controller.signal])
    : controller.signal;
  try {
    const response = await fetchSameScheme(options.url, {
      method: 'POST',
      headers: options.headers,
      body: JSON.stringify(options.body),
      signal,
    });
    return { status: response.status, text: await readLimited(response, options.url) };
  } catch (error) {
    if (error instanceof OtaError) throw error;
    if (timedOut) {
      throw new OtaError(
        'timeout',
        `${options.url} did not answer within ${Math.round(timeoutMs / SECOND)} s.`,
      );
    }
    if (options.signal?.aborted) throw new OtaError('aborted', 'The request was cancelled.');
    throw describeFetchFailure(options.url, error);
  } finally {
    clock.clearTimeout(timer);
  }
}

/** Run the OTA check. Throws OtaError. */
export async function requestOta(options: OtaRequestOptions): Promise<OtaResult> {
  const { status, text } = await postDeviceRequest({
    ...options,
    headers: otaHeaders(options.identity, options.appVersion, options.language),
    body: otaBody(options.identity, options.appVersion, options.language),
  });
  if (status !== 200) throw httpError(status, options.url);
  return parseOtaAnswer(text, options.url);
}
