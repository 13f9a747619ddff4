/**
 * What every front end's transport (Electron IPC gateway, browser-preview bridge) calls: one
 * handler per IPC channel, plus the event stream. The app core implements the app's channels;
 * the window's own channels (`window:*`) are answered by whatever hosts the window.
 */
import type {
  AppChannel,
  AppEvent,
  IpcChannel,
  IpcRequest,
  IpcRequests,
  WindowChannel,
} from '../../../shared/ipc.ts';
import { ProblemError, problemOf } from '../../../shared/problem-english.ts';
import type { Problem } from '../../../shared/problems.ts';
import { OutboxStateError } from '../connection/outbox.ts';

export type IpcHandler<C extends IpcChannel> = (
  request: IpcRequest<C>,
) => Promise<IpcRequests[C][1]> | IpcRequests[C][1];

/** A handler for each of the given channels. */
export type HandlersOf<C extends IpcChannel> = { readonly [K in C]: IpcHandler<K> };

/** The app core's table: every channel but the window's own. */
export type AppHandlers = HandlersOf<AppChannel>;
/** The app core's handlers of the channels named `<area>:…`, e.g. `AreaHandlers<'session'>`. */
export type AreaHandlers<Area extends string> = HandlersOf<
  Extract<AppChannel, `${Area}:${string}`>
>;
/** The window host's table (Electron moves its window; the preview has none to move). */
export type WindowHandlers = HandlersOf<WindowChannel>;
/** What a transport dispatches to: every channel of the contract. */
export type IpcHandlers = HandlersOf<IpcChannel>;

/** A failure a handler reports on purpose; its code and problem reach the window as they are. */
export class HandlerError extends ProblemError {
  readonly code: string;
  constructor(code: string, problem: Problem) {
    super(problem);
    this.code = code;
  }
}

/**
 * Runs a store or session call for a handler: a thrown error becomes a HandlerError with the
 * error's own `code` (the stores' validation errors carry one) or `invalid`, and its problem (an
 * error without one becomes `unexpected`, its text as the detail), so the window can word it.
 */
export function reported<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof HandlerError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new HandlerError(typeof code === 'string' ? code : 'invalid', reportedProblem(error));
  }
}

function reportedProblem(error: unknown): Problem {
  // The outbox words its refusals for the log only; the window gets one problem for them all.
  if (error instanceof OutboxStateError) return { code: 'messageUnchangeable' };
  return problemOf(error);
}

export interface AppCore {
  readonly handlers: AppHandlers;
  /** Subscribe to every event for the window; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  close(): Promise<void>;
}
