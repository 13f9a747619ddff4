/**
 * What every front end's transport (Electron IPC gateway, browser-preview bridge) calls: one
 * handler per IPC channel, plus the event stream. The app core implements it once.
 */
import type { AppEvent, IpcChannel, IpcRequest, IpcRequests } from '../../../shared/ipc.ts';

export type IpcHandler<C extends IpcChannel> = (
  request: IpcRequest<C>,
) => Promise<IpcRequests[C][1]> | IpcRequests[C][1];

export type IpcHandlers = { readonly [C in IpcChannel]: IpcHandler<C> };

/** A failure a handler reports on purpose; its code and message reach the window as they are. */
export class HandlerError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface AppCore {
  readonly handlers: IpcHandlers;
  /** Subscribe to every event for the window; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  close(): Promise<void>;
}
