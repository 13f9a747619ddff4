/**
 * The one place IPC crosses into main. Every request channel is handled here: the sender is
 * checked (our window's top frame, on our app:// origin), then the shared dispatcher checks the
 * payload, runs the handler and answers with a `Result`, and holds events until the window says
 * it is ready (main/core/app/ipc-dispatcher.ts, which the browser preview's bridge uses too).
 */
import type { IpcMainInvokeEvent } from 'electron';
import type { AppEvent, IpcChannel, IpcResponse } from '../../shared/ipc.ts';
import { EVENT_CHANNEL } from '../../shared/ipc.ts';
import { fail } from '../../shared/result.ts';
import type { IpcHandlers } from '../core/app/handlers.ts';
import { IpcDispatcher } from '../core/app/ipc-dispatcher.ts';
import { IPC_CHANNELS } from '../core/app/ipc-requests.ts';
import { APP_HOST, APP_SCHEME } from './app-protocol.ts';

/** The part of Electron's `ipcMain` the gateway uses. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

/** The window's webContents, as far as sending events goes. */
export interface EventTarget {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, event: AppEvent): void;
}

/** The parts of an invoke event the sender check reads. */
export interface SenderInfo {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcGatewayOptions {
  readonly ipcMain: IpcMainLike;
  readonly handlers: IpcHandlers;
  /** Our window's webContents, or null while there is none. */
  readonly target: () => EventTarget | null;
  readonly log?: (message: string, error: unknown) => void;
}

/**
 * Whether an invoke comes from our window: its top frame (not a sub-frame or a detached
 * window), currently showing a page of our own app:// origin.
 */
export function isTrustedSender(event: SenderInfo, target: EventTarget | null): boolean {
  if (target === null || event.sender.id !== target.id) return false;
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  // Compare parts: for a custom scheme, URL#origin is the opaque "null".
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}

export class IpcGateway {
  readonly #options: IpcGatewayOptions;
  readonly #log: (message: string, error: unknown) => void;
  readonly #dispatcher: IpcDispatcher;

  constructor(options: IpcGatewayOptions) {
    this.#options = options;
    this.#log = options.log ?? ((message, error) => console.error(message, error));
    this.#dispatcher = new IpcDispatcher({
      handlers: options.handlers,
      deliver: (event) => {
        const target = options.target();
        if (target === null || target.isDestroyed()) return false;
        target.send(EVENT_CHANNEL, event);
        return true;
      },
      log: this.#log,
    });
  }

  /** Registers a handler for every request channel. */
  start(): void {
    for (const channel of IPC_CHANNELS) {
      this.#options.ipcMain.handle(channel, (event, payload) =>
        this.#invoke(channel, event, payload),
      );
    }
  }

  stop(): void {
    for (const channel of IPC_CHANNELS) this.#options.ipcMain.removeHandler(channel);
    this.#dispatcher.reset();
  }

  /** Sends an event to the window, or queues it until the window is ready. */
  send(event: AppEvent): void {
    this.#dispatcher.send(event);
  }

  /** The page is (re)loading: queue events until it calls `app:ready` again. */
  markNotReady(): void {
    this.#dispatcher.markNotReady();
  }

  get isReady(): boolean {
    return this.#dispatcher.isReady;
  }

  #invoke<C extends IpcChannel>(
    channel: C,
    event: SenderInfo,
    payload: unknown,
  ): Promise<IpcResponse<C>> {
    if (!isTrustedSender(event, this.#options.target())) {
      this.#log(
        `IPC ${channel} refused: unknown sender ${event.senderFrame?.url ?? '(none)'}`,
        null,
      );
      return Promise.resolve(fail('forbidden', { code: 'requestForbidden' }));
    }
    return this.#dispatcher.dispatch(channel, payload);
  }
}
