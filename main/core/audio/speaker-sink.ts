/**
 * Reply audio on the speaker: the jitter buffer in front of a naudiodon output stream.
 *
 * The device clock drives playout: a block is pulled from the jitter buffer each time naudiodon
 * takes the previous one, so its queue never holds more than `NATIVE_QUEUE_BLOCKS` blocks and
 * does not become a second, unmeasured buffer. The stream opens at the first reply and stays
 * open (playing silence) for a while after the last, because PulseAudio takes up to ~1.5 s to
 * start a stream. A device that dies stops taking blocks without any error from PortAudio, so a
 * watchdog reports it; the reply's audio is dropped, the dead stream is abandoned rather than
 * quit (its native calls never return, see devices.ts), and the next reply opens the device again.
 */
import type { IoStreamWrite } from 'naudiodon';
import { problemOf } from '../../../shared/problem-english.ts';
import { errorDetail, type Problem } from '../../../shared/problems.ts';
import type { JitterStats, PacketLossStats } from '../../../shared/session-events.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';
import { SECOND, systemClock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import { BlockRenderer } from './block-renderer.ts';
import { abandonStream, openOutput, quitWithin } from './devices.ts';
import type { AudioBackend } from './devices.ts';
import { JitterBuffer } from './jitter-buffer.ts';
import type { JitterBufferOptions } from './jitter-buffer.ts';
import { DEFAULT_REPLY_RATE } from './opus-codec.ts';
import { msToSamples } from './pcm.ts';
import { StreamingResampler } from './resampler.ts';
import type { AudioSink } from './sink.ts';

/**
 * The block pulled from the jitter buffer and written to the device, and PortAudio's period.
 * Each block costs a pull, a render, a native write with its hand-off to a libuv worker, and a
 * wake-up of PortAudio's callback thread and PulseAudio's client loop, whose API calls each make
 * a `getpid` system call (~15 a period, libpulse's fork check). The period is what the threads
 * other than Node's pay for: cpu.tts_stream on a 2-core VM, two interleaved runs each, 80 ms →
 * 120 ms: 1.65–1.84 → 1.35–1.59 % of a core (PortAudio's callback and PulseAudio's client thread
 * 0.30 → 0.20 %; 160 ms: 0.15 %; the PulseAudio daemon, not counted, drops too). The price is
 * latency. A reply's first sound waits for the device to take the block before it (up
 * to one block; latency.first_audio ≤ 120 ms rules out 160 ms), and at barge-in naudiodon holds
 * the block playing, the queued one and the one a write is waiting to queue, which the flush
 * cannot reach: up to 360 ms of the old reply (3 × 120 ms) where 80 ms blocks left 240 ms.
 */
export const PLAYOUT_BLOCK_MS = 120;
/**
 * Blocks naudiodon may queue beyond the one playing: one block absorbs an event loop that is
 * late by a block's length without the device starving.
 */
export const NATIVE_QUEUE_BLOCKS = 1;
/** Statistics while a reply plays: twice a second. */
export const STATS_INTERVAL_MS = 500;
/** The stream stays open this long after the last sound, so the next reply starts at once. */
export const IDLE_CLOSE_MS = 15 * SECOND;
/** PulseAudio may take ~1.5 s to start consuming a new stream (measured on the null sink). */
export const OUTPUT_START_TIMEOUT_MS = 3 * SECOND;
/** Once running, a device that takes no block for this long is gone. */
export const OUTPUT_STALL_TIMEOUT_MS = SECOND;
/** The watchdog looks again no sooner than this after an event loop that was blocked. */
const WATCHDOG_RECHECK_MS = 250;
const QUIT_TIMEOUT_MS = 2 * SECOND;
const NOT_GONE = { deviceGone: false } as const;
/**
 * After the last block left the jitter buffer: its own write, one write per queued block ahead
 * of it, and one for the device to finish it.
 */
const TAIL_WRITES = NATIVE_QUEUE_BLOCKS + 2;

export type SpeakerSinkEvents = {
  jitterStats: (stats: JitterStats) => void;
  /** Everything of a reply has been played (not emitted when it was flushed). */
  playbackDrained: () => void;
  /** The device could not open or failed; the reply's audio is dropped. */
  error: (problem: Problem) => void;
};

export interface SpeakerSinkOptions {
  /** Device name, or null for the system default (re-resolved at every open). */
  readonly deviceName?: string | null;
  /** Lumi's own volume, 0–100. */
  readonly volume?: number;
  readonly jitter?: Omit<JitterBufferOptions, 'sampleRate'>;
  readonly clock?: Clock;
  readonly backend?: AudioBackend;
}

export interface OutputDevice {
  readonly deviceName: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly fellBack: boolean;
}

interface Output {
  readonly stream: IoStreamWrite;
  readonly renderer: BlockRenderer;
  readonly device: OutputDevice;
  readonly detach: () => void;
  readonly openedAt: number;
  writeStartedAt: number | null;
  idleBlocks: number;
  watchdog: TimerHandle | null;
}

export class SpeakerSink implements AudioSink {
  readonly sampleRate = DEFAULT_REPLY_RATE;
  readonly #events = new Emitter<SpeakerSinkEvents>();
  readonly #buffer: JitterBuffer;
  readonly #clock: Clock;
  readonly #backend: AudioBackend | undefined;
  readonly #block = new Int16Array(msToSamples(PLAYOUT_BLOCK_MS, DEFAULT_REPLY_RATE));
  #deviceName: string | null;
  #volume: number;
  #output: Output | null = null;
  #opening: Promise<void> | null = null;
  /** The device failed during this reply: its remaining frames are dropped. */
  #replyFailed = false;
  #drainWaiters: (() => void)[] = [];
  /** Cues waiting for the output to open. */
  #pendingClips: Int16Array[] = [];
  #tailWrites: number | null = null;
  #statsBlocks = 0;
  #closed = false;

  constructor(options: SpeakerSinkOptions = {}) {
    this.#deviceName = options.deviceName ?? null;
    this.#volume = options.volume ?? 100;
    this.#clock = options.clock ?? systemClock;
    this.#backend = options.backend;
    this.#buffer = new JitterBuffer({
      blockMs: PLAYOUT_BLOCK_MS,
      // A reply starts with a whole block buffered: less would underrun in the first pull.
      prebufferMs: PLAYOUT_BLOCK_MS,
      ...options.jitter,
      sampleRate: this.sampleRate,
    });
  }

  /** The device playing now, or null while closed. */
  get device(): OutputDevice | null {
    return this.#output?.device ?? null;
  }

  /** The current reply's jitter statistics. */
  get stats(): JitterStats {
    return this.#buffer.stats;
  }

  on<K extends keyof SpeakerSinkEvents>(event: K, listener: SpeakerSinkEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  setVolume(volume: number): void {
    this.#volume = volume;
    this.#output?.renderer.setVolume(volume);
  }

  /** Switches device (null = system default); a playing reply moves over at once. */
  setDevice(deviceName: string | null): void {
    this.#deviceName = deviceName;
    if (!this.#output) return;
    void this.#shutOutput(this.#output);
    if (this.#buffer.active) this.#ensureOutput();
  }

  /**
   * Opens the device ahead of a reply (at listen start, say): a new PulseAudio stream can take
   * a second or more before it plays, and a reply should not wait for that.
   */
  warmUp(): void {
    this.#ensureOutput();
  }

  /** Plays a short sound (a cue) over whatever is playing, at the playout rate. */
  playClip(pcm: Int16Array): void {
    if (this.#closed) return;
    this.#pendingClips.push(pcm);
    this.#ensureOutput();
  }

  beginReply(): void {
    if (this.#closed) return;
    this.#releaseDrainWaiters();
    this.#replyFailed = false;
    this.#tailWrites = null;
    this.#statsBlocks = 0;
    this.#buffer.begin();
    this.#ensureOutput();
  }

  write(pcm: Int16Array, arrivedAt: number): void {
    if (this.#closed || this.#replyFailed) return;
    this.#ensureOutput();
    this.#buffer.push(pcm, arrivedAt);
  }

  notePacketLoss(loss: PacketLossStats): void {
    this.#buffer.notePacketLoss(loss);
  }

  endReply(): Promise<void> {
    const drained = new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    const nothingLeft = this.#buffer.end();
    if (nothingLeft) {
      // What left the buffer last may still sit in naudiodon's queue: let the device take it.
      if (this.#output && !this.#opening) this.#tailWrites = TAIL_WRITES;
      else this.#releaseDrainWaiters();
    }
    return drained;
  }

  flush(): void {
    this.#buffer.flush();
    this.#tailWrites = null;
    this.#releaseDrainWaiters();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.flush();
    await this.#opening;
    const output = this.#output;
    if (output) await this.#shutOutput(output);
  }

  #ensureOutput(): void {
    if (this.#output || this.#opening || this.#closed) return;
    this.#opening = this.#openOutput().finally(() => {
      this.#opening = null;
    });
  }

  async #openOutput(): Promise<void> {
    let opened: Awaited<ReturnType<typeof openOutput>>;
    try {
      opened = await openOutput({
        deviceName: this.#deviceName,
        blockMs: PLAYOUT_BLOCK_MS,
        maxQueue: NATIVE_QUEUE_BLOCKS,
        backend: this.#backend,
      });
    } catch (error) {
      this.#dropReply(problemOf(error));
      return;
    }
    const { stream, ...device } = opened;
    // Replies decode at 48 kHz; a device that refused 48 kHz gets them converted.
    const resampler =
      device.sampleRate === this.sampleRate
        ? null
        : await StreamingResampler.create(this.sampleRate, device.sampleRate);
    const renderer = new BlockRenderer({
      channels: device.channels,
      volume: this.#volume,
      resampler,
    });
    if (this.#closed) {
      renderer.close();
      await quitWithin(stream, QUIT_TIMEOUT_MS);
      return;
    }
    const onError = (error: Error): void =>
      this.#fail(output, {
        code: 'deviceFailed',
        device: device.deviceName,
        detail: error.message,
      });
    stream.on('error', onError);
    const output: Output = {
      stream,
      renderer,
      device,
      detach: () => stream.off('error', onError),
      openedAt: this.#clock.now(),
      writeStartedAt: null,
      idleBlocks: 0,
      watchdog: null,
    };
    this.#output = output;
    try {
      stream.start();
    } catch (error) {
      this.#fail(output, {
        code: 'deviceFailed',
        device: device.deviceName,
        detail: errorDetail(error),
      });
      return;
    }
    this.#armWatchdog(output, OUTPUT_START_TIMEOUT_MS);
    this.#pump(output);
  }

  /** Pulls the next block, hands it to the device, and comes back when the device took it. */
  #pump(output: Output): void {
    if (this.#output !== output) return;
    if (this.#pendingClips.length > 0) {
      for (const clip of this.#pendingClips) output.renderer.addClip(clip);
      this.#pendingClips = [];
    }

    const kind = this.#buffer.pull(this.#block);
    if (kind === 'drained') this.#tailWrites = TAIL_WRITES;
    if (kind !== 'idle') this.#reportStats(kind === 'drained');
    const quiet = kind === 'idle' && !output.renderer.playingClip && this.#tailWrites === null;
    output.idleBlocks = quiet ? output.idleBlocks + 1 : 0;
    if (output.idleBlocks * PLAYOUT_BLOCK_MS >= IDLE_CLOSE_MS) {
      void this.#shutOutput(output);
      return;
    }

    const bytes = output.renderer.render(this.#block);
    output.writeStartedAt = this.#clock.now();
    output.stream.write(bytes, (error) => {
      if (this.#output !== output) return;
      output.writeStartedAt = null;
      if (error) {
        this.#fail(output, {
          code: 'deviceFailed',
          device: output.device.deviceName,
          detail: error.message,
        });
        return;
      }
      this.#countTail();
      this.#pump(output);
    });
  }

  #countTail(): void {
    if (this.#tailWrites === null) return;
    this.#tailWrites--;
    if (this.#tailWrites > 0) return;
    this.#tailWrites = null;
    this.#releaseDrainWaiters();
    this.#events.emit('playbackDrained');
  }

  #reportStats(final: boolean): void {
    this.#statsBlocks++;
    if (!final && this.#statsBlocks * PLAYOUT_BLOCK_MS < STATS_INTERVAL_MS) return;
    this.#statsBlocks = 0;
    this.#events.emit('jitterStats', this.#buffer.stats);
  }

  /**
   * Looks after `delay` ms whether the device still takes blocks. It does not poll: it comes
   * back when the write pending now would have waited past the limit, about once a second
   * while the device plays.
   */
  #armWatchdog(output: Output, delay: number): void {
    const scheduledAt = this.#clock.now();
    output.watchdog = this.#clock.setTimeout(() => {
      output.watchdog = null;
      if (this.#output !== output) return;
      const now = this.#clock.now();
      // A timer this late means the event loop was blocked, not the device: look again.
      const loopWasBlocked = now - scheduledAt > delay + OUTPUT_STALL_TIMEOUT_MS / 2;
      // PortAudio primes the device with a burst of blocks, then waits for the sound server to
      // start the stream: a new stream gets the longer limit.
      const started = now - output.openedAt > OUTPUT_START_TIMEOUT_MS;
      const limit = started ? OUTPUT_STALL_TIMEOUT_MS : OUTPUT_START_TIMEOUT_MS;
      const waiting = output.writeStartedAt === null ? 0 : now - output.writeStartedAt;
      if (!loopWasBlocked && waiting > limit) {
        const problem: Problem = {
          code: started ? 'deviceStalled' : 'deviceSilent',
          device: output.device.deviceName,
          ms: Math.round(waiting),
        };
        this.#fail(output, problem, { deviceGone: true });
        return;
      }
      this.#armWatchdog(output, Math.max(WATCHDOG_RECHECK_MS, limit - waiting + 1));
    }, delay);
  }

  #fail(output: Output, problem: Problem, how: { deviceGone: boolean } = NOT_GONE): void {
    if (this.#output !== output) return;
    void this.#shutOutput(output, how);
    this.#dropReply(problem);
  }

  /** The device is unusable for this reply: drop its audio, release waiters, tell the session. */
  #dropReply(problem: Problem): void {
    this.#replyFailed = this.#buffer.active;
    this.#buffer.flush();
    this.#tailWrites = null;
    this.#pendingClips = [];
    this.#releaseDrainWaiters();
    this.#events.emit('error', problem);
  }

  async #shutOutput(output: Output, how: { deviceGone: boolean } = NOT_GONE): Promise<void> {
    if (this.#output === output) this.#output = null;
    if (output.watchdog) this.#clock.clearTimeout(output.watchdog);
    output.watchdog = null;
    output.detach();
    output.renderer.close();
    // No PortAudio callback takes blocks any more, so quit() would never return.
    if (how.deviceGone) abandonStream(output.stream);
    else await quitWithin(output.stream, QUIT_TIMEOUT_MS);
  }

  #releaseDrainWaiters(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
