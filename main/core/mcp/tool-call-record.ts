/**
 * What every tool call leaves in the conversation: one record, with arguments and result
 * summarised by the tool so clipboard contents and URL tokens stay out of the history.
 */
import type { Problem } from '../../../shared/problems.ts';
import type { ToolPreview } from './device-tool.ts';

export interface ToolCallRecord {
  readonly name: string;
  readonly ok: boolean;
  readonly argsSummary: string;
  readonly resultSummary: string;
  /** Epoch milliseconds when the call finished. */
  readonly at: number;
  /** What the call showed the user before it ran (the screen picture and its destination). */
  readonly preview?: ToolPreview;
}

/** The system line the session appends for a record, for the window to word. */
export function toolCallLine(record: ToolCallRecord): Problem {
  const call = record.argsSummary === '' ? record.name : `${record.name} (${record.argsSummary})`;
  return { code: record.ok ? 'toolCalled' : 'toolFailed', call, result: record.resultSummary };
}
