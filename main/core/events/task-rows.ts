/**
 * Task rows from the real-time module's task events (docs/protocol.md §9.2: task.progress,
 * task.completed, task.failed). Pure: the previous row and a message in, the next row out.
 */
import type { TaskRow } from '../../../shared/ipc.ts';
import type { ServerMessageOf } from '../protocol/server-messages.ts';

export type TaskMessage =
  | ServerMessageOf<'task.progress'>
  | ServerMessageOf<'task.completed'>
  | ServerMessageOf<'task.failed'>;

/**
 * The row after `message`, or null when the message changes nothing: a finished task stays
 * finished (a late progress or a repeated completion is ignored, so nobody is notified twice).
 */
export function nextTaskRow(previous: TaskRow | undefined, message: TaskMessage): TaskRow | null {
  if (previous && previous.state !== 'running') return null;
  const title = message.title ?? previous?.title ?? `Task ${message.task_id}`;
  switch (message.type) {
    case 'task.progress':
      return {
        id: message.task_id,
        title,
        progress: message.progress,
        state: 'running',
        message: message.message ?? previous?.message ?? null,
      };
    case 'task.completed':
      return {
        id: message.task_id,
        title,
        progress: 100,
        state: 'completed',
        message: message.message ?? null,
      };
    case 'task.failed':
      return {
        id: message.task_id,
        title,
        progress: previous?.progress ?? 0,
        state: 'failed',
        message: message.error ?? message.message ?? null,
      };
  }
}
