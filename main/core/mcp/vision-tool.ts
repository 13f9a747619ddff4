/**
 * A picture explained through the server's vision endpoint (docs/protocol.md §4.5): the shape
 * the screenshot and the camera tools share. xiaozhi servers' chat models read only the text of
 * a tool result, so the picture goes to the endpoint the server named in `initialize`, never to
 * the model, and the tool returns the endpoint's answer. The picture is taken before the user
 * is asked, so the prompt shows exactly what will be sent; one deadline covers consent,
 * capture and upload.
 */
import { errorDetail } from '../../../shared/problems.ts';
import * as z from '../util/zod.ts';
import { SECOND } from '../util/clock.ts';
import { thumbnailDataUrl, type RgbaImage } from '../vision/picture.ts';
import { checkVisionUrl, explainPicture, type VisionTarget } from '../vision/vision-upload.ts';
import type { DesktopCapabilities } from './capabilities.ts';
import {
  clip,
  inputSchemaOf,
  ToolFailureError,
  type DeviceTool,
  type PreparedCall,
  type ToolPreview,
} from './device-tool.ts';

/** xiaozhi-esp32-server gives up on a call at 30 s; the answer must be on its way by 28 s. */
export const VISION_DEADLINE_MS = 28 * SECOND;
/** The longest question passed on to the vision model. */
export const QUESTION_LIMIT = 1_000;

/** Where this session's vision endpoint is and who we are to it; null when none was named. */
export type VisionAccess = () => VisionTarget | null;

/** A picture taken and encoded: the JPEG that is sent, and its pixels for the thumbnail. */
export interface TakenPicture {
  readonly jpeg: Uint8Array;
  readonly image: RgbaImage;
}

/** What makes one vision tool: its name and words, and how it takes its picture. */
export interface VisionToolSpec {
  readonly name: string;
  readonly description: string;
  /** How the server's model should fill `question`. */
  readonly questionDescription: string;
  /** What the conversation line says the tool did. */
  readonly did: 'lookedAtScreen' | 'tookPhoto';
  /** Whether the tool can be offered now (a camera plugged in); always when absent. */
  readonly available?: () => boolean;
  take(caps: DesktopCapabilities): Promise<TakenPicture>;
}

/** A picture ready to send, and its thumbnail for the prompt and the conversation. */
interface Picture {
  readonly jpeg: Uint8Array;
  readonly preview: ToolPreview;
}

function preparedCall(
  spec: VisionToolSpec,
  caps: DesktopCapabilities,
  vision: VisionAccess,
  question: string,
): PreparedCall {
  let taken: Promise<{ picture: Picture; target: VisionTarget }> | null = null;
  // Taken once: the prompt shows the picture, and `run` sends that same picture.
  const take = (): Promise<{ picture: Picture; target: VisionTarget }> => {
    taken ??= (async () => {
      const target = vision();
      if (target === null) {
        throw new ToolFailureError(
          'noVision',
          'The server named no vision endpoint in this session',
        );
      }
      // Checked first: a picture that may not be sent is not even taken.
      const destination = checkedHost(target);
      const { jpeg, image } = await spec.take(caps);
      return {
        picture: { jpeg, preview: { thumbnail: thumbnailDataUrl(image), destination } },
        target,
      };
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
      try {
        return { kind: 'text', text: await explainPicture(target, question, picture.jpeg, signal) };
      } catch (error) {
        if (signal.aborted) throw error;
        // The endpoint's reason (its status, its message) goes to the model and the log.
        throw new ToolFailureError('visionFailed', errorDetail(error));
      }
    },
    summarize: (output) => ({
      kind: spec.did,
      answer: output.kind === 'text' ? clip(output.text) : '',
    }),
  };
}

/** The endpoint's host, or the reason Lumi will not send a picture there. */
function checkedHost(target: VisionTarget): string {
  try {
    return checkVisionUrl(target).host;
  } catch (error) {
    throw new ToolFailureError('visionRefused', errorDetail(error));
  }
}

/** A vision tool over a desktop's capabilities and the session's vision endpoint. */
export function visionTool(
  spec: VisionToolSpec,
  caps: DesktopCapabilities,
  vision: VisionAccess,
): DeviceTool {
  const input = z.object({
    question: z
      .string()
      .check(z.minLength(1), z.maxLength(QUESTION_LIMIT), z.describe(spec.questionDescription)),
  });
  return {
    name: spec.name,
    description: spec.description,
    inputSchema: inputSchemaOf(input),
    defaultConsent: 'ask',
    needsVision: true,
    deadlineMs: VISION_DEADLINE_MS,
    ...(spec.available && { available: spec.available }),
    prepare(rawArgs) {
      const parsed = input.safeParse(rawArgs ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          error: `Invalid arguments for ${spec.name}: ${z.prettifyError(parsed.error)}`,
          failure: 'badArguments',
        };
      }
      return { ok: true, call: preparedCall(spec, caps, vision, parsed.data.question) };
    },
  };
}
