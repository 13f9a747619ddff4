/**
 * The assistant's state, derived — never stored beside the facts it comes from. Every front
 * end (tray, window, CLI) shows what this one function says.
 */
import type { AssistantState } from '../../../shared/assistant.ts';
import type { ConnectionKind } from '../../../shared/connection-state.ts';

export interface AssistantFacts {
  /** The connection's state kind (before a socket exists: the endpoint is being resolved). */
  readonly connection: ConnectionKind;
  /** Ready, but turns are held for the server's tool handshake (turn-gate.ts). */
  readonly turnsHeld: boolean;
  /** The microphone is open for a turn: a press, an open listen, or the release tail. */
  readonly listening: boolean;
  /** A turn was sent and its reply has not ended. */
  readonly turnInFlight: boolean;
  /** Reply audio is playing, including the play-out after `tts stop`. */
  readonly playing: boolean;
  /** The user is waiting for something: typed text queued, or a press waiting to connect. */
  readonly userWaiting: boolean;
}

const CONNECTING: ReadonlySet<ConnectionKind> = new Set([
  'connecting',
  'connected',
  'handshaking',
  'reconnecting',
]);

/**
 * Listening wins while a listen is open (the user is talking, whatever the server sends
 * meanwhile); then speaking (a reply plays out even under a reconnect), thinking (a turn in
 * flight), and connecting only when the user waits on it.
 */
export function deriveAssistantState(facts: AssistantFacts): AssistantState {
  if (facts.listening) return 'listening';
  if (facts.playing) return 'speaking';
  if (facts.turnInFlight) return 'thinking';
  const gettingReady =
    CONNECTING.has(facts.connection) || (facts.connection === 'ready' && facts.turnsHeld);
  if (gettingReady && facts.userWaiting) return 'connecting';
  return 'idle';
}
