/**
 * The original Lumi message dialect (docs/protocol.md §9.1), spoken by profiles with `dialect: 'lumi'`:
 * every outgoing message carries its own `id` (UUID) and an ISO `timestamp`; the hello adds
 * `device_id` and `device_info`, and the server's hello echoes the hello's `id`; typed text goes
 * out as `{type:'chat', id, content}` and the answer comes back as `response` with that id.
 *
 * The methods fit the connection's hooks (`decorateHello`, `acceptHello`, `decorateMessage`).
 */
import { randomUUID } from '../util/crypto.ts';
import { machine, release } from 'node:os';
import type { ClientHello, ClientMessage } from '../protocol/client-messages.ts';
import type { ServerHello, ServerMessageOf } from '../protocol/server-messages.ts';
import type { Clock } from '../util/clock.ts';

/** Chats awaiting their `response` at most; older ones are forgotten. */
export const MAX_PENDING_CHATS = 64;

export interface DeviceInfo {
  readonly platform: string;
  readonly model: string;
  readonly os_version: string;
}

/** This machine, as the dialect's `device_info` describes a device. */
export function nodeDeviceInfo(): DeviceInfo {
  return { platform: process.platform, model: machine(), os_version: release() };
}

export interface LumiDialectOptions {
  readonly deviceId: string;
  readonly deviceInfo: DeviceInfo;
  readonly clock: Clock;
  readonly newId?: () => string;
}

export interface MatchedResponse {
  /** The id of the chat message this answers. */
  readonly chatId: string;
  readonly content: string;
}

export class LumiDialect {
  readonly #options: LumiDialectOptions;
  readonly #newId: () => string;
  readonly #pending = new Set<string>();
  #helloId: string | null = null;

  constructor(options: LumiDialectOptions) {
    this.#options = options;
    this.#newId = options.newId ?? randomUUID;
  }

  /** The hello with its own id and the device's identity (one call per connection attempt). */
  readonly decorateHello = (hello: ClientHello): Record<string, unknown> => {
    this.#helloId = this.#newId();
    return {
      id: this.#helloId,
      ...hello,
      device_id: this.#options.deviceId,
      device_info: { ...this.#options.deviceInfo },
      timestamp: this.#timestamp(),
    };
  };

  /**
   * A server hello answers ours when it echoes our hello's id. A hello without an id is
   * accepted too: a xiaozhi server ignores the dialect's fields and never echoes one.
   */
  readonly acceptHello = (hello: ServerHello): boolean =>
    hello.transport === 'websocket' && (hello.id === undefined || hello.id === this.#helloId);

  /** Every other message: keep an id it already has (a chat's), else give it one. */
  readonly decorateMessage = (message: Record<string, unknown>): Record<string, unknown> => {
    const id = typeof message['id'] === 'string' ? message['id'] : this.#newId();
    return {
      id,
      ...message,
      device_id: this.#options.deviceId,
      timestamp: this.#timestamp(),
    };
  };

  /**
   * Typed text as the dialect's `chat`. The id (default: a new UUID; the session may pass its
   * outbox item's id) is remembered until the matching `response` arrives.
   */
  chat(content: string, id: string = this.#newId()): ClientMessage {
    this.#pending.add(id);
    if (this.#pending.size > MAX_PENDING_CHATS) {
      const oldest = this.#pending.values().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
    return { type: 'chat', id, content };
  }

  /** The chat a `response` answers, or null when it answers none of ours. */
  matchResponse(response: ServerMessageOf<'response'>): MatchedResponse | null {
    if (!this.#pending.delete(response.id)) return null;
    return { chatId: response.id, content: response.content };
  }

  #timestamp(): string {
    return new Date(this.#options.clock.now()).toISOString();
  }
}
