/**
 * The contract between main and the hidden camera page (renderer/camera/): three one-way
 * messages, each on its own channel. It is not part of the window's IPC contract (shared/ipc.ts):
 * only the camera page speaks it, through its own preload (preload/camera.ts), and main accepts
 * it from that page's webContents alone.
 */

export const CAMERA_CHANNELS = {
  /** main → page: take one frame. */
  captureRequested: 'camera:captureRequested',
  /** page → main: the frame, or why there is none. */
  frameTaken: 'camera:frameTaken',
  /** page → main: how many cameras are plugged in (at load and on every device change). */
  camerasCounted: 'camera:camerasCounted',
} as const;

export interface CaptureRequest {
  readonly id: number;
  /** The longest side of the JPEG, in pixels. */
  readonly maxSide: number;
}

export type CaptureReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly jpeg: Uint8Array;
      readonly width: number;
      readonly height: number;
    }
  | { readonly id: number; readonly ok: false; readonly reason: string };

/** What the camera preload exposes to the page as `window.lumiCamera`. */
export interface CameraPageApi {
  /** Called for each capture main asks for; returns the unsubscribe. */
  onCaptureRequested(listener: (request: CaptureRequest) => void): () => void;
  deliverFrame(reply: CaptureReply): void;
  reportCameras(count: number): void;
}
