/**
 * The hidden camera page's only door to main: `window.lumiCamera` with three named functions
 * over the channels of shared/camera-page.ts. Never `ipcRenderer` itself, never the IPC event
 * object (Electron security checklist item 20). Sandboxed, so bundled into one CJS file.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  CAMERA_CHANNELS,
  type CameraPageApi,
  type CaptureReply,
  type CaptureRequest,
} from '../shared/camera-page.ts';

const api: CameraPageApi = {
  onCaptureRequested(listener) {
    const forward = (_event: IpcRendererEvent, request: CaptureRequest) => listener(request);
    ipcRenderer.on(CAMERA_CHANNELS.captureRequested, forward);
    return () => {
      ipcRenderer.removeListener(CAMERA_CHANNELS.captureRequested, forward);
    };
  },
  deliverFrame(reply: CaptureReply) {
    ipcRenderer.send(CAMERA_CHANNELS.frameTaken, reply);
  },
  reportCameras(count: number) {
    ipcRenderer.send(CAMERA_CHANNELS.camerasCounted, count);
  },
};

contextBridge.exposeInMainWorld('lumiCamera', api);
