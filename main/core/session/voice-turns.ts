/**
 * Spoken turns (docs/protocol.md §6.2–6.3).
 *
 * - Push-to-talk (`manual`): press → `listen start manual` → frames while held → release →
 *   `listen stop`. A press shorter than MIN_PRESS sends nothing: its frames wait in a small
 *   buffer until the press proves deliberate.
 * - Hands-free (`auto`): `listen start auto`; the server's VAD ends each utterance; the
 *   microphone is off while the reply plays and reopens after the playback drained (sending
 *   during TTS makes the server transcribe its own echo, §8.11). After IDLE_HANGUP without
 *   speech Lumi ends the conversation itself, before the servers' 120 s farewell.
 * - Realtime: like hands-free with the microphone never closed (needs headphones or AEC).
 */
import type { ListenMode } from '../../../shared/assistant.ts';
import { problemOf } from '../../../shared/problem-english.ts';
import type { SessionEvent } from '../../../shared/session-events.ts';
import type { Connection } from '../connection/connection.ts';
import { listenStart, listenStop } from '../protocol/client-messages.ts';
import { type Clock, type TimerHandle, SECOND } from '../util/clock.ts';
import { connectUnlessTrying } from './connect-on-demand.ts';
import type { CuePlayer, VoiceSource, VoiceSourceFactory } from './ports.ts';

export const MIN_PRESS = 300;
/**
 * After the button comes up the microphone keeps streaming this long, then sends its partial
 * frame at once: people let go on their last syllable, and what was spoken before the release is
 * still on its way — one 20 ms capture block in the device, up to two queued in naudiodon, one
 * PulseAudio fragment of the same size (the ALSA plugin asks for the period PortAudio sets).
 * Longer only delays every turn; the end of the speech is in by then (voice-turns.test.ts).
 */
export const RELEASE_TAIL = 80;
export const IDLE_HANGUP = 60 * SECOND;

export interface VoiceOptions {
  readonly sourceFactory?: VoiceSourceFactory;
  readonly cues?: CuePlayer | null;
  readonly minPressMs?: number;
  readonly releaseTailMs?: number;
  readonly idleHangupMs?: number;
  readonly realtimeEnabled?: boolean;
}

interface VoiceDeps {
  readonly connection: Connection;
  readonly clock: Clock;
  readonly mode: ListenMode;
  readonly options: VoiceOptions;
  readonly emit: (event: SessionEvent) => void;
  /** Any change of phase (the assistant state is derived from it). */
  readonly onPhaseChanged: () => void;
  readonly onUtteranceSent: () => void;
  /** Turns may be sent: the server's tool handshake is over (turn-gate.ts). */
  readonly turnsOpen: () => boolean;
  readonly bargeIn: () => void;
  readonly isSpeaking: () => boolean;
}

type Phase =
  | { readonly kind: 'off' }
  /** Wants to talk; waiting for the connection to be ready. */
  | { readonly kind: 'waiting' }
  /** Push-to-talk held, not yet long enough to count. */
  | { readonly kind: 'pressing'; readonly buffered: Uint8Array[]; readonly timer: TimerHandle }
  | { readonly kind: 'listening' }
  /** Push-to-talk released: the tail of the speech still streams before `listen stop`. */
  | { readonly kind: 'releasing'; readonly timer: TimerHandle }
  /** Hands-free: the reply is playing; the microphone reopens after it drained. */
  | { readonly kind: 'replying' };

export class VoiceTurns {
  readonly #deps: VoiceDeps;
  #mode: ListenMode;
  #phase: Phase = { kind: 'off' };
  #handsFree = false;
  #source: VoiceSource | null = null;
  #sourceOff: (() => void)[] = [];
  #idleTimer: TimerHandle | null = null;
  #dropped = 0;
  /**
   * The `listen stop` of a released utterance: held until the server knows the device tools,
   * then being written. The user waits on it, so it counts as a turn in flight.
   */
  #stop: 'none' | 'held' | 'sending' = 'none';

  constructor(deps: VoiceDeps) {
    this.#deps = deps;
    this.#mode = deps.mode;
  }

  get mode(): ListenMode {
    return this.#mode;
  }

  get isListening(): boolean {
    const kind = this.#phase.kind;
    return kind === 'listening' || kind === 'pressing' || kind === 'releasing';
  }

  get wantsToTalk(): boolean {
    return this.#phase.kind !== 'off';
  }

  /** Released, with `listen stop` held until the server knows the device tools. */
  get isStopHeld(): boolean {
    return this.#stop !== 'none';
  }

