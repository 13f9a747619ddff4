/**
 * The entries of the protocol log (the debug view, the CLI's log): every text either way, clipped
 * so that a hostile megabyte frame costs the log 500 characters.
 */
import type { ProtocolLogEntry } from '../../../shared/session-events.ts';
import type { InboundFrame } from '../protocol/parse.ts';

const LOG_TEXT_LIMIT = 500;

export function protocolLogEntry(
  at: number,
  direction: ProtocolLogEntry['direction'],
  kind: ProtocolLogEntry['kind'],
  text: string,
): ProtocolLogEntry {
  const clipped = text.length > LOG_TEXT_LIMIT ? `${text.slice(0, LOG_TEXT_LIMIT)}…` : text;
  return { at, direction, kind, text: clipped };
}

/** How a server text of a session shows in the log. */
export function inboundLogKind(frame: InboundFrame): ProtocolLogEntry['kind'] {
  return frame.kind === 'message' ? 'json' : frame.kind === 'text' ? 'text' : 'invalid';
}
