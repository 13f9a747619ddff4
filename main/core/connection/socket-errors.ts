/** The errors a socket meets, as problems, so users see a cause (in their language), not a stack. */
import type { Problem } from '../../../shared/problems.ts';
import { HANDSHAKE_TIMEOUT } from './options.ts';

/** Where the socket was going, for the problem's words. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

type Describe = (endpoint: Endpoint) => Problem;

/** System and `ws` error codes we have words for. */
const KNOWN: Readonly<Record<string, Describe>> = {
  ECONNREFUSED: ({ host, port }) => ({ code: 'refused', host, port }),
  ENOTFOUND: ({ host }) => ({ code: 'dnsFailed', host }),
  EAI_AGAIN: ({ host }) => ({ code: 'dnsUnavailable', host }),
  ETIMEDOUT: ({ host, port }) => ({ code: 'connectTimedOut', host, port }),
  ECONNRESET: () => ({ code: 'connectionReset' }),
  EHOSTUNREACH: ({ host }) => ({ code: 'hostUnreachable', host }),
  ENETUNREACH: () => ({ code: 'networkUnreachable' }),
  DEPTH_ZERO_SELF_SIGNED_CERT: ({ host }) => ({ code: 'certSelfSigned', host }),
  SELF_SIGNED_CERT_IN_CHAIN: ({ host }) => ({ code: 'certSelfSigned', host }),
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ({ host }) => ({ code: 'certUntrusted', host }),
  CERT_HAS_EXPIRED: ({ host }) => ({ code: 'certExpired', host }),
  ERR_TLS_CERT_ALTNAME_INVALID: ({ host }) => ({ code: 'certHostMismatch', host }),
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: () => ({ code: 'messageTooLarge' }),
};

const TLS_CODE = /CERT|SSL|TLS|SIGNATURE/;

/** The problem a socket error stands for; the system's text when we have no words for it. */
export function socketProblem(
  error: unknown,
  endpoint: Endpoint,
  handshakeTimeoutMs = HANDSHAKE_TIMEOUT,
): Problem {
  if (!(error instanceof Error)) return { code: 'socketError', detail: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  const known = code === undefined ? undefined : KNOWN[code];
  if (known) return known(endpoint);
  if (code !== undefined && TLS_CODE.test(code)) {
    return { code: 'certRejected', host: endpoint.host, detail: code };
  }
  if (error.message.includes('Opening handshake has timed out')) {
    return { code: 'handshakeTimedOut', seconds: Math.ceil(handshakeTimeoutMs / 1000) };
  }
  return { code: 'socketError', detail: error.message };
}

/** Host and port of a ws:// or wss:// URL (the scheme's default port when none is written). */
export function endpointOf(url: string): Endpoint {
  const parsed = URL.parse(url);
  if (!parsed) return { host: url, port: 0 };
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'wss:' ? 443 : 80;
  return { host: parsed.hostname, port };
}
