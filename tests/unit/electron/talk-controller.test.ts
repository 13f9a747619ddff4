import { describe, expect, it } from 'vitest';
import type { AssistantState, ListenMode } from '../../../shared/assistant.ts';
import type { AppEvent } from '../../../shared/ipc.ts';
import { HandlerError } from '../../../main/core/app/handlers.ts';
import { TalkController, type TalkHandlers } from '../../../main/electron/talk-controller.ts';

function setup(initialMode: ListenMode = 'manual', startDelayMs = 0, failFirstStart = false) {
  const calls: string[] = [];
  const events: AppEvent[] = [];
  const logged: string[] = [];
  // What the core reports: its derived assistant state and the session's mode.
  const state: { assistant: AssistantState; mode: ListenMode } = {
    assistant: 'idle',
    mode: initialMode,
  };
  const handlers: TalkHandlers = {
    'session:startTalking': async () => {
      if (failFirstStart) {
        failFirstStart = false;
        throw new HandlerError('not_ready', { code: 'noMicrophone' });
      }
      if (startDelayMs) await new Promise((r) => setTimeout(r, startDelayMs));
      calls.push('start');
    },
    'session:stopTalking': async () => {
      calls.push('stop');
    },
    'session:setMode': async ({ mode }) => {
      calls.push(`mode:${mode}`);
      state.mode = mode;
    },
  };
  const talk = new TalkController({
    handlers,
    state: () => state,
    emit: (e) => events.push(e),
    log: (m) => logged.push(m),
  });
  const assistant = (next: AssistantState) => {
    state.assistant = next;
  };
  return { talk, calls, events, logged, assistant, state };
}

describe('TalkController', () => {
  it('hold: switches to push-to-talk once, starts on down and stops on up, telling the window', async () => {
    const { talk, calls, events } = setup('auto');
    talk.gesture('holdStarted');
    talk.gesture('holdEnded');
    talk.gesture('holdStarted');
    talk.gesture('holdEnded');
    await talk.idle();
    expect(calls).toEqual(['mode:manual', 'start', 'stop', 'start', 'stop']);
    expect(events).toEqual([
      { type: 'hotkeyPressed', action: 'talkDown' },
      { type: 'hotkeyPressed', action: 'talkUp' },
      { type: 'hotkeyPressed', action: 'talkDown' },
      { type: 'hotkeyPressed', action: 'talkUp' },
    ]);
  });

  it('never sends the stop before a slow start', async () => {
    const { talk, calls } = setup('manual', 30);
    talk.gesture('holdStarted');
    talk.gesture('holdEnded');
    await talk.idle();
    expect(calls).toEqual(['start', 'stop']);
  });

  it('double tap starts hands-free, and a second double tap ends the running conversation', async () => {
    const { talk, calls, assistant } = setup('manual');
    talk.gesture('doubleTapped');
    await talk.idle();
    expect(calls).toEqual(['mode:auto', 'start']);
    assistant('listening');
    talk.gesture('doubleTapped');
    await talk.idle();
    expect(calls).toEqual(['mode:auto', 'start', 'stop']);
  });

  it('toggle in push-to-talk: stops while listening, otherwise starts (interrupting a reply)', async () => {
    const { talk, calls, assistant } = setup('manual');
    talk.toggle();
    assistant('listening');
    talk.toggle();
    assistant('speaking');
    talk.toggle();
    await talk.idle();
    expect(calls).toEqual(['start', 'stop', 'start']);
  });

  it('toggle in hands-free: stops the conversation whatever phase it is in', async () => {
    const { talk, calls, assistant, state } = setup('manual');
    state.mode = 'auto';
    assistant('thinking');
    talk.toggle();
    assistant('idle');
    talk.toggle();
    await talk.idle();
    expect(calls).toEqual(['stop', 'start']);
  });

  it('logs a refused action and keeps serving the next ones', async () => {
    const { talk, calls, logged } = setup('manual', 0, true);
    talk.toggle();
    talk.toggle();
    await talk.idle();
    expect(logged).toEqual(['talk hotkey action failed']);
    expect(calls).toEqual(['start']);
  });
});
