/**
 * A sound card the unit tests hold in their hands: an AudioBackend whose output stream takes a
 * block only when the test says the device consumed one, and whose input stream delivers what
 * the test pushes. Real-device behaviour is covered by tests/integration/audio.
 */
import { Readable, Writable } from 'node:stream';
import type { AudioOptions, DeviceInfo, IoStreamRead, IoStreamWrite } from 'naudiodon';
import type { AudioBackend } from '../../../../main/core/audio/devices.ts';

export class FakeOutputStream extends Writable {
  readonly options: AudioOptions;
  readonly written: Buffer[] = [];
  started = false;
  quitCalled = false;
  #pending: (() => void)[] = [];

  constructor(options: AudioOptions) {
    super({ decodeStrings: false });
    this.options = options;
  }

  override _write(
    chunk: Buffer,
    _encoding: string,
    callback: (error?: Error | null) => void,
  ): void {
    // naudiodon copies a chunk when it is written (its native Chunk); Lumi reuses the memory.
    // (A copy of its own, not from Buffer's shared pool: tests read `chunk.buffer`.)
    const copy = new Uint8Array(chunk);
    this.written.push(Buffer.from(copy.buffer, 0, copy.byteLength));
    this.#pending.push(() => callback());
  }

  start(): void {
    this.started = true;
  }

  quit(callback?: () => void): void {
    this.quitCalled = true;
    callback?.();
  }

  abort(callback?: () => void): void {
    this.quit(callback);
  }

  /** The device takes the pending block (if any); resolves once Lumi reacted. */
  async consume(blocks = 1): Promise<void> {
    for (let i = 0; i < blocks; i++) {
      this.#pending.shift()?.();
      await settle();
    }
  }

  /** Every sample written so far, as s16 (channel-interleaved as written). */
  samples(): Int16Array {
    const bytes = Buffer.concat(this.written);
    return new Int16Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
  }
}

export class FakeInputStream extends Readable {
  readonly options: AudioOptions;
  started = false;
  quitCalled = false;

  constructor(options: AudioOptions) {
    super();
    this.options = options;
  }

  override _read(): void {}

  start(): void {
    this.started = true;
  }

  quit(callback?: () => void): void {
    this.quitCalled = true;
    callback?.();
  }

  abort(callback?: () => void): void {
    this.quit(callback);
  }

  /** Delivers s16 samples as the device would. */
  deliver(samples: Int16Array): void {
    this.push(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  }
}

export interface FakeBackendOptions {
  /** Rates the device refuses, as PortAudio's "Format not supported". */
  readonly refuseRates?: readonly number[];
  readonly refuseMono?: boolean;
  /** Every open fails while this is set. */
  failOpen?: string | null;
}

export class FakeAudioBackend implements AudioBackend {
  readonly outputs: FakeOutputStream[] = [];
  readonly inputs: FakeInputStream[] = [];
  readonly settings: FakeBackendOptions;

  constructor(settings: FakeBackendOptions = {}) {
    this.settings = { ...settings };
  }

  get output(): FakeOutputStream {
    const last = this.outputs[this.outputs.length - 1];
    if (!last) throw new Error('no output stream was opened');
    return last;
  }

  get input(): FakeInputStream {
    const last = this.inputs[this.inputs.length - 1];
    if (!last) throw new Error('no input stream was opened');
    return last;
  }

  getDevices(): DeviceInfo[] {
    return [
      {
        id: 0,
        name: 'Fake Card',
        maxInputChannels: 2,
        maxOutputChannels: 2,
        defaultSampleRate: 44_100,
        defaultLowInputLatency: 0,
        defaultLowOutputLatency: 0,
        defaultHighInputLatency: 0,
        defaultHighOutputLatency: 0,
        hostAPIName: 'ALSA',
      },
    ];
  }

  openInput(options: AudioOptions): IoStreamRead {
    this.#check(options);
    const stream = new FakeInputStream(options);
    this.inputs.push(stream);
    return stream as unknown as IoStreamRead;
  }

  openOutput(options: AudioOptions): IoStreamWrite {
    this.#check(options);
    const stream = new FakeOutputStream(options);
    this.outputs.push(stream);
    return stream as unknown as IoStreamWrite;
  }

  #check(options: AudioOptions): void {
    if (this.settings.failOpen) throw new Error(this.settings.failOpen);
    if (this.settings.refuseRates?.includes(options.sampleRate ?? 0)) {
      throw new Error('Format not supported: Invalid sample rate');
    }
    if (this.settings.refuseMono && options.channelCount === 1) {
      throw new Error('Format not supported: Invalid number of channels');
    }
  }
}

/** Lets stream callbacks, promise jobs and immediates run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
