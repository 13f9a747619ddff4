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

/** A failure a handler reports on purpose; its code and message reach the window as they are. */
export class HandlerError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Runs a store call for a handler: a thrown error becomes a HandlerError with the error's own
 * `code` (the stores' validation errors carry one) or `invalid`, so its message reaches the window.
 */
export function reported<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof HandlerError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new HandlerError(typeof code === 'string' ? code : 'invalid', (error as Error).message);
  }
}

export interface AppCore {
  readonly handlers: AppHandlers;
  /** Subscribe to every event for the window; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  close(): Promise<void>;
}
