/**
 * Probes run in a process of their own, bundled exactly like the Electron main (CommonJS,
 * scripts/bundle-options.mjs), so they measure what ships.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  CJS_IMPORT_META,
  NODE_EXTERNAL,
  NODE_SOURCE_OPTIONS,
} from '../../scripts/bundle-options.mjs';

/** Bundles bench/probes/<name>.ts (inside the project, so external modules resolve from node_modules). */
export async function bundle(name: string): Promise<string> {
  const outfile = fileURLToPath(new URL(`../../.cache/bench/${name}.cjs`, import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    external: NODE_EXTERNAL,
    ...NODE_SOURCE_OPTIONS,
    ...CJS_IMPORT_META,
    logLevel: 'error',
  });
  return outfile;
}

/** Runs `node --expose-gc <args…>` (a bundled probe and its arguments) and parses the JSON line it prints last. */
export function runProbe<T>(...args: string[]): Promise<T> {
  return runProbeWith<T>({}, ...args);
}

/** runProbe with variables added to the probe's environment. */
export function runProbeWith<T>(env: Record<string, string>, ...args: string[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`${args[0]} exited ${code}`));
        return;
      }
      resolve(JSON.parse(text.trim().split('\n').at(-1) ?? '') as T);
    });
  });
}
