/**
 * What the CLI prints for each session event: one JSON object per line with an `event` field
 * (`--json`), or short human lines. Errors go to stderr as one line, never a stack.
 */
import type { ConnectionState } from '../../shared/connection-state.ts';
import { describeConnectionTrouble, describeProblem } from '../../shared/problem-english.ts';
import type { Problem } from '../../shared/problems.ts';
import type { SessionEvent } from '../../shared/session-events.ts';
import { jsonLine, terminalSafe } from './terminal-text.ts';

export type CliEvent = { readonly event: string } & Record<string, unknown>;

/** Map a session event to the CLI's JSON event, or null for events the CLI does not print. */
export function toCliEvent(event: SessionEvent, verbose: boolean): CliEvent | null {
  switch (event.type) {
    case 'connectionChanged':
      return { event: 'state', connection: event.next.kind, ...connectionDetail(event.next) };
    case 'assistantChanged':
      return { event: 'state', assistant: event.next };
    case 'modeChanged':
      return { event: 'mode', mode: event.mode };
    case 'turnsOpened':
      return verbose ? { event: 'turns_open', why: event.why, waitedMs: event.waitedMs } : null;
    case 'userTranscribed':
      return { event: 'stt', text: event.text };
    case 'sentenceStarted':
      return { event: 'sentence', text: event.text };
    case 'emotionChanged':
      return { event: 'emotion', emotion: event.emotion, emoji: event.emoji };
    case 'alertReceived':
      return {
        event: 'alert',
        status: event.status,
        message: event.message,
        emotion: event.emotion,
      };
    case 'errorOccurred':
      return { event: 'error', ...problemFields(event.problem) };
    case 'turnEnded':
      return { event: 'turn_end', aborted: event.aborted, timings: event.timings };
    case 'outboxChanged':
      return {
        event: 'outbox',
        id: event.item.id,
        status: event.item.status,
        text: event.item.text,
      };
    case 'playbackDrained':
      return { event: 'playback_drained' };
    case 'audioFrameSkipped':
      return { event: 'audio_skipped', reason: describeProblem(event.problem), total: event.total };
    case 'audioFrameDropped':
      return { event: 'audio_dropped', total: event.total };
    case 'deviceError':
      return {
        event: 'error',
        ...problemFields(event.problem),
        direction: event.direction,
        message: `${event.direction} device: ${describeProblem(event.problem)}`,
      };
    case 'inputTooQuiet':
      return {
        event: 'warning',
        message: `The microphone is very quiet (${event.dbfs.toFixed(0)} dBFS).`,
      };
    case 'jitterStats':
      return verbose ? { event: 'jitter', ...event.stats } : null;
    case 'protocolLogged':
      return verbose ? { event: 'protocol', ...event.entry } : null;
    case 'inputLevel':
    case 'messageUpserted':
    case 'messageAppended':
      return null;
  }
}

/** A problem in the JSON output: its code and parameters, and its English words. */
function problemFields(problem: Problem): Record<string, unknown> {
  return { ...problem, message: describeProblem(problem) };
}

function connectionDetail(state: ConnectionState): Record<string, unknown> {
  switch (state.kind) {
    case 'ready':
      return { sessionId: state.sessionId, transport: state.transport };
    case 'reconnecting':
      return {
        attempt: state.attempt,
        retryAt: state.retryAt,
        cause: state.cause,
        reason: describeConnectionTrouble(state),
      };
    case 'connecting':
      return { attempt: state.attempt };
    case 'disconnected':
      return { reason: state.reason };
    case 'failed':
      return {
        cause: state.cause,
        error: describeConnectionTrouble(state),
        retryAt: state.retryAt,
      };
    case 'authFailed':
      return { cause: state.cause, error: describeConnectionTrouble(state) };
    default:
      return {};
  }
}

/** One human line for an event, or null to stay quiet. */
export function toHumanLine(event: CliEvent): string | null {
  switch (event.event) {
    case 'state':
      if (typeof event.connection === 'string') {
        const detail = event.error ?? event.reason;
        return `· ${event.connection}${typeof detail === 'string' ? ` — ${detail}` : ''}`;
      }
      return null;
    case 'stt':
      return `you:  ${String(event.text)}`;
    case 'sentence':
      return `lumi: ${String(event.text)}`;
    case 'emotion':
      return `      ${String(event.emoji)}`;
    case 'alert':
      return `! ${String(event.status)}: ${String(event.message)}`;
    case 'error':
    case 'warning':
      return `! ${String(event.message)}`;
    case 'tool_call':
      return `· tool ${String(event.name)} ${event.ok ? 'done' : 'refused'}`;
    case 'turn_end': {
      const timings = event.timings as { firstAudioMs: number | null; totalMs: number };
      const first = timings.firstAudioMs === null ? '' : `first audio ${timings.firstAudioMs} ms, `;
      return `· turn ${event.aborted ? 'aborted' : 'done'} (${first}total ${timings.totalMs} ms)`;
    }
    case 'protocol':
      return `  ${String(event.direction)} ${String(event.text)}`;
    default:
      return null;
  }
}

export interface Printer {
  event(event: CliEvent): void;
  /** A line for people only (never in --json output). */
  info(line: string): void;
}

/**
 * The printer of a run. Human lines carry server text (sentences, alerts, activation messages),
 * so they go through terminalSafe; JSON lines are escaped by jsonLine.
 */
export function createPrinter(json: boolean, out: NodeJS.WritableStream): Printer {
  return {
    event(event) {
      if (json) out.write(jsonLine(event));
      else {
        const line = toHumanLine(event);
        if (line !== null) out.write(`${terminalSafe(line)}\n`);
      }
    },
    info(line) {
      if (!json) out.write(`${terminalSafe(line)}\n`);
    },
  };
}
