/**
 * The renderer is served from `app://lumi/…` instead of `file://` (Electron security checklist
 * items 7 and 18): one origin for the sender checks, a strict CSP sent as a header, and no
 * path outside the renderer's build folder reachable, however the URL is spelt.
 */
import { readFileBytes } from '../core/util/fs-async.ts';
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'lumi';
/** The window's start page. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * The production content security policy, sent with every response (the page's own `<meta>`
 * policy applies as well; a browser enforces both). The renderer never talks to the network
 * (everything goes through IPC to main), so `connect-src` is `'none'`, and it has no inline
 * script or style.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "media-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
};

/**
 * The file an `app://` URL names inside `root`, or null for anything that is not a plain path
 * below it: another host, `..` segments (raw or percent-encoded), encoded slashes or
 * backslashes, NUL bytes, or a malformed escape.
 */
export function resolveAppPath(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  const rawSegments = url.pathname.split('/').filter((s) => s !== '');
  const segments: string[] = [];
  for (const raw of rawSegments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment) || segment.includes(':')) {
      return null;
    }
    segments.push(segment);
  }
  if (segments.length === 0) segments.push('index.html');
  const resolvedRoot = path.resolve(root);
  const file = path.resolve(resolvedRoot, ...segments);
  const relative = path.relative(resolvedRoot, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return file;
}

/** Response headers for a served file: its type, the CSP, and no sniffing. */
export function responseHeaders(file: string): Record<string, string> {
  return {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
}

export interface AppProtocolOptions {
  /** The renderer's build folder (dist/renderer). */
  readonly root: string;
  readonly readFile?: (file: string) => Promise<Uint8Array>;
}

/** The handler for `protocol.handle('app', …)`: GET only, files under the root only. */
export function createAppProtocolHandler(
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  const read = options.readFile ?? readFileBytes;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405 });
    }
    const file = resolveAppPath(options.root, request.url);
    if (file === null) return new Response(null, { status: 404 });
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch {
      return new Response(null, { status: 404 });
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: responseHeaders(file),
    });
  };
}
