import { describe, expect, it } from 'vitest';
import { endpointOf, socketProblem } from '../../../main/core/connection/socket-errors.ts';
import type { Problem } from '../../../shared/problems.ts';

const endpoint = { host: 'xiaozhi.local', port: 8000 };

function systemError(code: string, message = `${code} something`): Error {
  return Object.assign(new Error(message), { code });
}

describe('socketProblem', () => {
  it.each<[string, Error, Problem]>([
    ['refused', systemError('ECONNREFUSED'), { code: 'refused', ...endpoint }],
    ['unknown host', systemError('ENOTFOUND'), { code: 'dnsFailed', host: 'xiaozhi.local' }],
    ['DNS down', systemError('EAI_AGAIN'), { code: 'dnsUnavailable', host: 'xiaozhi.local' }],
    ['timeout', systemError('ETIMEDOUT'), { code: 'connectTimedOut', ...endpoint }],
    ['reset', systemError('ECONNRESET'), { code: 'connectionReset' }],
    [
      'self-signed',
      systemError('DEPTH_ZERO_SELF_SIGNED_CERT'),
      { code: 'certSelfSigned', host: 'xiaozhi.local' },
    ],
    [
      'another TLS code',
      systemError('ERR_SSL_WRONG_VERSION_NUMBER'),
      { code: 'certRejected', host: 'xiaozhi.local', detail: 'ERR_SSL_WRONG_VERSION_NUMBER' },
    ],
    [
      'the ws handshake timeout',
      new Error('Opening handshake has timed out'),
      { code: 'handshakeTimedOut', seconds: 10 },
    ],
    ['anything else', new Error('boom'), { code: 'socketError', detail: 'boom' }],
  ])('%s', (_name, error, problem) => {
    expect(socketProblem(error, endpoint)).toEqual(problem);
  });
});

describe('endpointOf', () => {
  it('takes the written port, or the scheme’s default', () => {
    expect(endpointOf('ws://127.0.0.1:9/xiaozhi/v1/')).toEqual({ host: '127.0.0.1', port: 9 });
    expect(endpointOf('wss://api.tenclass.net/xiaozhi/v1/')).toEqual({
      host: 'api.tenclass.net',
      port: 443,
    });
    expect(endpointOf('ws://example.test/')).toEqual({ host: 'example.test', port: 80 });
  });
});
