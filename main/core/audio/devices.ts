/**
 * Audio devices through naudiodon (PortAudio). Devices are chosen by name, because PortAudio's
 * indices change whenever a device comes or goes; `null` means the system default, which is
 * resolved again at every open so Lumi follows the default when the user changes it. A stream
 * opens at the first rate and channel count the device accepts.
 */
import type { AudioOptions, DeviceInfo, IoStreamRead, IoStreamWrite } from 'naudiodon';
import { ProblemError } from '../../../shared/problem-english.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { AudioDevice } from '../../../shared/settings.ts';

/** The audio API Lumi uses; naudiodon in the app, a stand-in in benchmarks. */
export interface AudioBackend {
  getDevices(): readonly DeviceInfo[];
  openInput(options: AudioOptions): IoStreamRead;
  openOutput(options: AudioOptions): IoStreamWrite;
}

export type AudioDeviceErrorCode = 'unavailable' | 'open_failed';

/** Audio could not be used at all (`unavailable`) or a device refused to open. */
export class AudioDeviceError extends ProblemError {
  override readonly name = 'AudioDeviceError';
  readonly code: AudioDeviceErrorCode;

  constructor(code: AudioDeviceErrorCode, problem: Problem) {
    super(problem);
    this.code = code;
  }
}

export type Direction = 'input' | 'output';

/** 48 kHz first (Opus's native rate, no resampling on output), then what hardware offers. */
export const PREFERRED_RATES: readonly number[] = [48_000, 44_100, 32_000, 24_000, 16_000];
const S16 = 16;
/** PortAudio's "use the default device". */
const DEFAULT_DEVICE_ID = -1;

export interface OpenRequest {
  /** A device name from `listAudioDevices`, or null for the system default. */
  readonly deviceName: string | null;
  /** PortAudio callback size; also the size of each chunk the stream hands over. */
  readonly blockMs: number;
  /** Blocks naudiodon may queue between Lumi and the device (default 2). */
  readonly maxQueue?: number;
  readonly backend?: AudioBackend;
}

export interface OpenedStream<S> {
  readonly stream: S;
  /** The device that opened ("default" for the system default). */
  readonly deviceName: string;
  /** True when the requested device is gone and the system default opened instead. */
  readonly fellBack: boolean;
  readonly sampleRate: number;
  readonly channels: number;
}

let backendPromise: Promise<AudioBackend> | null = null;

/** naudiodon, loaded on first use so a front end without audio never loads the native module. */
export function loadAudioBackend(): Promise<AudioBackend> {
  backendPromise ??= import('naudiodon').then(
    (naudiodon): AudioBackend => ({
      getDevices: () => naudiodon.getDevices(),
      openInput: (options) => naudiodon.AudioIO({ inOptions: options }),
      openOutput: (options) => naudiodon.AudioIO({ outOptions: options }),
    }),
    (error: unknown) => {
      backendPromise = null;
      throw new AudioDeviceError('unavailable', {
        code: 'audioUnavailable',
        detail: describe(error),
      });
    },
  );
  return backendPromise;
}

/** Every device PortAudio sees, in the shape the settings window shows. */
export async function listAudioDevices(backend?: AudioBackend): Promise<AudioDevice[]> {
  const audio = backend ?? (await loadAudioBackend());
  return audio.getDevices().map((device) => ({
    id: device.id,
    name: device.name,
    hostApi: device.hostAPIName,
    maxInputChannels: device.maxInputChannels,
    maxOutputChannels: device.maxOutputChannels,
    defaultSampleRate: device.defaultSampleRate,
  }));
}

/** The device called `name` that can work in `direction`, or null. */
export function findDevice(
  devices: readonly DeviceInfo[],
  name: string,
  direction: Direction,
): DeviceInfo | null {
  return (
    devices.find(
      (device) =>
        device.name === name &&
        (direction === 'input' ? device.maxInputChannels : device.maxOutputChannels) > 0,
    ) ?? null
  );
}

