/**
 * The built renderer (dist/renderer), read into memory once when the preview starts: a
 * rebuild running beside it (which empties dist/ first) cannot break a page halfway through
 * loading. The served index.html gets the bridge script ahead of the app's module script, and
 * the renderer's own content security policy with one change: `connect-src` allows the bridge
 * socket, because in the preview the page talks to the host instead of to Electron's IPC.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BRIDGE_SCRIPT_PATH } from './bridge-protocol.ts';

/** Where `npm run build` (vite) puts the renderer. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};
const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/i;
const MODULE_SCRIPT = /<script\s+type="module"/i;

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

export interface RendererFiles {
  /** Files by URL path (`/assets/index-….js`), index.html excepted. */
  readonly assets: ReadonlyMap<string, StaticFile>;
  /** The page's content security policy, with the bridge socket allowed. */
  policyFor(origin: { readonly host: string; readonly port: number }): string;
  /** index.html with the bridge script and the rewritten policy. */
  indexFor(origin: { readonly host: string; readonly port: number }): string;
}

/** The renderer is not built, or not as the preview expects. */
export class RendererMissingError extends Error {
  override readonly name = 'RendererMissingError';
}

/**
 * Reads the built renderer.
 * @param dir the vite output folder, dist/renderer by default
 */
export async function loadRendererFiles(dir = DEFAULT_RENDERER_DIR): Promise<RendererFiles> {
  let index: string;
  try {
    index = await readFile(join(dir, 'index.html'), 'utf8');
  } catch {
    throw new RendererMissingError(
      `The renderer is not built (${join(dir, 'index.html')} is missing): run \`npm run build\` first.`,
    );
  }
  const meta = CSP_META.exec(index);
  if (meta === null || !MODULE_SCRIPT.test(index)) {
    throw new RendererMissingError(
      `${join(dir, 'index.html')} has no content security policy or no module script: run \`npm run build\` again.`,
    );
  }
  const basePolicy = meta[2] ?? '';
  const assets = new Map<string, StaticFile>();
  for (const file of await listFiles(dir)) {
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    if (urlPath === '/index.html') continue;
    assets.set(urlPath, {
      body: await readFile(file),
      contentType: CONTENT_TYPES[extname(file)] ?? FALLBACK_CONTENT_TYPE,
    });
  }

  const policyFor = (origin: { readonly host: string; readonly port: number }): string =>
    withConnectSource(basePolicy, `ws://${origin.host}:${origin.port}`);
  return {
    assets,
    policyFor,
    indexFor: (origin) =>
      index
        .replace(CSP_META, (_match, open: string, _policy: string, close: string) =>
          [open, policyFor(origin), close].join(''),
        )
        .replace(
          MODULE_SCRIPT,
          (script) => `<script src="${BRIDGE_SCRIPT_PATH}"></script>\n    ${script}`,
        ),
  };
}

/** The policy with its `connect-src` directive replaced (or added) by `source`. */
export function withConnectSource(policy: string, source: string): string {
  const directives = policy
    .split(';')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '');
  const connect = `connect-src ${source}`;
  const at = directives.findIndex((directive) => /^connect-src(\s|$)/.test(directive));
  if (at >= 0) directives[at] = connect;
  else directives.push(connect);
  return directives.join('; ');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
