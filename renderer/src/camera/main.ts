/**
 * The hidden camera page's script: tells main how many cameras there are (now and on every
 * device change) and answers each capture request with a photo or the reason there is none.
 */
import type { CameraPageApi } from '../../../shared/camera-page.ts';
import { countCameras, takePhoto } from './capture.ts';

declare global {
  interface Window {
    /** Exposed by the camera page's own preload (preload/camera.ts). */
    readonly lumiCamera: CameraPageApi;
  }
}

const bridge = window.lumiCamera;
const devices = navigator.mediaDevices;

function report(): void {
  countCameras(devices).then(
    (count) => bridge.reportCameras(count),
    () => bridge.reportCameras(0),
  );
}

bridge.onCaptureRequested(({ id, maxSide }) => {
  takePhoto(devices, maxSide).then(
    (photo) => bridge.deliverFrame({ id, ok: true, ...photo }),
    (error: unknown) =>
      bridge.deliverFrame({
        id,
        ok: false,
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  );
});
devices.addEventListener('devicechange', report);
report();