  setMode(mode: ListenMode): void {
    if (mode === 'realtime' && !this.#deps.options.realtimeEnabled) {
      this.#deps.emit({ type: 'errorOccurred', problem: { code: 'realtimeDisabled' } });
      return;
    }
    if (mode === this.#mode) return;
    this.cancel();
    this.#mode = mode;
  }

  /** The talk button went down (or the hands-free toggle was pressed). */
  start(): void {
    if (this.#mode === 'manual') {
      if (this.#phase.kind === 'releasing') {
        // Pressed again within the tail: the same utterance goes on.
        this.#deps.clock.clearTimeout(this.#phase.timer);
        this.#setPhase({ kind: 'listening' });
        return;
      }
      if (this.#phase.kind === 'pressing' || this.#phase.kind === 'listening') return;
      if (this.#deps.isSpeaking()) this.#deps.bargeIn();
      this.#handsFree = false;
      this.#whenReady();
      return;
    }
    if (!this.#handsFree) {
      this.#handsFree = true;
      if (this.#deps.isSpeaking()) this.#deps.bargeIn();
      this.#whenReady();
    } else if (this.#deps.isSpeaking() || this.#phase.kind === 'replying') {
      this.#deps.bargeIn();
      this.#openListening();
    } else {
      this.#endHandsFree();
    }
  }

  /** The talk button came up. Only push-to-talk cares. */
  stop(): void {
    if (this.#mode !== 'manual') return;
    const phase = this.#phase;
    if (phase.kind === 'pressing') {
      // Too short to be deliberate: nothing was sent, nothing will be.
      this.#deps.clock.clearTimeout(phase.timer);
      this.#setPhase({ kind: 'off' });
      void this.#closeSource();
      return;
    }
    if (phase.kind === 'waiting') {
      this.#setPhase({ kind: 'off' });
      return;
    }
    if (phase.kind !== 'listening') return;
    this.#deps.options.cues?.play('listenStop');
    const timer = this.#deps.clock.setTimeout(() => {
      if (this.#phase.kind !== 'releasing') return;
      this.#source?.flush?.();
      this.#stop = 'held';
      this.#setPhase({ kind: 'off' });
      void this.#closeSource();
      if (this.#deps.turnsOpen()) this.#sendHeldStop();
    }, this.#deps.options.releaseTailMs ?? RELEASE_TAIL);
    this.#setPhase({ kind: 'releasing', timer });
  }

  /** The server's tool handshake ended: a held `listen stop` goes now. */
  onTurnsOpened(): void {
    if (this.#stop === 'held') this.#sendHeldStop();
  }

  /** Drop everything (mode change, disconnect, close). */
  cancel(): void {
    if (this.#phase.kind === 'pressing' || this.#phase.kind === 'releasing') {
      this.#deps.clock.clearTimeout(this.#phase.timer);
    }
    this.#stop = 'none';
    this.#handsFree = false;
    this.#clearIdle();
    this.#setPhase({ kind: 'off' });
    void this.#closeSource();
  }

  onReady(): void {
    if (this.#phase.kind === 'waiting') this.#begin();
  }

  onConnectionLost(): void {
    if (this.#phase.kind !== 'off' || this.#stop !== 'none') this.cancel();
  }

  /** `tts start`: in hands-free mode the microphone rests while Lumi speaks (unless realtime). */
  onReplyStarted(): void {
    this.#clearIdle();
    if (!this.#handsFree || this.#mode === 'realtime') return;
    if (this.#phase.kind === 'listening') {
      this.#setPhase({ kind: 'replying' });
      void this.#closeSource();
    }
  }

  /** The reply finished playing: hands-free listens again. */
  onReplyDrained(drained: boolean): void {
    if (!this.#handsFree || !drained) return;
    if (this.#mode === 'realtime') {
      this.#armIdle();
      return;
    }
    if (this.#phase.kind === 'replying' || this.#phase.kind === 'off') this.#openListening();
  }

  #whenReady(): void {
    if (this.#deps.connection.state.kind === 'ready') {
      this.#begin();
      return;
    }
    this.#setPhase({ kind: 'waiting' });
    connectUnlessTrying(this.#deps.connection);
  }

  #begin(): void {
    if (this.#mode === 'manual') this.#beginPress();
    else this.#openListening();
  }

  #beginPress(): void {
    if (!this.#openSource()) return;
    const buffered: Uint8Array[] = [];
    const timer = this.#deps.clock.setTimeout(() => {
      if (this.#phase.kind !== 'pressing') return;
      void this.#deps.connection.sendJson(listenStart('manual')).catch(() => undefined);
      this.#deps.options.cues?.play('listenStart');
      this.#setPhase({ kind: 'listening' });
      for (const frame of buffered) this.#send(frame);
    }, this.#deps.options.minPressMs ?? MIN_PRESS);
    this.#setPhase({ kind: 'pressing', buffered, timer });
  }

  #openListening(): void {
    if (this.#deps.connection.state.kind !== 'ready') {
      this.#setPhase({ kind: 'waiting' });
      connectUnlessTrying(this.#deps.connection);
      return;
    }
    const mode = this.#mode === 'manual' ? 'auto' : this.#mode;
    void this.#deps.connection.sendJson(listenStart(mode)).catch(() => undefined);
    this.#deps.options.cues?.play('listenStart');
    if (!this.#source && !this.#openSource()) return;
    this.#setPhase({ kind: 'listening' });
    this.#armIdle();
  }

  #endHandsFree(): void {
    const wasListening = this.#phase.kind === 'listening';
    this.cancel();
    if (wasListening) {
      this.#deps.options.cues?.play('listenStop');
      void this.#deps.connection.sendJson(listenStop()).catch(() => undefined);
    }
  }

  #armIdle(): void {
    this.#clearIdle();
    this.#idleTimer = this.#deps.clock.setTimeout(() => {
      this.#idleTimer = null;
      if (!this.#handsFree) return;
      // Hang up before the server's farewell; the next press reconnects.
      this.cancel();
      this.#deps.emit({ type: 'errorOccurred', problem: { code: 'handsFreeEnded' } });
      this.#deps.connection.disconnect();
    }, this.#deps.options.idleHangupMs ?? IDLE_HANGUP);
  }

  #clearIdle(): void {
    if (this.#idleTimer) this.#deps.clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #openSource(): boolean {
    const factory = this.#deps.options.sourceFactory;
    if (!factory) {
      this.#deps.emit({ type: 'errorOccurred', problem: { code: 'noMicrophone' } });
      this.#setPhase({ kind: 'off' });
      return false;
    }
    const source = factory();
    this.#source = source;
    this.#sourceOff = [
      source.on('frame', (opus) => this.#onFrame(opus)),
      source.on('level', (dbfs, speaking) => {
        if (speaking && this.#handsFree && this.#phase.kind === 'listening') this.#armIdle();
        this.#deps.emit({ type: 'inputLevel', dbfs, speaking });
      }),
      source.on('tooQuiet', (dbfs) => this.#deps.emit({ type: 'inputTooQuiet', dbfs })),
      source.on('error', (problem) => {
        this.#deps.emit({ type: 'deviceError', direction: 'input', problem });
        this.cancel();
      }),
      source.on('ended', () => this.stop()),
    ];
    source.start().catch((error: unknown) => {
      if (this.#source !== source) return;
      this.#deps.emit({ type: 'deviceError', direction: 'input', problem: problemOf(error) });
      this.cancel();
    });
    return true;
  }

  async #closeSource(): Promise<void> {
    const source = this.#source;
    this.#source = null;
    for (const off of this.#sourceOff) off();
    this.#sourceOff = [];
    if (source) await source.stop().catch(() => undefined);
  }

  #onFrame(opus: Uint8Array): void {
    const phase = this.#phase;
    if (phase.kind === 'pressing') phase.buffered.push(opus);
    else if (
      phase.kind === 'listening' ||
      phase.kind === 'releasing' ||
      (phase.kind === 'replying' && this.#mode === 'realtime')
    ) {
      this.#send(opus);
    }
  }

  #send(opus: Uint8Array): void {
    if (this.#deps.connection.sendAudio(opus) === 'dropped') {
      this.#dropped += 1;
      this.#deps.emit({ type: 'audioFrameDropped', total: this.#dropped });
    }
  }

  #sendHeldStop(): void {
    this.#stop = 'sending';
    const settled = (sent: boolean): void => {
      if (this.#stop !== 'sending') return; // cancelled meanwhile
      this.#stop = 'none';
      if (sent) this.#deps.onUtteranceSent();
      else this.#deps.onPhaseChanged();
    };
    void this.#deps.connection.sendJson(listenStop()).then(
      () => settled(true),
      () => settled(false),
    );
  }

  #setPhase(phase: Phase): void {
    this.#phase = phase;
    this.#deps.onPhaseChanged();
  }
}
