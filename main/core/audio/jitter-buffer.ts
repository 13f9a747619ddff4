/**
 * The reply jitter buffer: decoded frames go in with their arrival time, the output device pulls
 * fixed blocks out on its own clock (the shape of WebRTC's NetEQ). It reads no clock
 * itself: time enters as arrival timestamps and as the pulls, so tests drive it with simulated
 * time.
 *
 * Over a WebSocket nothing is lost, but TCP turns trouble into bursts and stalls, and servers
 * burst on purpose: xiaozhi-esp32-server sends a reply's first 5 frames at once, then one per
 * 60 ms, and `tts stop` ~420 ms after the last (docs/protocol.md §5.4–5.5). So:
 * - playback starts once the prebuffer (and the target) is buffered, or the reply ended;
 * - the target follows the 95th percentile of arrival lateness over the last ~2 s, clamped to
 *   [minTarget, maxTarget]. Lateness is measured against the earliest schedule seen so far
 *   (arrival − media time, minus its running minimum), so an early burst counts as on time;
 * - an underrun is concealed by fading out a mirrored repeat of the last 10 ms, then silence,
 *   until `target` is buffered again; every concealed millisecond is counted. Running dry after
 *   the last frame is not an underrun: the server sends `tts stop` ~420 ms later, so a dry spell
 *   is counted only once a frame arrives during it, and forgotten if `end()` comes first;
 * - when a stall's backlog leaves more than `maxTarget` buffered, silent blocks (the pauses
 *   between words and sentences) are skipped until the delay is back under it; speech itself is
 *   dropped only past `capacity`, back down to the target, because lost words hurt more than
 *   latency in a one-way reply;
 * - `flush()` drops everything at once (barge-in); after `end()` (tts stop) the rest plays out
 *   and the pull that empties it reports `drained`.
 */
import type { JitterStats, PacketLossStats } from '../../../shared/session-events.ts';
import { msToSamples, samplesToMs } from './pcm.ts';

/** The first start of a reply waits for this much even if the target is lower (the speaker asks for one playout block). */
export const DEFAULT_PREBUFFER_MS = 80;
export const DEFAULT_MIN_TARGET_MS = 40;
/** NetEQ-style clamp of the target (the range 40–300 ms, with DEFAULT_MIN_TARGET_MS). */
export const DEFAULT_MAX_TARGET_MS = 300;
/** A server that gets this far ahead is not pacing at all; the firmware caps at 2.4 s. */
export const DEFAULT_CAPACITY_MS = 10_000;
/** NetEQ keeps ~2 s of arrival history. */
export const DEFAULT_HISTORY_MS = 2_000;
/** A concealed gap fades to silence over this long, so a stall never buzzes. */
export const DEFAULT_CONCEAL_FADE_MS = 60;
/** Real audio fades back in over this long after a concealed gap, so resuming never clicks. */
const RESUME_FADE_MS = 5;
/** The stretch of the last real audio that concealment repeats. */
const CONCEAL_SEGMENT_MS = 10;
/** A block whose samples all stay within ±104 (−50 dBFS) is a pause that may be skipped. */
const SILENCE_PEAK = 104;
/** Arrival lateness percentile the target covers (NetEQ uses the 95th). */
const TARGET_PERCENTILE = 0.95;
/** Assumed output block until the first pull says otherwise (the owner may say it up front). */
const DEFAULT_BLOCK_MS = 20;
const NO_PACKET_LOSS: PacketLossStats = {
  lostPackets: 0,
  latePackets: 0,
  duplicatePackets: 0,
  recoveredPackets: 0,
  lossConcealedMs: 0,
};

export interface JitterBufferOptions {
  readonly sampleRate: number;
  readonly prebufferMs?: number;
  readonly minTargetMs?: number;
  readonly maxTargetMs?: number;
  readonly capacityMs?: number;
  readonly historyMs?: number;
  readonly concealFadeMs?: number;
  /** The block the output pulls, until the first pull measures it. */
  readonly blockMs?: number;
}

/** What one pull delivered. */
export type PullKind = 'idle' | 'prebuffering' | 'playing' | 'concealing' | 'drained';

type State = 'idle' | 'prebuffering' | 'playing' | 'underrun';

interface QueuedFrame {
  readonly pcm: Int16Array;
  offset: number;
}

