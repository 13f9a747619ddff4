/**
 * The hello that opens every server session (docs/protocol.md §2): sent once the carrier is up,
 * once more after HELLO_RESEND_AFTER for a control panel that swallowed the first (§2.3, §8.8),
 * and the attempt cut with `helloTimedOut` when no server hello came within the hello timeout.
 * A server hello answers ours only when it names our transport: the firmware ignores a hello of
 * another transport and keeps waiting.
 */
import type { Problem } from '../../../shared/problems.ts';
import type { ServerHello } from '../protocol/server-messages.ts';
import type { Clock } from '../util/clock.ts';
import { NamedTimers } from '../util/named-timers.ts';
import { HELLO_RESEND_AFTER, type ServerAudioParams } from './options.ts';

export interface HandshakeHooks {
  /** Write the hello (and log it). */
  readonly send: (text: string) => void;
  /** Still this attempt, still waiting for the server's hello. */
  readonly waiting: () => boolean;
  /** No server hello in time: cut the attempt with `cause`. */
  readonly timedOut: (cause: Problem) => void;
}

/** The hello timers of one attempt at a time; stopped when the hello came or the attempt ended. */
export class Handshake {
  readonly #timers: NamedTimers<'hello' | 'helloResend'>;
  readonly #timeoutMs: number;

  constructor(clock: Clock, timeoutMs: number) {
    this.#timers = new NamedTimers(clock);
    this.#timeoutMs = timeoutMs;
  }

  /** Send `text`, the client hello, and wait for the server's. */
  start(text: string, hooks: HandshakeHooks): void {
    hooks.send(text);
    this.#timers.set('helloResend', HELLO_RESEND_AFTER, () => {
      if (hooks.waiting()) hooks.send(text);
    });
    this.#timers.set('hello', this.#timeoutMs, () => {
      hooks.timedOut({ code: 'helloTimedOut', seconds: Math.ceil(this.#timeoutMs / 1000) });
    });
  }

  stop(): void {
    this.#timers.clearAll();
  }
}

/** Whether `hello` answers ours: it names `transport`, unless the dialect has its own rule. */
export function answersHello(
  hello: ServerHello,
  transport: 'websocket' | 'udp',
  accept?: (hello: ServerHello) => boolean,
): boolean {
  return accept ? accept(hello) : hello.transport === transport;
}

/** The server's audio as its hello announces it; before one, what servers send by default. */
export function serverAudioOf(hello: ServerHello | null): ServerAudioParams {
  const params = hello?.audio_params;
  return {
    sampleRate: params?.sample_rate ?? 24_000,
    frameDurationMs: params?.frame_duration ?? 60,
  };
}
