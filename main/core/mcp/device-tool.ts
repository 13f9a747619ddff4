/**
 * One device tool: its name, its zod-checked arguments, its default consent, and how a call of
 * it is summarised for the conversation without leaking what the user would not want logged.
 */
import * as z from '../util/zod.ts';
import type { ToolPromptPreview } from '../../../shared/ipc.ts';
import type { ToolConsent } from '../../../shared/settings.ts';
import type { ToolFailure, ToolSummary } from './tool-call-record.ts';

/** What a tool produced. The MCP layer turns it into content items. */
export type ToolOutput =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'image';
      /** Sent as the first (text) item: xiaozhi-esp32-server reads only `content[0].text`. */
      readonly caption: string;
      readonly data: Uint8Array;
      readonly mimeType: string;
    };

/** The JSON Schema of a tool's arguments, as `tools/list` carries it. */
export interface ToolInputSchema {
  readonly type: 'object';
  readonly [key: string]: unknown;
}

/** What the consent prompt shows of a call before it runs: the picture and where it goes. */
export type ToolPreview = ToolPromptPreview;

/** A call whose arguments were checked, ready to run once consent is settled. */
export interface PreparedCall {
  /** The arguments in a form fit for the conversation log and the consent prompt. */
  readonly argsSummary: string;
  /**
   * Gather what will be sent before the user is asked (the screen picture), so the prompt can
   * show it; `run` then sends exactly that.
   */
  preview?(signal: AbortSignal): Promise<ToolPreview>;
  run(signal: AbortSignal): Promise<ToolOutput>;
  summarize(output: ToolOutput): ToolSummary;
}

export type PrepareResult =
  | { readonly ok: true; readonly call: PreparedCall }
  | { readonly ok: false; readonly error: string; readonly failure: ToolFailure };

export interface DeviceTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: ToolInputSchema;
  readonly defaultConsent: ToolConsent;
  /** Listed and callable only when the session's `initialize` named a vision endpoint. */
  readonly needsVision?: boolean;
  /** Listed and callable only while this says so (a camera plugged in); always when absent. */
  readonly available?: () => boolean;
  /** One deadline for the whole call, consent included, from the moment it arrives. */
  readonly deadlineMs?: number;
  /** Check raw arguments from the server. Never throws. */
  prepare(rawArgs: unknown): PrepareResult;
}

export interface ToolSpec<S extends z.ZodMiniObject> {
  readonly name: string;
  readonly description: string;
  readonly input: S;
  /** When the user has chosen nothing for this tool; `allow` unless said otherwise. */
  readonly defaultConsent?: ToolConsent;
  run(args: z.output<S>, signal: AbortSignal): Promise<ToolOutput>;
  /** Override for arguments that must not be logged as they are (clipboard text, URLs). */
  summarizeArgs?(args: z.output<S>): string;
  /** Override for results that must not be logged as they are (clipboard contents). */
  summarizeOutput?(output: ToolOutput): ToolSummary;
}

/** A failure Lumi has words for; `message` is the English the server's model gets. */
export class ToolFailureError extends Error {
  override readonly name = 'ToolFailureError';
  readonly failure: ToolFailure;

  constructor(failure: ToolFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

/** Strings in summaries are cut to this many characters. */
export const SUMMARY_STRING_LIMIT = 60;

/** Cut a string for a summary, marking the cut. */
export function clip(text: string, limit = SUMMARY_STRING_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** FW stringifies every return value into one text item: `true`, `42`, a raw string, or JSON. */
export function textOutput(value: string | number | boolean | object): ToolOutput {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return { kind: 'text', text };
}

function defaultArgsSummary(args: Readonly<Record<string, unknown>>): string {
  return Object.entries(args)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' ? JSON.stringify(clip(value)) : String(value)}`,
    )
    .join(', ');
}

/** The default result summary: the text, cut; an image by type and size. */
export function summarizeOutput(output: ToolOutput): ToolSummary {
  if (output.kind === 'text') return { kind: 'text', text: clip(output.text) };
  return {
    kind: 'text',
    text: `${output.mimeType}, ${Math.ceil(output.data.byteLength / 1024)} kB`,
  };
}

export function inputSchemaOf(input: z.ZodMiniObject): ToolInputSchema {
  // The `$schema` URI is dead weight in every tools/list page; the servers never read it.
  const { $schema: _unused, ...schema }: Record<string, unknown> = z.toJSONSchema(input, {
    io: 'input',
  });
  return { ...schema, type: 'object' };
}

/** Turn a typed spec into a DeviceTool. */
export function defineTool<S extends z.ZodMiniObject>(spec: ToolSpec<S>): DeviceTool {
  const summarizeArgs = spec.summarizeArgs ?? defaultArgsSummary;
  const summarize = spec.summarizeOutput ?? summarizeOutput;
  return {
    name: spec.name,
    description: spec.description,
    inputSchema: inputSchemaOf(spec.input),
    defaultConsent: spec.defaultConsent ?? 'allow',
    prepare(rawArgs) {
      const parsed = spec.input.safeParse(rawArgs ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          error: `Invalid arguments for ${spec.name}: ${z.prettifyError(parsed.error)}`,
          failure: 'badArguments',
        };
      }
      const args = parsed.data;
      return {
        ok: true,
        call: {
          argsSummary: summarizeArgs(args),
          run: (signal) => spec.run(args, signal),
          summarize,
        },
      };
    },
  };
}
