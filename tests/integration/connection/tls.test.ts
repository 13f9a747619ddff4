/**
 * wss:// to a self-hosted server whose certificate comes from the user's own CA: refused with a
 * plain message while the CA is unknown (TLS stays verified), accepted once the profile trusts it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Connection } from '../../../main/core/connection/connection.ts';

let dir = '';
let server: Server | undefined;
let port = 0;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lumi-tls-'));
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Lumi Test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ]);
  // Node checks the subject alternative name, not the CN.
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  ]);
  const https = createServer({
    key: readFileSync(join(dir, 'server.key')),
    cert: readFileSync(join(dir, 'server.pem')),
  });
  server = https;
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (socket) =>
    socket.on('message', () =>
      socket.send(
        JSON.stringify({ type: 'hello', transport: 'websocket', session_id: 'tls-session' }),
      ),
    ),
  );
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  port = (https.address() as AddressInfo).port;
});

afterAll(async () => {
  const https = server;
  if (!https) return;
  https.closeAllConnections();
  await new Promise((resolve) => https.close(resolve));
});

function connect(ca: string | null): Promise<Connection['state']> {
  const connection = new Connection({
    url: `wss://127.0.0.1:${port}/xiaozhi/v1/`,
    token: null,
    deviceId: '02:4c:55:4d:49:0e',
    clientId: '0e0e0e0e-1f1f-4a4a-8b8b-9c9c9c9c9c9c',
    ca,
    backoff: { firstDelayMs: 20, maxDelayMs: 40, maxAttempts: 1, slowRetryMs: 60_000 },
  });
  return new Promise((resolve) => {
    connection.on('stateChanged', (_previous, next) => {
      if (next.kind === 'ready' || next.kind === 'failed') {
        connection.disconnect();
        resolve(next);
      }
    });
    connection.connect();
  });
}

describe('wss:// with a custom CA', () => {
  it('refuses an unknown CA with a plain hint: TLS is verified', async () => {
    const state = await connect(null);
    expect(state.kind).toBe('failed');
    expect(state.kind === 'failed' && state.cause.code).toMatch(/^cert/);
  });

  it('connects once the profile trusts the CA', async () => {
    const state = await connect(readFileSync(join(dir, 'ca.pem'), 'utf8'));
    expect(state).toMatchObject({ kind: 'ready', sessionId: 'tls-session' });
  });
});
