import { describe, expect, it } from 'vitest';
import type { TaskRow } from '../../../shared/ipc.ts';
import {
  MAX_TRACKED_TASKS,
  ServerEvents,
  type PushedMessage,
} from '../../../main/core/events/server-events.ts';
import { parseServerText } from '../../../main/core/protocol/parse.ts';
import type { ServerMessage } from '../../../main/core/protocol/server-messages.ts';

/** Through the real protocol edge, as the session will feed them. */
function parsed(message: Record<string, unknown>): ServerMessage {
  const frame = parseServerText(JSON.stringify(message));
  if (frame.kind !== 'message') throw new Error(`not a message: ${JSON.stringify(frame)}`);
  return frame.message;
}

function watch(events: ServerEvents) {
  const pushed: PushedMessage[] = [];
  const updated: TaskRow[] = [];
  const finished: TaskRow[] = [];
  events.events.on('serverMessageReceived', (message) => pushed.push(message));
  events.events.on('taskUpdated', (task) => updated.push(task));
  events.events.on('taskFinished', (task) => finished.push(task));
  return { pushed, updated, finished };
}

describe('ServerEvents', () => {
  it('turns message.new into a pushed message, in both shapes', () => {
    const events = new ServerEvents();
    const { pushed } = watch(events);
    expect(
      events.handle(
        parsed({
          type: 'message.new',
          channel: 'conversation:7',
          conversation_id: '7',
          message: { id: 'm1', content: 'Your report is ready', role: 'assistant' },
        }),
      ),
    ).toBe(true);
    events.handle(parsed({ type: 'message.new', content: 'plain' }));
    events.handle(parsed({ type: 'message.new', content: '' }));
    expect(pushed).toEqual([
      {
        id: 'm1',
        text: 'Your report is ready',
        role: 'assistant',
        channel: 'conversation:7',
        conversationId: '7',
      },
      { id: null, text: 'plain', role: null, channel: null, conversationId: null },
    ]);
  });

  it('follows a task from progress to completion and notifies once', () => {
    const events = new ServerEvents();
    const { updated, finished } = watch(events);
    events.handle(parsed({ type: 'task.progress', task_id: 't1', title: 'Export', progress: 10 }));
    events.handle(
      parsed({ type: 'task.progress', task_id: 't1', progress: 60, message: 'halfway' }),
    );
    events.handle(parsed({ type: 'task.completed', task_id: 't1', message: 'saved to Downloads' }));
    events.handle(parsed({ type: 'task.completed', task_id: 't1' }));
    events.handle(parsed({ type: 'task.progress', task_id: 't1', progress: 70 }));
    expect(updated).toEqual([
      { id: 't1', title: 'Export', progress: 10, state: 'running', message: null },
      { id: 't1', title: 'Export', progress: 60, state: 'running', message: 'halfway' },
      {
        id: 't1',
        title: 'Export',
        progress: 100,
        state: 'completed',
        message: 'saved to Downloads',
      },
    ]);
    expect(finished).toEqual([updated[2]]);
    expect(events.tasks).toEqual([updated[2]]);
  });

  it('keeps the progress of a failed task and names the error', () => {
    const events = new ServerEvents();
    const { finished } = watch(events);
    events.handle(parsed({ type: 'task.progress', task_id: 't2', progress: 40 }));
    events.handle(parsed({ type: 'task.failed', task_id: 't2', error: 'disk full' }));
    expect(finished).toEqual([
      { id: 't2', title: 'Task t2', progress: 40, state: 'failed', message: 'disk full' },
    ]);
  });

  it('reports a failure of a task it never saw start', () => {
    const events = new ServerEvents();
    const { finished } = watch(events);
    events.handle(parsed({ type: 'task.failed', task_id: 'x', title: 'Sync', message: 'timeout' }));
    expect(finished).toEqual([
      { id: 'x', title: 'Sync', progress: 0, state: 'failed', message: 'timeout' },
    ]);
  });

  it('leaves other messages alone', () => {
    const events = new ServerEvents();
    expect(events.handle(parsed({ type: 'stt', text: 'hi' }))).toBe(false);
    expect(events.handle(parsed({ type: 'pong' }))).toBe(false);
  });

  it('forgets finished tasks first when it holds too many', () => {
    const events = new ServerEvents();
    events.handle(parsed({ type: 'task.progress', task_id: 'running', progress: 1 }));
    events.handle(parsed({ type: 'task.completed', task_id: 'done' }));
    for (let i = 0; i < MAX_TRACKED_TASKS - 1; i++) {
      events.handle(parsed({ type: 'task.progress', task_id: `t${i}`, progress: 1 }));
    }
    const ids = events.tasks.map((task) => task.id);
    expect(ids).toHaveLength(MAX_TRACKED_TASKS);
    expect(ids).toContain('running');
    expect(ids).not.toContain('done');
  });
});
