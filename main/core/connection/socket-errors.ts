/** Plain words for the errors a socket meets, so users see a cause and not a stack. */

const PLAIN: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused: nothing is listening at that address and port.',
  ENOTFOUND: 'The server name could not be resolved (check the host name).',
  EAI_AGAIN: 'The server name could not be resolved right now (DNS or network down).',
  ETIMEDOUT: 'The connection timed out.',
  ECONNRESET: 'The connection was reset by the server or the network.',
  EHOSTUNREACH: 'The server is unreachable from this network.',
  ENETUNREACH: 'The network is unreachable.',
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'The server uses a self-signed certificate; add its CA in the profile.',
  SELF_SIGNED_CERT_IN_CHAIN:
    'The server certificate chain is self-signed; add its CA in the profile.',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'The server certificate cannot be verified; add its CA in the profile.',
  CERT_HAS_EXPIRED: 'The server certificate has expired.',
  ERR_TLS_CERT_ALTNAME_INVALID: 'The server certificate does not match the host name.',
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'The server sent a message larger than Lumi accepts.',
};

/** One line describing an error, plain when the code is known. */
export function describeSocketError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code && PLAIN[code]) return PLAIN[code];
    if (error.message.includes('Opening handshake has timed out')) {
      return 'The WebSocket handshake timed out (10 s).';
    }
    return error.message;
  }
  return String(error);
}
