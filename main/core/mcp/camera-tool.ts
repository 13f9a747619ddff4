/**
 * `self.camera.take_photo`: the firmware's own tool name and contract (docs/protocol.md §4.5),
 * on the desktop's camera. The front end hands over one frame as a JPEG; it is sent as it is
 * when it fits, and scaled and encoded again when it does not.
 */
import {
  decodeJpeg,
  downscale,
  encodeToFit,
  PICTURE_MAX_BYTES,
  PICTURE_MAX_SIDE,
  rgbaFrame,
} from '../vision/picture.ts';
import { CapabilityUnavailableError, type DesktopCapabilities } from './capabilities.ts';
import { ToolFailureError, type DeviceTool } from './device-tool.ts';
import { visionTool, type TakenPicture, type VisionAccess } from './vision-tool.ts';

export const CAMERA_TOOL = 'self.camera.take_photo';

async function takePhoto(caps: DesktopCapabilities): Promise<TakenPicture> {
  if (!caps.camera?.present()) {
    throw new CapabilityUnavailableError('No camera is connected');
  }
  const jpeg = await caps.camera.takePhoto({ maxSide: PICTURE_MAX_SIDE });
  const image = decodeJpeg(jpeg);
  const fits =
    jpeg.byteLength <= PICTURE_MAX_BYTES && Math.max(image.width, image.height) <= PICTURE_MAX_SIDE;
  if (fits) return { jpeg, image };
  const scaled = downscale(rgbaFrame(image), PICTURE_MAX_SIDE);
  const encoded = encodeToFit(scaled);
  if (encoded === null) {
    throw new ToolFailureError(
      'pictureTooLarge',
      `The photo does not fit in ${PICTURE_MAX_BYTES / 1024} KB`,
    );
  }
  return { jpeg: encoded.jpeg, image: scaled };
}

/** The tool over the desktop's camera, listed only while a camera is plugged in. */
export function cameraTool(caps: DesktopCapabilities, vision: VisionAccess): DeviceTool {
  return visionTool(
    {
      name: CAMERA_TOOL,
      description:
        "Take a photo with the user's camera and answer a question about it (what the user shows, an object, a document held up). Pass the user's request as `question`; the result is the answer in words.",
      questionDescription:
        "The user's own request about what the camera sees, in the user's words and language, e.g. 'what am I holding?'",
      did: 'tookPhoto',
      available: () => caps.camera?.present() === true,
      take: takePhoto,
    },
    caps,
    vision,
  );
}
