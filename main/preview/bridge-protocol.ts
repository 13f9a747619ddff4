/**
 * The browser preview's bridge: the same IPC contract as Electron's (shared/ipc.ts), carried
 * over one WebSocket between the page and the preview host. Imported by both ends, so it holds
 * only types and constants (the page side is bundled for the browser).
 */
import type { AppEvent, IpcChannel, IpcRequest, IpcResponse } from '../../shared/ipc.ts';

/** Where the page opens the bridge socket, on the host's own origin. */
export const BRIDGE_PATH = '/lumi-bridge';
/** The script that defines `window.lumi`, injected ahead of the app's module script. */
export const BRIDGE_SCRIPT_PATH = '/lumi-bridge.js';

/** The subprotocol the bridge speaks; the page offers it and the host picks it. */
export const BRIDGE_PROTOCOL = 'lumi-bridge';
/** The page offers `lumi-secret.<secret>` beside BRIDGE_PROTOCOL (bridge-secret.ts). */
export const BRIDGE_SECRET_PROTOCOL_PREFIX = 'lumi-secret.';
/** The fragment parameter the host puts the secret in: `http://127.0.0.1:5174/#token=…`. */
export const BRIDGE_SECRET_PARAM = 'token';

/** Page → host: one call of a request channel. */
export interface BridgeRequest<C extends IpcChannel = IpcChannel> {
  readonly id: number;
  readonly channel: C;
  readonly request: IpcRequest<C>;
}

/** Host → page: the outcome of the call with the same `id`. */
export interface BridgeReply<C extends IpcChannel = IpcChannel> {
  readonly id: number;
  readonly response: IpcResponse<C>;
}

/** Host → page: one event of the core, as Electron's event channel carries it. */
export interface BridgePush {
  readonly event: AppEvent;
}

export type HostMessage = BridgeReply | BridgePush;
