/**
 * Channel subscriptions of the real-time module (docs/protocol.md §9.2): subscribe and unsubscribe in
 * batches, remember what was asked for, and ask again after every reconnect, because a new
 * server session starts with no subscriptions.
 */
import type { SendMessage } from '../protocol/client-messages.ts';
import type { ServerMessage } from '../protocol/server-messages.ts';

/** Channels per subscribe message at most, so one huge set cannot make one huge frame. */
export const MAX_CHANNELS_PER_MESSAGE = 100;

function batches(channels: readonly string[]): string[][] {
  const result: string[][] = [];
  for (let start = 0; start < channels.length; start += MAX_CHANNELS_PER_MESSAGE) {
    result.push(channels.slice(start, start + MAX_CHANNELS_PER_MESSAGE));
  }
  return result;
}

function distinct(channels: readonly string[]): string[] {
  return [...new Set(channels.filter((channel) => channel !== ''))];
}

export class SubscriptionManager {
  readonly #send: SendMessage;
  readonly #wanted = new Set<string>();
  readonly #confirmed = new Set<string>();

  constructor(send: SendMessage) {
    this.#send = send;
  }

  /** The channels asked for, whether or not the server has confirmed them yet. */
  get channels(): ReadonlySet<string> {
    return this.#wanted;
  }

  /** Whether the server of the current session confirmed this channel. */
  isConfirmed(channel: string): boolean {
    return this.#confirmed.has(channel);
  }

  /**
   * Add channels and ask for the new ones in one message. While the connection is down the
   * send fails; the channels stay wanted and go out with the next `sessionReady()`.
   */
  subscribe(channels: readonly string[]): void {
    const added = distinct(channels).filter((channel) => !this.#wanted.has(channel));
    for (const channel of added) this.#wanted.add(channel);
    this.#request('subscribe', added);
  }

  /** Drop channels and tell the server about those that were wanted, in one message. */
  unsubscribe(channels: readonly string[]): void {
    const removed = distinct(channels).filter((channel) => this.#wanted.has(channel));
    for (const channel of removed) {
      this.#wanted.delete(channel);
      this.#confirmed.delete(channel);
    }
    this.#request('unsubscribe', removed);
  }

  /** The session is ready (first connect or reconnect): ask for every wanted channel again. */
  sessionReady(): void {
    this.#confirmed.clear();
    this.#request('subscribe', [...this.#wanted]);
  }

  /** Feed one parsed server message; true when it was a subscription acknowledgement. */
  handle(message: ServerMessage): boolean {
    if (message.type === 'subscribed') {
      for (const channel of message.channels) {
        if (this.#wanted.has(channel)) this.#confirmed.add(channel);
      }
      return true;
    }
    if (message.type === 'unsubscribed') {
      for (const channel of message.channels) this.#confirmed.delete(channel);
      return true;
    }
    return false;
  }

  #request(type: 'subscribe' | 'unsubscribe', channels: readonly string[]): void {
    for (const batch of batches(channels)) this.#send({ type, channels: batch });
  }
}
