import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  createAppProtocolHandler,
  resolveAppPath,
} from '../../../main/electron/app-protocol.ts';

let base: string;
let root: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'lumi-protocol-'));
  root = path.join(base, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Lumi</title>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  // A secret beside the renderer folder, and one whose name starts like it.
  await writeFile(path.join(base, 'secret.txt'), 'token');
  await mkdir(path.join(base, 'renderer-evil'));
  await writeFile(path.join(base, 'renderer-evil', 'x.js'), 'evil');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('resolveAppPath', () => {
  it('maps app://lumi paths into the renderer folder, with / meaning index.html', () => {
    expect(resolveAppPath(root, APP_ENTRY_URL)).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://lumi/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://lumi/assets/app.js?v=1#x')).toBe(
      path.join(root, 'assets', 'app.js'),
    );
  });

  it.each([
    ['encoded dot-dot', 'app://lumi/%2e%2e/secret.txt'],
    ['mixed-case encoded dot-dot', 'app://lumi/assets/%2E%2e/%2e%2E/secret.txt'],
    ['encoded slash', 'app://lumi/..%2fsecret.txt'],
    ['encoded backslash', 'app://lumi/..%5csecret.txt'],
    ['double-encoded dot-dot stays literal but cannot climb', 'app://lumi/%252e%252e/secret.txt'],
    ['NUL byte', 'app://lumi/index.html%00.png'],
    ['sibling folder with the same prefix', 'app://lumi/..%2frenderer-evil/x.js'],
    ['absolute Windows path', 'app://lumi/C:%5cWindows%5cwin.ini'],
    ['malformed escape', 'app://lumi/%E0%A4%A'],
    ['another host', 'app://evil/index.html'],
    ['another scheme', 'file:///etc/passwd'],
    ['not a URL', 'nonsense'],
  ])('rejects %s', (_name, url) => {
    const file = resolveAppPath(root, url);
    if (file !== null) {
      // The only acceptable non-null outcome is a path still inside the root.
      expect(path.relative(root, file).startsWith('..')).toBe(false);
      expect(file).not.toBe(path.join(base, 'secret.txt'));
    }
  });

  it('returns null (not a resolved path) for every traversal attempt', () => {
    expect(resolveAppPath(root, 'app://lumi/..%2fsecret.txt')).toBeNull();
    expect(resolveAppPath(root, 'app://lumi/index.html%00.png')).toBeNull();
    expect(resolveAppPath(root, 'app://lumi/%E0%A4%A')).toBeNull();
    expect(resolveAppPath(root, 'app://evil/index.html')).toBeNull();
  });
});

describe('createAppProtocolHandler', () => {
  const handle = () => createAppProtocolHandler({ root });

  it('serves files with their type, the strict CSP and nosniff', async () => {
    const response = await handle()(new Request(APP_ENTRY_URL));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Lumi</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await handle()(new Request('app://lumi/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 to traversal and to missing files, never the file outside', async () => {
    for (const url of [
      'app://lumi/..%2fsecret.txt',
      'app://lumi/%2e%2e/secret.txt',
      'app://lumi/nope.js',
    ]) {
      const response = await handle()(new Request(url));
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('token');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await handle()(new Request(APP_ENTRY_URL, { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
  });

  it('keeps the CSP strict: no remote script, no network, no inline script', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
  });
});
