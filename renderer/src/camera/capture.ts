/**
 * One camera frame as a JPEG, in the hidden camera page: getUserMedia (video only), the first
 * frame drawn on a canvas scaled so its longest side fits, encoded by the browser, and the
 * camera released at once so its light goes off.
 */

/** Chromium's encoder quality for the photo; the core re-encodes only what does not fit. */
export const PHOTO_QUALITY = 0.85;
/** A camera that has not produced a frame by then is not going to. */
export const FIRST_FRAME_TIMEOUT_MS = 5_000;

/** A JPEG and its size in pixels. */
export interface Photo {
  readonly jpeg: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** How many cameras are plugged in (labels need a permission; the count does not). */
export async function countCameras(devices: MediaDevices): Promise<number> {
  const all = await devices.enumerateDevices();
  return all.filter((device) => device.kind === 'videoinput').length;
}

function firstFrame(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('The camera sent no picture')),
      FIRST_FRAME_TIMEOUT_MS,
    );
    video.requestVideoFrameCallback(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function fitted(width: number, height: number, maxSide: number): [number, number] {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

async function encode(canvas: HTMLCanvasElement): Promise<Uint8Array> {
  const blob = await new Promise<Blob | null>((resolve) =>
    canvas.toBlob(resolve, 'image/jpeg', PHOTO_QUALITY),
  );
  if (blob === null) throw new Error('The photo could not be encoded');
  return new Uint8Array(await blob.arrayBuffer());
}

/** Take one frame from the default camera, its longest side at most `maxSide`. */
export async function takePhoto(devices: MediaDevices, maxSide: number): Promise<Photo> {
  const stream = await devices.getUserMedia({
    video: { width: { ideal: maxSide }, height: { ideal: maxSide } },
    audio: false,
  });
  try {
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    const shown = firstFrame(video);
    await video.play();
    await shown;
    const [width, height] = fitted(video.videoWidth, video.videoHeight, maxSide);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('No canvas to draw the photo on');
    context.drawImage(video, 0, 0, width, height);
    video.srcObject = null;
    return { jpeg: await encode(canvas), width, height };
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}
