/**
 * `self.screen.take_screenshot`: the screen explained through the server's vision endpoint
 * (docs/protocol.md §4.5). xiaozhi servers' chat models read only the text of a tool result, so
 * the picture goes to the endpoint the server named in `initialize`, never to the model, and
 * the tool returns the endpoint's answer. The screen is captured before the user is asked, so
 * the prompt shows exactly the picture that will be sent.
 */
import * as z from '../util/zod.ts';
import { SECOND } from '../util/clock.ts';
import {
  downscale,
  encodeToFit,
  PICTURE_MAX_BYTES,
  PICTURE_MAX_SIDE,
  thumbnailDataUrl,
} from '../vision/picture.ts';
import { checkVisionUrl, explainPicture, type VisionTarget } from '../vision/vision-upload.ts';
import { CapabilityUnavailableError, type DesktopCapabilities } from './capabilities.ts';
import {
  clip,
  inputSchemaOf,
  type DeviceTool,
  type PreparedCall,
  type ToolPreview,
} from './device-tool.ts';

export const SCREENSHOT_TOOL = 'self.screen.take_screenshot';
/** xiaozhi-esp32-server gives up on a call at 30 s; the answer must be on its way by 28 s. */
export const SCREENSHOT_DEADLINE_MS = 28 * SECOND;
/** The longest question passed on to the vision model. */
export const QUESTION_LIMIT = 1_000;

/** Where this session's vision endpoint is and who we are to it; null when none was named. */
export type VisionAccess = () => VisionTarget | null;

const input = z.object({
  question: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(QUESTION_LIMIT),
      z.describe(
        "The user's own request about the screen, in the user's words and language, e.g. 'what does this error mean?'",
      ),
    ),
});

/** A picture ready to send, and its thumbnail for the prompt and the conversation. */
interface Picture {
  readonly jpeg: Uint8Array;
  readonly preview: ToolPreview;
}

async function takePicture(caps: DesktopCapabilities, target: VisionTarget): Promise<Picture> {
  // Checked first: a picture that may not be sent is not even taken.
  const destination = checkVisionUrl(target).host;
  if (!caps.captureScreen) {
    throw new CapabilityUnavailableError('Screen capture is not available on this desktop');
  }
  const frame = await caps.captureScreen({ maxSide: PICTURE_MAX_SIDE });
  const image = downscale(frame, PICTURE_MAX_SIDE);
  const encoded = encodeToFit(image);
  if (encoded === null) {
    throw new Error(`The screen picture does not fit in ${PICTURE_MAX_BYTES / 1024} KB`);
  }
  return {
    jpeg: encoded.jpeg,
    preview: { thumbnail: thumbnailDataUrl(image), destination },
  };
}

function preparedCall(
  caps: DesktopCapabilities,
  vision: VisionAccess,
  question: string,
): PreparedCall {
  let taken: Promise<{ picture: Picture; target: VisionTarget }> | null = null;
  // Taken once: the prompt shows the picture, and `run` sends that same picture.
  const take = (): Promise<{ picture: Picture; target: VisionTarget }> => {
    taken ??= (async () => {
      const target = vision();
      if (target === null) throw new Error('The server named no vision endpoint in this session');
      return { picture: await takePicture(caps, target), target };
    })();
    return taken;
  };
  return {
    argsSummary: `question=${JSON.stringify(clip(question))}`,
    preview: async (signal) => {
      signal.throwIfAborted();
      return (await take()).picture.preview;
    },
    async run(signal) {
      const { picture, target } = await take();
      // The deadline may have passed while the user was asked: then nothing is sent.
      signal.throwIfAborted();
      const answer = await explainPicture(target, question, picture.jpeg, signal);
      return { kind: 'text', text: answer };
    },
    summarize: (output) =>
      output.kind === 'text'
        ? `looked at the screen: ${clip(output.text)}`
        : 'looked at the screen',
  };
}

/** The tool over a desktop's screen capture and the session's vision endpoint. */
export function screenshotTool(caps: DesktopCapabilities, vision: VisionAccess): DeviceTool {
  return {
    name: SCREENSHOT_TOOL,
    description:
      "Look at the user's screen and answer a question about it (what is shown, an error message, text to translate or summarise). Pass the user's request as `question`; the result is the answer in words.",
    inputSchema: inputSchemaOf(input),
    defaultConsent: 'ask',
    needsVision: true,
    deadlineMs: SCREENSHOT_DEADLINE_MS,
    prepare(rawArgs) {
      const parsed = input.safeParse(rawArgs ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          error: `Invalid arguments for ${SCREENSHOT_TOOL}: ${z.prettifyError(parsed.error)}`,
        };
      }
      return { ok: true, call: preparedCall(caps, vision, parsed.data.question) };
    },
  };
}
