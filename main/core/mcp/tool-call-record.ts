/**
 * What every tool call leaves in the conversation: one record, with arguments and result
 * summarised by the tool so clipboard contents and URL tokens stay out of the history.
 */
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

/** The text of the system line the session appends for a record. */
export function toolCallLine(record: ToolCallRecord): string {
  const args = record.argsSummary === '' ? '' : ` (${record.argsSummary})`;
  return record.ok
    ? `Tool ${record.name}${args}: ${record.resultSummary}`
    : `Tool ${record.name}${args} failed: ${record.resultSummary}`;
}
