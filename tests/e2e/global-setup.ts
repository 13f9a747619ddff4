/**
 * Once per end-to-end run: take a private copy of the built renderer, and give the run real
 * audio devices.
 *
 * The copy lets a rebuild started meanwhile (which empties dist/ first) leave the run alone;
 * when dist/renderer is missing or half written, the copy is retried for a while before the run
 * fails with the preview's own "run npm run build" message. The PulseAudio null-sink daemon is
 * started (or reused) and the run gets a null sink of its own, whose monitor is the microphone
 * Lumi records. Workers inherit the environment set here: `LUMI_E2E_RENDERER` names the copy,
 * `LUMI_E2E_AUDIO` says whether audio is there ("ok") or why not.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RENDERER_DIR, loadRendererFiles } from '../../main/preview/renderer-files.ts';
import { preparePulse, usePrivateSink } from '../integration/audio/pulse.ts';

export const RENDERER_VARIABLE = 'LUMI_E2E_RENDERER';
export const AUDIO_STATUS_VARIABLE = 'LUMI_E2E_AUDIO';
export const AUDIO_OK = 'ok';

/** A concurrent `npm run build` takes a few seconds on this machine. */
const BUILD_WAIT_MS = 60_000;
const BUILD_POLL_MS = 500;

export default async function globalSetup(): Promise<() => Promise<void>> {
  const renderer = await copyRenderer();
  process.env[RENDERER_VARIABLE] = renderer;
  const removeSink = await prepareAudio();
  return async () => {
    await removeSink();
    await rm(renderer, { recursive: true, force: true });
  };
}

async function copyRenderer(): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'lumi-e2e-renderer-'));
  const deadline = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    try {
      await rm(copy, { recursive: true, force: true });
      await cp(DEFAULT_RENDERER_DIR, copy, { recursive: true });
      await checkComplete(copy);
      return copy;
    } catch (error) {
      if (Date.now() > deadline) {
        await rm(copy, { recursive: true, force: true });
        await loadRendererFiles(); // throws the preview's own message when the build is missing
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, BUILD_POLL_MS));
    }
  }
}

/** Every file index.html refers to is there (a copy taken mid-build would miss some). */
async function checkComplete(dir: string): Promise<void> {
  await loadRendererFiles(dir);
  const index = await readFile(join(dir, 'index.html'), 'utf8');
  for (const [, path] of index.matchAll(/(?:src|href)="\.\/([^"]+)"/g)) {
    await readFile(join(dir, path ?? ''));
  }
}

async function prepareAudio(): Promise<() => Promise<void>> {
  const pulse = await preparePulse();
  if (!pulse.ok) {
    process.env[AUDIO_STATUS_VARIABLE] = pulse.reason;
    return async () => undefined;
  }
  try {
    const removeSink = await usePrivateSink();
    process.env[AUDIO_STATUS_VARIABLE] = AUDIO_OK;
    return removeSink;
  } catch (error) {
    process.env[AUDIO_STATUS_VARIABLE] = `no private null sink: ${String(error)}`;
    return async () => undefined;
  }
}
