/**
 * Device activation (docs/protocol.md §7.3). The OTA answer has a 6-digit code; the person enters
 * it in the console (xiaozhi.me or the self-hosted control panel) while Lumi polls
 * `<ota>/activate` with the firmware's signed body: 202 = not yet, 200 = bound, anything else =
 * an error to retry later. Afterwards the caller runs the OTA check again for the token.
 */
import { nodeCrypto } from '../util/crypto.ts';
import type { DeviceIdentity } from '../store/identity.ts';
import { MINUTE, SECOND, systemClock, type Clock } from '../util/clock.ts';
import {
  OTA_TIMEOUT_MS,
  OtaError,
  otaHeaders,
  postDeviceRequest,
  type OtaActivation,
} from './ota-client.ts';
import { sleep } from './retry.ts';

/** The firmware polls again 3 s after a 202 … */
export const ACTIVATION_POLL_MS = 3 * SECOND;
/** … and 10 s after any other answer. */
export const ACTIVATION_ERROR_RETRY_MS = 10 * SECOND;
/** Each poll request; the OTA check's limit. */
export const ACTIVATION_REQUEST_TIMEOUT_MS = OTA_TIMEOUT_MS;
/** Long enough to find the console, log in and type a code; py-xiaozhi gives 5 minutes. */
export const ACTIVATION_TIMEOUT_MS = 10 * MINUTE;

export interface ActivationPrompt {
  readonly code: string;
  readonly message: string;
  /** Where to enter the code, if the server's message names a place. */
  readonly consoleUrl: string | null;
}

/**
 * The server's message is cut into words at white space and Chinese punctuation (，。、 written
 * as escapes: the bundles stay ASCII); a word is the console address when it is a URL, a dotted
 * IPv4 address or a domain name. Splitting first and matching each word anchored keeps the cost
 * linear in the message: an unanchored search for a domain name is quadratic on a long run of
 * letters, and an OTA answer may be 256 KB of whatever the server sends.
 */
const WORD_SEPARATORS = /[\s\uff0c\u3002\u3001]+/;
/** No console address is longer; longer words are skipped unread. */
const MAX_ADDRESS_LENGTH = 2_048;
const URL_WORD = /^https?:\/\/\S+$/i;
const IPV4_WORD = /^(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?:\/\S*)?$/;
const DOMAIN_WORD = /^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d{1,5})?(?:\/\S*)?$/i;

/** The first word of `text` that names an address, or null. */
function addressIn(text: string): string | null {
  for (const word of text.split(WORD_SEPARATORS)) {
    if (word.length === 0 || word.length > MAX_ADDRESS_LENGTH) continue;
    if (URL_WORD.test(word) || IPV4_WORD.test(word) || DOMAIN_WORD.test(word)) return word;
  }
  return null;
}

/**
 * What the UI shows: the code and where to enter it. xiaozhi.me says `xiaozhi.me\n123456`; the
 * control panel says `<its address>\n<code>`. A bare name gets https, an IP or a port http
 * (self-hosted panels rarely have certificates).
 */
export function activationPrompt(activation: OtaActivation): ActivationPrompt {
  const found = addressIn(activation.message);
  let consoleUrl: string | null = null;
  if (found !== null) {
    const plainHttp = IPV4_WORD.test(found) || /:\d{1,5}(?:\/|$)/.test(found);
    consoleUrl = /^https?:\/\//i.test(found) ? found : `${plainHttp ? 'http' : 'https'}://${found}`;
  }
  return { code: activation.code, message: activation.message, consoleUrl };
}

/** `<ota url>activate`, with the slash inserted if the OTA URL lacks it (§7.3). */
export function activateUrl(otaUrl: string): string {
  const url = new URL(otaUrl);
  url.pathname = `${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}activate`;
  return url.toString();
}

/** HMAC-SHA256 of the challenge under the device key, lowercase hex (the firmware's KEY0 role). */
export function activationHmac(deviceKeyHex: string, challenge: string): string {
  return nodeCrypto()
    .createHmac('sha256', Buffer.from(deviceKeyHex, 'hex'))
    .update(challenge)
    .digest('hex');
}

/** The firmware's v2 activation payload, unwrapped (py-xiaozhi wraps it in `Payload`). */
export function activationBody(identity: DeviceIdentity, deviceKeyHex: string, challenge: string) {
  return {
    algorithm: 'hmac-sha256',
    serial_number: identity.serialNumber,
    challenge,
    hmac: activationHmac(deviceKeyHex, challenge),
  };
}

export class ActivationError extends Error {
  readonly kind: 'timeout' | 'aborted';
  constructor(kind: 'timeout' | 'aborted', message: string) {
    super(message);
    this.name = 'ActivationError';
    this.kind = kind;
  }
}

export interface ActivationPoll {
  readonly attempt: number;
  /** HTTP status, or null when the request itself failed. */
  readonly status: number | null;
  readonly error: string | null;
}

export interface ActivationOptions {
  readonly otaUrl: string;
  readonly identity: DeviceIdentity;
  /** The profile's HMAC key (64 hex). */
  readonly deviceKey: string;
  readonly appVersion: string;
  readonly language?: string;
  /** From the OTA answer; servers without one get the empty string signed. */
  readonly challenge: string | null;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly pollIntervalMs?: number;
  readonly errorRetryMs?: number;
  readonly timeoutMs?: number;
  /** Per request. */
  readonly requestTimeoutMs?: number;
  readonly onPoll?: (poll: ActivationPoll) => void;
}

/**
 * Poll until the server says the device is bound. Resolves on 200; throws ActivationError on
 * the overall timeout or when `signal` aborts.
 */
export async function waitForActivation(options: ActivationOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + (options.timeoutMs ?? ACTIVATION_TIMEOUT_MS);
  const url = activateUrl(options.otaUrl);
  const headers = otaHeaders(options.identity, options.appVersion, options.language);
  const body = activationBody(options.identity, options.deviceKey, options.challenge ?? '');
  const aborted = () => new ActivationError('aborted', 'Activation was cancelled.');
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw aborted();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const remaining = Math.max(1, deadline - clock.now());
      ({ status } = await postDeviceRequest({
        url,
        headers,
        body,
        clock,
        timeoutMs: Math.min(options.requestTimeoutMs ?? ACTIVATION_REQUEST_TIMEOUT_MS, remaining),
        ...(options.signal ? { signal: options.signal } : {}),
      }));
    } catch (failure) {
      if (failure instanceof OtaError && failure.kind === 'aborted') throw aborted();
      error = failure instanceof Error ? failure.message : String(failure);
    }
    options.onPoll?.({ attempt, status, error });
    if (status === 200) return;
    const wait =
      status === 202
        ? (options.pollIntervalMs ?? ACTIVATION_POLL_MS)
        : (options.errorRetryMs ?? ACTIVATION_ERROR_RETRY_MS);
    if (clock.now() + wait >= deadline) {
      throw new ActivationError(
        'timeout',
        'The device was not activated in time. Enter the code in the console, then try again.',
      );
    }
    try {
      await sleep(wait, clock, options.signal);
    } catch {
      throw aborted();
    }
  }
}
