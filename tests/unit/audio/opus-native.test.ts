import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { prebuiltBinaries } from '../../../main/core/audio/opus-native.ts';

const here = `-${process.platform}-${process.arch}-`;

describe('prebuiltBinaries', () => {
  let root: string | null = null;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = null;
  });

  function fakePackage(folders: Record<string, boolean>): Pick<NodeJS.Require, 'resolve'> {
    root = mkdtempSync(join(tmpdir(), 'lumi-opus-'));
    writeFileSync(join(root, 'package.json'), '{}');
    for (const [folder, hasBinary] of Object.entries(folders)) {
      mkdirSync(join(root, 'prebuild', folder), { recursive: true });
      if (hasBinary) writeFileSync(join(root, 'prebuild', folder, 'opus.node'), '');
    }
    const packageJson = join(root, 'package.json');
    return { resolve: (() => packageJson) as unknown as NodeJS.Require['resolve'] };
  }

  it('lists this platform’s binaries with the running runtime’s folder first', () => {
    const runtime = `node-v${process.versions.modules}-napi-v3${here}glibc-2.36`;
    const other = `electron-v45.4-napi-v3${here}glibc-2.36`;
    const resolver = fakePackage({
      [other]: true,
      [runtime]: true,
      'node-v137-napi-v3-sunos-sparc-glibc-2.36': true,
      [`node-v99-napi-v3${here}glibc-2.36`]: false,
    });
    const found = prebuiltBinaries(resolver).map((path) => path.split('/').at(-2));
    expect(found).toEqual([runtime, other]);
  });

  it('finds nothing when the package or its prebuild folder is missing', () => {
    expect(prebuiltBinaries(fakePackage({}))).toEqual([]);
    const missing = {
      resolve: (() => {
        throw new Error('Cannot find module');
      }) as unknown as NodeJS.Require['resolve'],
    };
    expect(prebuiltBinaries(missing)).toEqual([]);
  });
});

describe('opusAddon', () => {
  it('the codec loads Lumi’s own binding only, without node-pre-gyp', () => {
    const module = fileURLToPath(
      new URL('../../../main/core/audio/opus-codec.ts', import.meta.url),
    );
    const script = `
      import { createRequire } from 'node:module';
      import { SpeechEncoder, ReplyDecoder } from ${JSON.stringify(module)};
      const encoder = new SpeechEncoder({ frameDurationMs: 60 });
      const packet = encoder.encode(new Int16Array(encoder.frameSamples).map((_, i) => Math.round(8000 * Math.sin(i / 5))));
      const decoded = new ReplyDecoder(48000).decode(packet);
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        bytes: packet.length,
        samples: decoded.ok ? decoded.pcm.length : -1,
        nodePreGyp: loaded.some((path) => path.includes('node-pre-gyp')),
        addon: loaded.filter((path) => path.endsWith('opus.node')),
      }));`;
    const output = execFileSync(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    const result = JSON.parse(output.trim()) as {
      bytes: number;
      samples: number;
      nodePreGyp: boolean;
      addon: string[];
    };
    expect(result.bytes).toBeGreaterThan(10);
    expect(result.samples).toBe(2_880);
    expect(result.nodePreGyp).toBe(false);
    expect(result.addon).toHaveLength(1);
    expect(result.addon[0]).toContain('native/opus/build/Release/lumi_opus.node');
  });
});
