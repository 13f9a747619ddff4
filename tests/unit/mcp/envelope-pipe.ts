/**
 * The wire between an MCP client and Lumi's DeviceMcpServer, as a real server session would
 * carry it: every JSON-RPC message travels as `{"type":"mcp","payload":…}` text, encoded by
 * Lumi's encoder and parsed at Lumi's protocol edge. The SDK `Client` plugs in through
 * `clientTransport`; raw xiaozhi-style requests go through `request`.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import {
  encodeClientMessage,
  type ClientMessage,
} from '../../../main/core/protocol/client-messages.ts';
import { parseServerText } from '../../../main/core/protocol/parse.ts';

type Payload = Record<string, unknown>;

export class EnvelopePipe {
  /** Every payload the device sent, in order. */
  readonly replies: Payload[] = [];
  /** Every wire text the device sent. */
  readonly wire: string[] = [];
  /** Whether the device's send succeeds (false: the connection is down). */
  open = true;

  #deliverToDevice: ((payload: Payload) => void) | null = null;
  #clientTransport: PipeClientTransport | null = null;
  #waiters: { match: (payload: Payload) => boolean; resolve: (payload: Payload) => void }[] = [];

  /** What the DeviceMcpServer gets as its `send`. */
  readonly deviceSend = (message: ClientMessage): boolean => {
    if (!this.open) return false;
    const text = encodeClientMessage(message, 'session-1');
    this.wire.push(text);
    const parsed = JSON.parse(text) as { type: string; payload: Payload };
    if (parsed.type !== 'mcp') throw new Error(`device sent a ${parsed.type} message`);
    this.replies.push(parsed.payload);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(parsed.payload)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(parsed.payload);
      }
    }
    const transport = this.#clientTransport;
    if (transport) queueMicrotask(() => transport.onmessage?.(parsed.payload as JSONRPCMessage));
    return true;
  };

  /** Where server → device payloads go (DeviceMcpServer#handle). */
  connectDevice(handle: (payload: Payload) => void): void {
    this.#deliverToDevice = handle;
  }

  /** Send one server → device payload through the protocol edge. */
  toDevice(payload: Payload): void {
    const frame = parseServerText(JSON.stringify({ type: 'mcp', payload }));
    if (frame.kind !== 'message' || frame.message.type !== 'mcp') {
      throw new Error(`the edge did not parse an mcp message: ${JSON.stringify(frame)}`);
    }
    this.#deliverToDevice?.(frame.message.payload);
  }

  /** Send a raw request and wait for the next reply carrying its id. */
  request(payload: Payload): Promise<Payload> {
    const reply = this.nextReply((candidate) => candidate['id'] === payload['id']);
    this.toDevice(payload);
    return reply;
  }

  /** The next reply that matches. */
  nextReply(match: (payload: Payload) => boolean): Promise<Payload> {
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** A Transport for the SDK Client on the server side of the pipe. */
  clientTransport(): Transport {
    const transport = new PipeClientTransport((payload) => this.toDevice(payload));
    this.#clientTransport = transport;
    return transport;
  }
}

class PipeClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #toDevice: (payload: Payload) => void;

  constructor(toDevice: (payload: Payload) => void) {
    this.#toDevice = toDevice;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    this.#toDevice(message as Payload);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.onclose?.();
    return Promise.resolve();
  }
}
