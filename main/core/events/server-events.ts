/**
 * The real-time module's server events (docs/protocol.md §9.2): new messages pushed into a conversation
 * and the progress of server-side tasks. Fed parsed server messages; emits what the session
 * appends to the conversation, shows in the task list and notifies about.
 */
import type { TaskRow } from '../../../shared/ipc.ts';
import type { ServerMessage, ServerMessageOf } from '../protocol/server-messages.ts';
import { Emitter } from '../util/emitter.ts';
import { nextTaskRow } from './task-rows.ts';

/** Tasks remembered at most; the oldest finished ones are forgotten first. */
export const MAX_TRACKED_TASKS = 100;

/** A message the server pushed into a conversation (`message.new`). */
export interface PushedMessage {
  readonly id: string | null;
  readonly text: string;
  readonly role: string | null;
  readonly channel: string | null;
  readonly conversationId: string | null;
}

export type ServerEventsEvents = {
  /** The session appends it to the conversation and notifies when the window is hidden. */
  serverMessageReceived: (message: PushedMessage) => void;
  taskUpdated: (task: TaskRow) => void;
  /** A task completed or failed: worth a notification. Emitted once per task. */
  taskFinished: (task: TaskRow) => void;
};

function pushedMessage(message: ServerMessageOf<'message.new'>): PushedMessage | null {
  const text = message.message?.content ?? message.content;
  if (text === undefined || text === '') return null;
  return {
    id: message.message?.id ?? null,
    text,
    role: message.message?.role ?? null,
    channel: message.channel ?? null,
    conversationId: message.conversation_id ?? null,
  };
}

export class ServerEvents {
  readonly events = new Emitter<ServerEventsEvents>();
  readonly #tasks = new Map<string, TaskRow>();

  /** The tracked tasks, oldest first. */
  get tasks(): readonly TaskRow[] {
    return [...this.#tasks.values()];
  }

  /** Feed one parsed server message; true when it was one of these events. */
  handle(message: ServerMessage): boolean {
    switch (message.type) {
      case 'message.new': {
        const pushed = pushedMessage(message);
        if (pushed) this.events.emit('serverMessageReceived', pushed);
        return true;
      }
      case 'task.progress':
      case 'task.completed':
      case 'task.failed': {
        const row = nextTaskRow(this.#tasks.get(message.task_id), message);
        if (row) this.#update(row);
        return true;
      }
      default:
        return false;
    }
  }

  #update(row: TaskRow): void {
    // Re-insert so the map's order is "least recently changed first".
    this.#tasks.delete(row.id);
    this.#tasks.set(row.id, row);
    this.#evict();
    this.events.emit('taskUpdated', row);
    if (row.state !== 'running') this.events.emit('taskFinished', row);
  }

  #evict(): void {
    if (this.#tasks.size <= MAX_TRACKED_TASKS) return;
    const victim =
      [...this.#tasks.values()].find((task) => task.state !== 'running') ??
      this.#tasks.values().next().value;
    if (victim) this.#tasks.delete(victim.id);
  }
}
