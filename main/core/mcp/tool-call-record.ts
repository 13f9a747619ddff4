/**
 * What every tool call leaves in the conversation: one record, with arguments and result
 * summarised by the tool so clipboard contents and URL tokens stay out of the history.
 */

export interface ToolCallRecord {
  readonly name: string;
  readonly ok: boolean;
  readonly argsSummary: string;
  readonly resultSummary: string;
  /** Epoch milliseconds when the call finished. */
  readonly at: number;
}

/** The text of the system line the session appends for a record. */
export function toolCallLine(record: ToolCallRecord): string {
  const args = record.argsSummary === '' ? '' : ` (${record.argsSummary})`;
  return record.ok
    ? `Tool ${record.name}${args}: ${record.resultSummary}`
    : `Tool ${record.name}${args} failed: ${record.resultSummary}`;
}
