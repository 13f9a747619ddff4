/**
 * The @discordjs/opus addon, loaded straight from its prebuilt binary.
 *
 * The package's own entry looks the binary up with node-pre-gyp, which loads some 110 modules
 * (npmlog, gauge, semver, …) to compute one path and leaves ~15 MB resident for the life of the
 * process. The addon is N-API, so any build for this platform and architecture serves every
 * runtime (Node 24 and Electron 45 alike; scripts/native-aliases.cjs copies it where each one
 * would look). The package entry stays the fallback when no prebuilt folder is present (a build
 * from source lands in build/Release).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as OpusPackage from '@discordjs/opus';

export type OpusAddon = typeof OpusPackage;

const BINARY = 'opus.node';

let loaded: OpusAddon | null = null;

export function opusAddon(): OpusAddon {
  loaded ??= load();
  return loaded;
}

function load(): OpusAddon {
  const requireHere = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const binary of prebuiltBinaries(requireHere)) {
    try {
      return requireHere(binary) as OpusAddon;
    } catch (error) {
      failures.push(`${binary}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    return requireHere('@discordjs/opus') as OpusAddon;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The Opus codec (@discordjs/opus) could not be loaded: ${reason}` +
        (failures.length > 0 ? `; prebuilt binaries tried: ${failures.join('; ')}` : ''),
      { cause: error },
    );
  }
}

/**
 * The package's prebuilt binaries for this platform and architecture, the one named for the
 * running runtime first (`node-v137-…`, `electron-v45.4-…`).
 */
export function prebuiltBinaries(resolver: Pick<NodeJS.Require, 'resolve'>): string[] {
  let prebuild: string;
  try {
    prebuild = join(dirname(resolver.resolve('@discordjs/opus/package.json')), 'prebuild');
  } catch {
    return [];
  }
  if (!existsSync(prebuild)) return [];
  const platform = `-${process.platform}-${process.arch}-`;
  const runtime = runtimePrefix();
  return readdirSync(prebuild)
    .filter((folder) => folder.includes(platform) && existsSync(join(prebuild, folder, BINARY)))
    .sort((a, b) => Number(b.startsWith(runtime)) - Number(a.startsWith(runtime)))
    .map((folder) => join(prebuild, folder, BINARY));
}

function runtimePrefix(): string {
  const electron = process.versions['electron'];
  if (electron) return `electron-v${electron.split('.').slice(0, 2).join('.')}-`;
  return `node-v${process.versions.modules}-`;
}
