/**
 * What every tool call leaves in the conversation: one record, with arguments and result
 * summarised by the tool so clipboard contents and URL tokens stay out of the history.
 */
import type { Problem } from '../../../shared/problems.ts';
import type { ToolPreview } from './device-tool.ts';

/** Why a call did not run: the user said no, another question was open, or it was abandoned. */
export type ToolRefusal = 'denied' | 'busy' | 'abandoned';

export interface ToolCallRecord {
  readonly name: string;
  readonly ok: boolean;
  /** Set when the call did not run for one of these reasons (the conversation words it). */
  readonly refusal?: ToolRefusal;
  readonly argsSummary: string;
  readonly resultSummary: string;
  /** Epoch milliseconds when the call finished. */
  readonly at: number;
  /** What the call showed the user before it ran (the screen picture and its destination). */
  readonly preview?: ToolPreview;
}

const REFUSAL_CODES = {
  denied: 'toolDenied',
  busy: 'toolBusy',
  abandoned: 'toolAbandoned',
} as const satisfies Record<ToolRefusal, Problem['code']>;

/**
 * The system line the session appends for a record, for the window to word. A refusal is worded
 * from its reason; the summary's English (written for the server's model) stays in the log.
 */
export function toolCallLine(record: ToolCallRecord): Problem {
  const call = record.argsSummary === '' ? record.name : `${record.name} (${record.argsSummary})`;
  if (record.refusal !== undefined) return { code: REFUSAL_CODES[record.refusal], call };
  return { code: record.ok ? 'toolCalled' : 'toolFailed', call, result: record.resultSummary };
}
