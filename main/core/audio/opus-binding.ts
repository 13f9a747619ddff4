/**
 * Lumi's own Opus binding (native/opus/lumi_opus.c over libopus 1.3.1), built at `npm install`
 * by scripts/build-native.cjs into native/opus/build/Release.
 *
 * It exists because @discordjs/opus cannot decode in-band FEC nor conceal a chosen length
 * (docs/toolchain.md §3), and a lossy transport needs both on the decoder that decodes the
 * stream. The addon is Node-API, so the one build serves Node 24 and Electron 45. It is found by
 * walking up from this module: from main/core/audio in a checkout, from dist/main or dist/cli
 * in a build, and from app.asar/dist/main when packaged (Electron loads the file from
 * app.asar.unpacked, where electron-builder.yml's asarUnpack puts every .node).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The binary, relative to the project root. */
export const BINDING_PATH = join('native', 'opus', 'build', 'Release', 'lumi_opus.node');
/** main/core/audio is three levels below the root; dist/main and dist/cli are two. */
const MAX_LEVELS_UP = 3;

export interface NativeOpusDecoder {
  /** The packet's audio (at most `maxSamples` per channel). Throws on a malformed packet. */
  decode(packet: Uint8Array, maxSamples: number): Int16Array;
  /** The lost packet before `next`, `samples` long, from `next`'s in-band FEC (or concealed). */
  decodeFec(next: Uint8Array, samples: number): Int16Array;
  /** Exactly `samples` of packet-loss concealment (a multiple of 2.5 ms, at most 120 ms). */
  conceal(samples: number): Int16Array;
  /** How many samples per channel `packet` decodes to. Throws on a malformed packet. */
  packetSamples(packet: Uint8Array): number;
  reset(): void;
}

export interface NativeOpusEncoder {
  encode(pcm: Int16Array): Uint8Array;
  /** One encoder setting by libopus request number (only those Lumi sets). */
  set(request: number, value: number): void;
}

export interface OpusBinding {
  readonly OpusDecoder: new (rate: number, channels: number) => NativeOpusDecoder;
  readonly OpusEncoder: new (
    rate: number,
    channels: number,
    application: number,
  ) => NativeOpusEncoder;
  /** Whether `packet` carries in-band FEC for the packet before it. */
  packetHasFec(packet: Uint8Array): boolean;
  /** libopus's version string. */
  readonly version: string;
}

let loaded: OpusBinding | null = null;

export function opusBinding(): OpusBinding {
  loaded ??= load();
  return loaded;
}

function load(): OpusBinding {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = Array.from({ length: MAX_LEVELS_UP }, (_, level) =>
    join(here, ...Array<string>(level + 1).fill('..'), BINDING_PATH),
  );
  const binary = candidates.find((candidate) => existsSync(candidate));
  if (!binary) {
    throw new Error(
      `Lumi's Opus binding is not built (looked for ${BINDING_PATH} above ${here}); ` +
        'run `npm install` or `node scripts/build-native.cjs`',
    );
  }
  return createRequire(import.meta.url)(binary) as OpusBinding;
}
