/**
 * The browser preview bridge's secret. Host and Origin checks keep web pages out, but any local
 * process can send `Origin: http://127.0.0.1:<port>`, and the bridge hands out the whole window
 * API (exports, tokens kept unencrypted by the preview; issue 11, finding 11). So the bridge
 * also wants a secret that only the page the host printed knows:
 *
 * - kept in the data folder, 0600, so a page that reloads after a host restart still gets in;
 * - handed to the page in the URL fragment (`#token=…`), which browsers never send to a server
 *   or put in a Referer;
 * - sent back by the page as a WebSocket subprotocol (the one header a browser page may set on
 *   an upgrade), beside the bridge's own protocol name;
 * - compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { writeFileAtomic } from '../core/store/safe-file.ts';
import { BRIDGE_SECRET_PROTOCOL_PREFIX } from './bridge-protocol.ts';

export const BRIDGE_SECRET_FILE = 'preview-bridge.secret';
/** 32 random bytes, base64url: 43 characters, all valid in a subprotocol name. */
const SECRET_BYTES = 32;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const FILE_MODE = 0o600;

/** The data folder's bridge secret, made on first use; a damaged one is replaced. */
export function loadBridgeSecret(dataDir: string): string {
  const path = join(dataDir, BRIDGE_SECRET_FILE);
  if (existsSync(path)) {
    const kept = readFileSync(path, 'utf8').trim();
    if (SECRET_SHAPE.test(kept)) {
      // A copy or an umask may have widened it; the secret is as good as its file's mode.
      chmodSync(path, FILE_MODE);
      return kept;
    }
  }
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  writeFileAtomic(path, `${secret}\n`, { mode: FILE_MODE });
  return secret;
}

/** The secret an upgrade request offers among its subprotocols, or null. */
export function offeredSecret(req: IncomingMessage): string | null {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return null;
  for (const protocol of header.split(',')) {
    const name = protocol.trim();
    if (name.startsWith(BRIDGE_SECRET_PROTOCOL_PREFIX)) {
      return name.slice(BRIDGE_SECRET_PROTOCOL_PREFIX.length);
    }
  }
  return null;
}

/**
 * Whether `offered` is the secret, in time that does not depend on where they differ: both are
 * hashed first, so timingSafeEqual gets equal lengths and the length check leaks nothing either.
 */
export function secretMatches(secret: string, offered: string | null): boolean {
  if (offered === null) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(secret), digest(offered));
}