/** Opens the microphone as an s16 read stream, mono if the device allows. */
export async function openInput(request: OpenRequest): Promise<OpenedStream<IoStreamRead>> {
  const backend = request.backend ?? (await loadAudioBackend());
  return openStream(backend, request, 'input', (options) => backend.openInput(options));
}

/** Opens the speaker as an s16 write stream, mono if the device allows. */
export async function openOutput(request: OpenRequest): Promise<OpenedStream<IoStreamWrite>> {
  const backend = request.backend ?? (await loadAudioBackend());
  return openStream(backend, request, 'output', (options) => backend.openOutput(options));
}

function openStream<S>(
  backend: AudioBackend,
  request: OpenRequest,
  direction: Direction,
  open: (options: AudioOptions) => S,
): OpenedStream<S> {
  const wanted = request.deviceName;
  const device = wanted === null ? null : findDevice(backend.getDevices(), wanted, direction);
  const maxChannels = device
    ? direction === 'input'
      ? device.maxInputChannels
      : device.maxOutputChannels
    : 2;
  const rates = [...new Set([...PREFERRED_RATES, device?.defaultSampleRate ?? 48_000])];
  const failures: string[] = [];
  for (const channels of [1, 2].filter((count) => count <= Math.max(1, maxChannels))) {
    for (const sampleRate of rates) {
      const framesPerBuffer = Math.round((sampleRate * request.blockMs) / 1000);
      try {
        const stream = open({
          deviceId: device?.id ?? DEFAULT_DEVICE_ID,
          sampleRate,
          channelCount: channels,
          sampleFormat: S16,
          framesPerBuffer,
          maxQueue: request.maxQueue ?? 2,
          // The Node stream hands over exactly one block per read, not naudiodon's 16 KiB.
          highwaterMark: framesPerBuffer * channels * 2,
          // Under/overflow flags are not fatal; a dead device is caught by the caller's watchdog.
          closeOnError: false,
        });
        return {
          stream,
          deviceName: device?.name ?? 'default',
          fellBack: wanted !== null && device === null,
          sampleRate,
          channels,
        };
      } catch (error) {
        failures.push(`${sampleRate} Hz × ${channels}: ${describe(error)}`);
      }
    }
  }
  const detail = `${failures[0] ?? 'no channels'}${failures.length > 1 ? ', …' : ''}`;
  throw new AudioDeviceError(
    'open_failed',
    device
      ? { code: 'deviceOpenFailed', device: device.name, detail }
      : { code: 'defaultDeviceOpenFailed', detail },
  );
}

/**
 * Native calls that never returned. naudiodon runs `write()` and `quit()` on libuv's worker
 * threads, and both block for good once PortAudio's callback thread is gone (a stream killed by
 * the sound server, a device unplugged): a write waits for room in a queue nobody drains
 * (`ChunkQueue::enqueue`), `quit()` for the callback to let go of its block
 * (`PaContext::quit` → `Chunks::waitDone`). Such a thread is lost until the process ends, and
 * `process.exit()` joins every worker thread first, so it would wait forever; a front end asks
 * `nativeAudioStuck()` before it exits.
 */
const stuckStreams = new Set<object>();

/** True while a native audio call will never return: exiting must not wait for worker threads. */
export function nativeAudioStuck(): boolean {
  return stuckStreams.size > 0;
}

/**
 * Gives up on a stream whose device died: it is never touched again, because `quit()` would only
 * add a second stuck thread to the write already stuck in it.
 */
export function abandonStream(stream: object): void {
  stuckStreams.add(stream);
}

/**
 * Stops a naudiodon stream, waiting at most `ms` of real time. `quit()` never calls back for an
 * output whose device died (see `stuckStreams`), and `abort()` goes the same way in naudiodon
 * 2.3.6, so a bounded wait is the only safe stop; a stream that overran it counts as stuck until
 * its `quit()` returns.
 */
export function quitWithin(
  stream: { quit(callback?: () => void): void },
  ms: number,
): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stuckStreams.add(stream);
      resolve();
    }, ms);
    timer.unref();
    stream.quit(() => {
      clearTimeout(timer);
      stuckStreams.delete(stream);
      resolve();
    });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
