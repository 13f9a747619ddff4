import { describe, expect, it } from 'vitest';
import {
  MAX_CHANNELS_PER_MESSAGE,
  SubscriptionManager,
} from '../../../main/core/events/subscriptions.ts';
import type { ClientMessage } from '../../../main/core/protocol/client-messages.ts';
import { encodeClientMessage } from '../../../main/core/protocol/client-messages.ts';

/** A connection that can be up or down; sent messages are encoded as on the wire. */
function link() {
  const state = { up: true, sent: [] as Record<string, unknown>[] };
  const send = (message: ClientMessage): boolean => {
    if (!state.up) return false;
    state.sent.push(JSON.parse(encodeClientMessage(message, null)) as Record<string, unknown>);
    return true;
  };
  return { state, send };
}

describe('SubscriptionManager', () => {
  it('subscribes a batch of channels in one message, skipping known ones', () => {
    const { state, send } = link();
    const subscriptions = new SubscriptionManager(send);
    subscriptions.subscribe(['conversation:1', 'task:9', 'conversation:1', '']);
    subscriptions.subscribe(['task:9', 'task:10']);
    expect(state.sent).toEqual([
      { type: 'subscribe', channels: ['conversation:1', 'task:9'] },
      { type: 'subscribe', channels: ['task:10'] },
    ]);
    expect([...subscriptions.channels]).toEqual(['conversation:1', 'task:9', 'task:10']);
  });

  it('sends nothing for a subscribe that adds nothing', () => {
    const { state, send } = link();
    const subscriptions = new SubscriptionManager(send);
    subscriptions.subscribe(['a']);
    subscriptions.subscribe(['a']);
    subscriptions.subscribe([]);
    expect(state.sent).toHaveLength(1);
  });

  it('unsubscribes only what was subscribed, in one message', () => {
    const { state, send } = link();
    const subscriptions = new SubscriptionManager(send);
    subscriptions.subscribe(['a', 'b', 'c']);
    subscriptions.unsubscribe(['b', 'c', 'zzz']);
    subscriptions.unsubscribe(['zzz']);
    expect(state.sent.slice(1)).toEqual([{ type: 'unsubscribe', channels: ['b', 'c'] }]);
    expect([...subscriptions.channels]).toEqual(['a']);
  });

  it('re-subscribes everything in one batch when the session is ready again', () => {
    const { state, send } = link();
    const subscriptions = new SubscriptionManager(send);
    subscriptions.subscribe(['a', 'b']);
    subscriptions.handle({ type: 'subscribed', channels: ['a', 'b'] });
    expect(subscriptions.isConfirmed('a')).toBe(true);

    state.up = false; // the connection drops
    subscriptions.subscribe(['c']);
    subscriptions.unsubscribe(['b']);
    state.up = true;
    state.sent.length = 0;
    subscriptions.sessionReady();
    expect(state.sent).toEqual([{ type: 'subscribe', channels: ['a', 'c'] }]);
    expect(subscriptions.isConfirmed('a')).toBe(false);
    subscriptions.handle({ type: 'subscribed', channels: ['a', 'c', 'stranger'] });
    expect(subscriptions.isConfirmed('c')).toBe(true);
    expect(subscriptions.isConfirmed('stranger')).toBe(false);
  });

  it('sends nothing on ready with no channels', () => {
    const { state, send } = link();
    new SubscriptionManager(send).sessionReady();
    expect(state.sent).toEqual([]);
  });

  it('splits a very large set into bounded messages', () => {
    const { state, send } = link();
    const subscriptions = new SubscriptionManager(send);
    const many = Array.from({ length: MAX_CHANNELS_PER_MESSAGE + 5 }, (_, i) => `c${i}`);
    subscriptions.subscribe(many);
    expect(state.sent.map((message) => (message['channels'] as string[]).length)).toEqual([
      MAX_CHANNELS_PER_MESSAGE,
      5,
    ]);
  });

  it('forgets the confirmation of an unsubscribed channel', () => {
    const { send } = link();
    const subscriptions = new SubscriptionManager(send);
    subscriptions.subscribe(['a']);
    subscriptions.handle({ type: 'subscribed', channels: ['a'] });
    expect(subscriptions.handle({ type: 'unsubscribed', channels: ['a'] })).toBe(true);
    expect(subscriptions.isConfirmed('a')).toBe(false);
    expect(subscriptions.handle({ type: 'pong' })).toBe(false);
  });
});
