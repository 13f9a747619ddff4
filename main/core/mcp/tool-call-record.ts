/**
 * What every tool call leaves in the conversation: one record, with arguments and result
 * summarised by the tool so clipboard contents and URL tokens stay out of the history.
 */
import type { Problem } from '../../../shared/problems.ts';
import type { ToolPreview } from './device-tool.ts';

/** Why a call did not run: the user said no, another question was open, or it was abandoned. */
export type ToolRefusal = 'denied' | 'busy' | 'abandoned';

/**
 * Why a call failed, when Lumi has words for it; other failures show the system's text. The
 * server's model gets the English message either way.
 */
export type ToolFailure =
  | 'unknown'
  | 'notAllowed'
  | 'noVision'
  | 'unavailable'
  | 'badArguments'
  | 'pictureTooLarge'
  | 'visionRefused'
  | 'visionFailed'
  | 'linkRefused';

/**
 * A result as the conversation shows it: the tool's own text, or what Lumi did (a count of
 * characters rather than the clipboard's contents, the vision answer after what was looked at).
 */
export type ToolSummary =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'characters'; readonly count: number }
  | { readonly kind: 'lookedAtScreen' | 'tookPhoto'; readonly answer: string };

const SUMMARY_ENGLISH = {
  lookedAtScreen: 'looked at the screen',
  tookPhoto: 'took a photo',
} as const;

/** A summary in English, for the log and the records the CLI prints. */
export function summaryEnglish(summary: ToolSummary): string {
  switch (summary.kind) {
    case 'text':
      return summary.text;
    case 'characters':
      return `${summary.count} characters`;
    default: {
      const did = SUMMARY_ENGLISH[summary.kind];
      return summary.answer === '' ? did : `${did}: ${summary.answer}`;
    }
  }
}

export interface ToolCallRecord {
  readonly name: string;
  readonly ok: boolean;
  /** Set when the call did not run for one of these reasons (the conversation words it). */
  readonly refusal?: ToolRefusal;
  /** Set when the call failed in a way Lumi has words for. */
  readonly failure?: ToolFailure;
  readonly argsSummary: string;
  /** The result (or the failure's message) in English, for the log. */
  readonly resultSummary: string;
  /** A result the conversation words, on calls that ran. */
  readonly summary?: ToolSummary;
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

const FAILURE_CODES = {
  unknown: 'toolUnknown',
  notAllowed: 'toolNotAllowed',
  noVision: 'toolNoVision',
  unavailable: 'toolUnavailable',
  badArguments: 'toolBadArguments',
  pictureTooLarge: 'toolPictureTooLarge',
  visionRefused: 'toolVisionRefused',
  visionFailed: 'toolVisionFailed',
  linkRefused: 'toolLinkRefused',
} as const satisfies Record<ToolFailure, Problem['code']>;

/**
 * The system line the session appends for a record, for the window to word. A refusal or a
 * failure Lumi knows is worded from its reason, a result from its summary; the English
 * (written for the server's model) stays in the log.
 */
export function toolCallLine(record: ToolCallRecord): Problem {
  const call = record.argsSummary === '' ? record.name : `${record.name} (${record.argsSummary})`;
  if (record.refusal !== undefined) return { code: REFUSAL_CODES[record.refusal], call };
  if (record.failure !== undefined) return { code: FAILURE_CODES[record.failure], call };
  if (!record.ok) return { code: 'toolFailed', call, result: record.resultSummary };
  const summary = record.summary ?? { kind: 'text', text: record.resultSummary };
  switch (summary.kind) {
    case 'text':
      return { code: 'toolCalled', call, result: summary.text };
    case 'characters':
      return { code: 'toolCalledCharacters', call, count: summary.count };
    case 'lookedAtScreen':
      return { code: 'toolLookedAtScreen', call, answer: summary.answer };
    case 'tookPhoto':
      return { code: 'toolTookPhoto', call, answer: summary.answer };
  }
}
