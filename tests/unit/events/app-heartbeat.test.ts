import { describe, expect, it } from 'vitest';
import {
  APP_PING_INTERVAL,
  APP_PONG_TIMEOUT,
  AppHeartbeat,
} from '../../../main/core/events/app-heartbeat.ts';
import type { ClientMessage } from '../../../main/core/protocol/client-messages.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const sent: ClientMessage[] = [];
  const state = { up: true, silent: 0 };
  const heartbeat = new AppHeartbeat({
    clock,
    send: (message) => {
      if (!state.up) return false;
      sent.push(message);
      return true;
    },
    onSilent: () => state.silent++,
  });
  return { clock, sent, state, heartbeat };
}

describe('AppHeartbeat', () => {
  it('pings every 30 s while the server answers', () => {
    const { clock, sent, state, heartbeat } = setup();
    heartbeat.start();
    clock.advance(APP_PING_INTERVAL - 1);
    expect(sent).toEqual([]);
    clock.advance(1);
    for (let beat = 1; beat <= 4; beat++) {
      expect(sent).toHaveLength(beat);
      // The server answers after 2 s; the next ping is due 28 s later.
      clock.advance(2_000);
      expect(heartbeat.handle({ type: 'pong', timestamp: '2026-11-21 19:00:00' })).toBe(true);
      clock.advance(APP_PING_INTERVAL - 2_000);
    }
    expect(sent.every((message) => message.type === 'ping')).toBe(true);
    expect(state.silent).toBe(0);
  });

  it('declares the server silent when a pong does not come within 10 s', () => {
    const { clock, sent, state, heartbeat } = setup();
    heartbeat.start();
    clock.advance(APP_PING_INTERVAL);
    expect(sent).toHaveLength(1);
    clock.advance(APP_PONG_TIMEOUT - 1);
    expect(state.silent).toBe(0);
    clock.advance(1);
    expect(state.silent).toBe(1);
    expect(heartbeat.running).toBe(false);
    clock.advance(10 * APP_PING_INTERVAL);
    expect(sent).toHaveLength(1);
    expect(state.silent).toBe(1);
  });

  it('does not wait for a pong to a ping that could not be sent', () => {
    const { clock, state, heartbeat } = setup();
    state.up = false;
    heartbeat.start();
    clock.advance(APP_PING_INTERVAL + APP_PONG_TIMEOUT);
    expect(state.silent).toBe(0);
    expect(heartbeat.running).toBe(true);
  });

  it('stops cleanly and can start again', () => {
    const { clock, sent, state, heartbeat } = setup();
    heartbeat.start();
    clock.advance(APP_PING_INTERVAL);
    heartbeat.stop();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(APP_PONG_TIMEOUT);
    expect(state.silent).toBe(0);
    heartbeat.start();
    clock.advance(APP_PING_INTERVAL);
    expect(sent).toHaveLength(2);
  });

  it('ignores messages other than pong', () => {
    const { heartbeat } = setup();
    expect(heartbeat.handle({ type: 'stt', text: 'x' })).toBe(false);
  });
});
