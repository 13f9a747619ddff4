/**
 * The text the connection writes: the hello of the transport (docs/protocol.md §2.1, §1.4) and
 * every other message of the session, each through the dialect's decoration when one is set.
 */
import { errorDetail } from '../../../shared/problems.ts';
import {
  buildHello,
  encodeClientMessage,
  type ClientMessage,
} from '../protocol/client-messages.ts';
import type { ConnectionOptions } from './options.ts';

/** The hello for `transport`: the MQTT one is version 3, since UDP carries bare Opus. */
export function helloText(options: ConnectionOptions, transport: 'websocket' | 'udp'): string {
  const hello = buildHello({
    protocolVersion: transport === 'udp' ? 3 : (options.protocolVersion ?? 1),
    transport,
    ...(options.frameDuration ? { frameDuration: options.frameDuration } : {}),
    ...(options.mcp === undefined ? {} : { mcp: options.mcp }),
  });
  return JSON.stringify(options.decorateHello ? options.decorateHello(hello) : hello);
}

/** One message of session `sessionId`; throws when it does not encode. */
export function messageText(
  options: ConnectionOptions,
  message: ClientMessage,
  sessionId: string | null,
): string {
  try {
    const encoded = encodeClientMessage(message, sessionId);
    const decorate = options.decorateMessage;
    return decorate
      ? JSON.stringify(decorate(JSON.parse(encoded) as Record<string, unknown>))
      : encoded;
  } catch (error) {
    throw new Error(`Refused to send a malformed message: ${errorDetail(error)}`, {
      cause: error,
    });
  }
}