interface Arrival {
  readonly at: number;
  /** Arrival time minus the media time of the frame's first sample. */
  readonly relative: number;
  readonly lateness: number;
  readonly frameMs: number;
}

export class JitterBuffer {
  readonly sampleRate: number;
  readonly #prebufferMs: number;
  readonly #minTargetMs: number;
  readonly #maxTargetMs: number;
  readonly #capacitySamples: number;
  readonly #historyMs: number;
  readonly #fadeSamples: number;
  readonly #resumeFadeSamples: number;
  readonly #tail: Int16Array;

  #state: State = 'idle';
  #ended = false;
  #queue: QueuedFrame[] = [];
  #buffered = 0;
  #mediaSamples = 0;
  #arrivals: Arrival[] = [];
  /** Scratch for the arrivals' lateness, sorted to find its percentile. */
  #lateness = new Float64Array(64);
  #targetMs: number;
  #blockMs: number;
  #concealPosition = 0;
  #resumeFadeLeft = 0;
  #skippedSamples = 0;
  #underruns = 0;
  #concealedSamples = 0;
  /** Concealment of a dry spell that may yet turn out to be the end of the reply. */
  #unconfirmedSamples = 0;
  #dryConfirmed = false;
  #droppedFrames = 0;
  #lateFrames = 0;
  /** Counted before decoding (packet-order.ts); reported here with the rest. */
  #packetLoss = NO_PACKET_LOSS;

