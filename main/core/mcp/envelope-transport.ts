/**
 * An MCP SDK Transport over the xiaozhi envelope: JSON-RPC arrives as the `payload` of
 * `{"type":"mcp"}` server messages and leaves as the payload of our own `mcp` messages
 * (protocol.md §3.6). One transport serves one server session; once closed it drops whatever a
 * late handler still tries to send, so a reply never reaches the next session, where the same
 * request ids start over at 1.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  JSONRPCMessageSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { mcpReply, type ClientMessage } from '../protocol/client-messages.ts';

/** Sends one message on the current connection; false when it could not be sent. */
export type SendMessage = (message: ClientMessage) => boolean;

export class EnvelopeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #send: SendMessage;
  #closed = false;

  constructor(send: SendMessage) {
    this.#send = send;
  }

  get closed(): boolean {
    return this.#closed;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (!this.#send(mcpReply(message))) {
      return Promise.reject(new Error('MCP reply not sent: the connection is not open'));
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.onclose?.();
    return Promise.resolve();
  }

  /**
   * Hand one inbound payload to the SDK. A payload that is not JSON-RPC but carries an id is
   * answered with an error here, because the SDK would drop it without a reply and the server
   * would wait 30 s for nothing.
   */
  deliver(payload: Readonly<Record<string, unknown>>): void {
    if (this.#closed) return;
    const parsed = JSONRPCMessageSchema.safeParse(payload);
    if (parsed.success) {
      this.onmessage?.(parsed.data);
      return;
    }
    const id = payload['id'];
    if (typeof id === 'number' || typeof id === 'string') {
      this.#send(
        mcpReply({
          jsonrpc: '2.0',
          id,
          error: { code: ErrorCode.InvalidRequest, message: 'Invalid Request' },
        }),
      );
    }
    this.onerror?.(new Error(`Not a JSON-RPC message: ${JSON.stringify(payload).slice(0, 200)}`));
  }
}
