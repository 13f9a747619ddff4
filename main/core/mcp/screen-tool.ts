/**
 * `self.screen.take_screenshot`: the screen explained through the server's vision endpoint
 * (vision-tool.ts has the shape every picture tool shares). The display is captured, scaled
 * so its longest side fits and encoded at the best quality that fits the upload limit.
 */
import { downscale, encodeToFit, PICTURE_MAX_BYTES, PICTURE_MAX_SIDE } from '../vision/picture.ts';
import { CapabilityUnavailableError, type DesktopCapabilities } from './capabilities.ts';
import { ToolFailureError, type DeviceTool } from './device-tool.ts';
import {
  VISION_DEADLINE_MS,
  visionTool,
  type TakenPicture,
  type VisionAccess,
} from './vision-tool.ts';

export type { VisionAccess } from './vision-tool.ts';

export const SCREENSHOT_TOOL = 'self.screen.take_screenshot';
/** The screenshot's deadline: the one every vision tool has. */
export const SCREENSHOT_DEADLINE_MS = VISION_DEADLINE_MS;

async function takeScreenshot(caps: DesktopCapabilities): Promise<TakenPicture> {
  if (!caps.captureScreen) {
    throw new CapabilityUnavailableError('Screen capture is not available on this desktop');
  }
  const frame = await caps.captureScreen({ maxSide: PICTURE_MAX_SIDE });
  const image = downscale(frame, PICTURE_MAX_SIDE);
  const encoded = encodeToFit(image);
  if (encoded === null) {
    throw new ToolFailureError(
      'pictureTooLarge',
      `The screen picture does not fit in ${PICTURE_MAX_BYTES / 1024} KB`,
    );
  }
  return { jpeg: encoded.jpeg, image };
}

/** The tool over a desktop's screen capture and the session's vision endpoint. */
export function screenshotTool(caps: DesktopCapabilities, vision: VisionAccess): DeviceTool {
  return visionTool(
    {
      name: SCREENSHOT_TOOL,
      description:
        "Look at the user's screen and answer a question about it (what is shown, an error message, text to translate or summarise). Pass the user's request as `question`; the result is the answer in words.",
      questionDescription:
        "The user's own request about the screen, in the user's words and language, e.g. 'what does this error mean?'",
      did: 'lookedAtScreen',
      take: takeScreenshot,
    },
    caps,
    vision,
  );
}