  constructor(options: JitterBufferOptions) {
    this.sampleRate = options.sampleRate;
    this.#blockMs = options.blockMs ?? DEFAULT_BLOCK_MS;
    this.#prebufferMs = options.prebufferMs ?? DEFAULT_PREBUFFER_MS;
    this.#minTargetMs = options.minTargetMs ?? DEFAULT_MIN_TARGET_MS;
    this.#maxTargetMs = options.maxTargetMs ?? DEFAULT_MAX_TARGET_MS;
    if (this.#minTargetMs > this.#maxTargetMs) {
      throw new RangeError('JitterBuffer: minTargetMs exceeds maxTargetMs');
    }
    this.#capacitySamples = msToSamples(options.capacityMs ?? DEFAULT_CAPACITY_MS, this.sampleRate);
    this.#historyMs = options.historyMs ?? DEFAULT_HISTORY_MS;
    this.#fadeSamples = msToSamples(
      options.concealFadeMs ?? DEFAULT_CONCEAL_FADE_MS,
      this.sampleRate,
    );
    this.#resumeFadeSamples = msToSamples(RESUME_FADE_MS, this.sampleRate);
    this.#tail = new Int16Array(msToSamples(CONCEAL_SEGMENT_MS, this.sampleRate));
    this.#targetMs = this.#initialTargetMs();
  }

  /** Whether a reply is buffered or playing (false once it drained or was flushed). */
  get active(): boolean {
    return this.#state !== 'idle';
  }

  /** Pauses skipped in this reply to shed a stall's extra delay (not counted as dropped). */
  get skippedSilenceMs(): number {
    return Math.round(samplesToMs(this.#skippedSamples, this.sampleRate));
  }

  /** This reply's statistics (kept after it drained, until the next `begin()`). */
  get stats(): JitterStats {
    return {
      targetMs: Math.round(this.#targetMs),
      bufferedMs: Math.round(samplesToMs(this.#buffered, this.sampleRate)),
      underruns: this.#underruns,
      concealedMs: Math.round(samplesToMs(this.#concealedSamples, this.sampleRate)),
      droppedFrames: this.#droppedFrames,
      lateFrames: this.#lateFrames,
      ...this.#packetLoss,
    };
  }

  /** The reply's packet loss so far, to report with the buffer's own statistics. */
  notePacketLoss(loss: PacketLossStats): void {
    this.#packetLoss = loss;
  }

  /** A reply starts: whatever was buffered is dropped and the statistics restart. */
  begin(): void {
    this.#clear();
    this.#state = 'prebuffering';
    this.#mediaSamples = 0;
    this.#arrivals = [];
    this.#targetMs = this.#initialTargetMs();
    this.#skippedSamples = 0;
    this.#underruns = 0;
    this.#concealedSamples = 0;
    this.#unconfirmedSamples = 0;
    this.#droppedFrames = 0;
    this.#lateFrames = 0;
    this.#packetLoss = NO_PACKET_LOSS;
  }

  /** One decoded frame and its arrival time (clock ms). Begins a reply if none is open. */
  push(pcm: Int16Array, arrivedAt: number): void {
    if (pcm.length === 0) return;
    if (this.#state === 'idle') this.begin();
    this.#measureArrival(pcm.length, arrivedAt);
    if (this.#state === 'underrun') {
      this.#lateFrames++;
      this.#confirmUnderrun();
    }
    this.#queue.push({ pcm, offset: 0 });
    this.#buffered += pcm.length;
    this.#mediaSamples += pcm.length;
    if (this.#buffered > this.#capacitySamples) this.#dropToTarget();
  }

  /**
   * No more frames for this reply (`tts stop`). Returns true when nothing is left to play, in
   * which case no pull will report `drained`.
   */
  end(): boolean {
    this.#ended = true;
    this.#unconfirmedSamples = 0;
    if (this.#state === 'idle') return true;
    if (this.#buffered === 0) {
      this.#state = 'idle';
      return true;
    }
    return false;
  }

  /** Barge-in: everything buffered is dropped now and the reply is over. */
  flush(): void {
    this.#clear();
  }

  /** Fills `out` with the next block of playout and says what it was. */
  pull(out: Int16Array): PullKind {
    this.#blockMs = samplesToMs(out.length, this.sampleRate);
    if (this.#state === 'prebuffering' || this.#state === 'underrun') {
      // The first start also waits for the prebuffer: the target has not seen any jitter yet.
      const threshold =
        this.#state === 'prebuffering'
          ? Math.max(this.#targetSamples(), msToSamples(this.#prebufferMs, this.sampleRate))
          : this.#targetSamples();
      const ready = this.#buffered >= threshold || (this.#ended && this.#buffered > 0);
      if (!ready) {
        if (this.#state === 'prebuffering') {
          out.fill(0);
          return 'prebuffering';
        }
        this.#conceal(out, 0);
        return 'concealing';
      }
      if (this.#state === 'underrun') this.#resumeFadeLeft = this.#resumeFadeSamples;
      this.#state = 'playing';
    }
    if (this.#state === 'idle') {
      out.fill(0);
      return 'idle';
    }

    this.#skipPauses(out.length);
    const copied = this.#dequeue(out);
    this.#fadeIn(out, copied);
    this.#rememberTail(out, copied);
    if (this.#ended && this.#buffered === 0) {
      out.fill(0, copied);
      this.#state = 'idle';
      return 'drained';
    }
    if (copied === out.length) return 'playing';
    this.#state = 'underrun';
    this.#dryConfirmed = false;
    this.#concealPosition = 0;
    this.#conceal(out, copied);
    return 'concealing';
  }

  #initialTargetMs(): number {
    return clamp(this.#prebufferMs, this.#minTargetMs, this.#maxTargetMs);
  }

  #targetSamples(): number {
    return msToSamples(this.#targetMs, this.sampleRate);
  }

  #clear(): void {
    this.#queue = [];
    this.#buffered = 0;
    this.#state = 'idle';
    this.#ended = false;
    this.#resumeFadeLeft = 0;
    this.#tail.fill(0);
  }

  /** Called for every frame: no arrays are made (the lateness sort reuses one scratch array). */
  #measureArrival(samples: number, arrivedAt: number): void {
    const relative = arrivedAt - samplesToMs(this.#mediaSamples, this.sampleRate);
    const horizon = arrivedAt - this.#historyMs;
    const frameMs = samplesToMs(samples, this.sampleRate);
    let earliest = relative;
    let longestFrameMs = frameMs;
    let kept = 0;
    for (const arrival of this.#arrivals) {
      if (arrival.at < horizon) continue;
      this.#arrivals[kept++] = arrival;
      earliest = Math.min(earliest, arrival.relative);
      longestFrameMs = Math.max(longestFrameMs, arrival.frameMs);
    }
    this.#arrivals.length = kept;
    this.#arrivals.push({ at: arrivedAt, relative, lateness: relative - earliest, frameMs });

    const count = this.#arrivals.length;
    if (this.#lateness.length < count) this.#lateness = new Float64Array(count * 2);
    for (let i = 0; i < count; i++) this.#lateness[i] = this.#arrivals[i]?.lateness ?? 0;
    const lateness = this.#lateness.subarray(0, count).sort();
    const jitterMs = lateness[Math.min(count - 1, Math.floor(TARGET_PERCENTILE * count))] ?? 0;
    // Cover the lateness, one frame (the buffer empties by a whole frame between arrivals) and
    // one output block (pulls are that coarse).
    this.#targetMs = clamp(
      jitterMs + longestFrameMs + this.#blockMs,
      this.#minTargetMs,
      this.#maxTargetMs,
    );
  }

  #dropToTarget(): void {
    const target = this.#targetSamples();
    while (this.#buffered > target) {
      const head = this.#queue.shift();
      if (!head) break;
      this.#buffered -= head.pcm.length - head.offset;
      this.#droppedFrames++;
    }
  }

  /** While more than `maxTarget` is buffered, drops whole silent blocks from the head. */
  #skipPauses(block: number): void {
    const limit = msToSamples(this.#maxTargetMs, this.sampleRate);
    while (this.#buffered - block > limit && this.#headIsSilent(block)) {
      this.#skippedSamples += this.#dequeue(new Int16Array(block));
    }
  }

  #headIsSilent(count: number): boolean {
    let seen = 0;
    for (const frame of this.#queue) {
      for (let i = frame.offset; i < frame.pcm.length && seen < count; i++, seen++) {
        if (Math.abs(frame.pcm[i] ?? 0) > SILENCE_PEAK) return false;
      }
      if (seen === count) break;
    }
    return seen === count;
  }

  /** Copies queued audio into `out` from its start; returns how many samples it copied. */
  #dequeue(out: Int16Array): number {
    let copied = 0;
    while (copied < out.length) {
      const head = this.#queue[0];
      if (!head) break;
      const take = Math.min(out.length - copied, head.pcm.length - head.offset);
      out.set(head.pcm.subarray(head.offset, head.offset + take), copied);
      head.offset += take;
      copied += take;
      if (head.offset === head.pcm.length) this.#queue.shift();
    }
    this.#buffered -= copied;
    return copied;
  }

  /** Cross-fades from the concealment still sounding into the first real samples. */
  #fadeIn(out: Int16Array, copied: number): void {
    const total = this.#resumeFadeSamples;
    let i = 0;
    while (this.#resumeFadeLeft > 0 && i < copied) {
      const weight = (total - this.#resumeFadeLeft + 1) / (total + 1);
      const concealed = this.#concealSample(this.#concealPosition++);
      out[i] = Math.round((out[i] ?? 0) * weight + concealed * (1 - weight));
      this.#resumeFadeLeft--;
      i++;
    }
  }

  #rememberTail(out: Int16Array, copied: number): void {
    const size = this.#tail.length;
    if (copied >= size) {
      this.#tail.set(out.subarray(copied - size, copied));
    } else if (copied > 0) {
      this.#tail.copyWithin(0, copied);
      this.#tail.set(out.subarray(0, copied), size - copied);
    }
  }

  /** Fills `out` from `from` with concealment and counts it. */
  #conceal(out: Int16Array, from: number): void {
    for (let i = from; i < out.length; i++) out[i] = this.#concealSample(this.#concealPosition++);
    if (this.#dryConfirmed) this.#concealedSamples += out.length - from;
    else this.#unconfirmedSamples += out.length - from;
  }

  /** A frame arrived during a dry spell: it was an underrun, not the end of the reply. */
  #confirmUnderrun(): void {
    if (this.#dryConfirmed) return;
    this.#dryConfirmed = true;
    this.#underruns++;
    this.#concealedSamples += this.#unconfirmedSamples;
    this.#unconfirmedSamples = 0;
  }

  /**
   * The last 10 ms played backwards, then forwards, and so on — each turn repeats the sample it
   * turned at, so the signal stays continuous — fading linearly to silence.
   */
  #concealSample(position: number): number {
    if (position >= this.#fadeSamples) return 0;
    const size = this.#tail.length;
    const phase = position % (2 * size);
    const index = phase < size ? size - 1 - phase : phase - size;
    const gain = 1 - position / this.#fadeSamples;
    return Math.round((this.#tail[index] ?? 0) * gain);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
