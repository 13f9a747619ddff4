import { describe, expect, it } from 'vitest';
import type { AssistantState } from '../../../shared/assistant.ts';
import {
  deriveAssistantState,
  type AssistantFacts,
} from '../../../main/core/session/assistant-state.ts';
import {
  INITIALIZE_WAIT,
  MAX_WAIT,
  TurnGate,
  type GateOpening,
} from '../../../main/core/session/turn-gate.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

function gate(): { clock: ManualClock; gate: TurnGate; opened: [GateOpening, number][] } {
  const clock = new ManualClock();
  const opened: [GateOpening, number][] = [];
  return { clock, gate: new TurnGate(clock, (why, ms) => opened.push([why, ms])), opened };
}

describe('TurnGate', () => {
  it('opens at once when no device tools answer the session', () => {
    const t = gate();
    expect(t.gate.isOpen).toBe(false);
    t.gate.sessionReady();
    expect(t.gate.isOpen).toBe(true);
    expect(t.opened).toEqual([['no-tools', 0]]);
  });

  it('waits for the last tools/list page, as long as it takes up to MAX_WAIT', () => {
    const t = gate();
    t.gate.expectTools();
    t.gate.sessionReady();
    t.clock.advance(100);
    t.gate.initializeReceived();
    t.clock.advance(INITIALIZE_WAIT + 50);
    expect(t.gate.isOpen).toBe(false);
    expect(t.gate.isWaiting).toBe(true);
    t.gate.toolsListed();
    expect(t.opened).toEqual([['tools-listed', 100 + INITIALIZE_WAIT + 50]]);
    t.clock.advance(MAX_WAIT);
    expect(t.opened).toHaveLength(1);
  });

  it('gives up on a server that never sends initialize after INITIALIZE_WAIT', () => {
    const t = gate();
    t.gate.expectTools();
    t.gate.sessionReady();
    t.clock.advance(INITIALIZE_WAIT - 1);
    expect(t.gate.isOpen).toBe(false);
    t.clock.advance(1);
    expect(t.opened).toEqual([['no-initialize', INITIALIZE_WAIT]]);
  });

  it('never holds longer than MAX_WAIT', () => {
    const t = gate();
    t.gate.expectTools();
    t.gate.sessionReady();
    t.gate.initializeReceived();
    t.clock.advance(MAX_WAIT);
    expect(t.opened).toEqual([['max-wait', MAX_WAIT]]);
  });

  it('closes when the session is lost and waits again after the next hello', () => {
    const t = gate();
    t.gate.expectTools();
    t.gate.sessionReady();
    t.gate.initializeReceived();
    t.gate.toolsListed();
    t.gate.sessionLost();
    expect(t.gate.isOpen).toBe(false);
    t.clock.advance(MAX_WAIT * 2);
    expect(t.opened).toHaveLength(1);
    t.gate.sessionReady();
    expect(t.gate.isWaiting).toBe(true);
    t.gate.toolsListed();
    expect(t.opened.map(([why]) => why)).toEqual(['tools-listed', 'tools-listed']);
  });

  it('opens at once for a session on a link that already listed the tools (one MQTT connection)', () => {
    const t = gate();
    t.gate.expectTools();
    // A gateway's own handshake before the hello lists the tools on link 1.
    t.gate.toolsListed(1);
    t.gate.sessionReady(1);
    expect(t.opened).toEqual([['tools-listed', 0]]);
    t.gate.sessionLost();
    t.gate.sessionReady(1);
    expect(t.opened).toHaveLength(2);
    t.gate.sessionLost();
    // A new link (a reconnect) knows nothing yet: the wait is back.
    t.gate.sessionReady(2);
    expect(t.gate.isWaiting).toBe(true);
  });

  it('ignores a tools/list answer outside a wait (a later re-listing)', () => {
    const t = gate();
    t.gate.expectTools();
    t.gate.toolsListed();
    t.gate.initializeReceived();
    expect(t.gate.isOpen).toBe(false);
    expect(t.opened).toEqual([]);
  });
});

describe('deriveAssistantState', () => {
  const base: AssistantFacts = {
    connection: 'ready',
    turnsHeld: false,
    listening: false,
    turnInFlight: false,
    playing: false,
    userWaiting: false,
  };
  const rows: [Partial<AssistantFacts>, AssistantState][] = [
    [{}, 'idle'],
    [{ listening: true, playing: true, turnInFlight: true }, 'listening'],
    [{ listening: true, connection: 'reconnecting' }, 'listening'],
    [{ playing: true, turnInFlight: true }, 'speaking'],
    [{ playing: true, connection: 'reconnecting' }, 'speaking'],
    [{ turnInFlight: true }, 'thinking'],
    [{ turnsHeld: true, userWaiting: true }, 'connecting'],
    [{ turnsHeld: true }, 'idle'],
    [{ connection: 'reconnecting', userWaiting: true }, 'connecting'],
    [{ connection: 'handshaking', userWaiting: true }, 'connecting'],
    [{ connection: 'reconnecting' }, 'idle'],
    [{ connection: 'failed', userWaiting: true }, 'idle'],
    [{ connection: 'disconnected', userWaiting: true }, 'idle'],
  ];
  it.each(rows)('%o → %s', (facts, expected) => {
    expect(deriveAssistantState({ ...base, ...facts })).toBe(expected);
  });
});
