/**
 * Lumi's desktop tools, named the xiaozhi way (`self.<module>.<action>`, FW docs/mcp-usage.md)
 * so the servers' prompts and habits for ESP32 devices carry over.
 */
import * as z from '../util/zod.ts';
import type { ListenMode } from '../../../shared/assistant.ts';
import { ProblemError } from '../../../shared/problem-english.ts';
import type { Clock } from '../util/clock.ts';
import type { DesktopCapabilities } from './capabilities.ts';
import { clip, defineTool, summarizeOutput, textOutput, type DeviceTool } from './device-tool.ts';
import { cameraTool } from './camera-tool.ts';
import { screenshotTool } from './screen-tool.ts';
import type { VisionAccess } from './vision-tool.ts';

/** Notification titles and bodies are cut to these lengths (desktop notifications truncate anyway). */
export const NOTIFY_TITLE_LIMIT = 100;
export const NOTIFY_BODY_LIMIT = 500;
/**
 * The longest link the server may ask to open: the consent prompt shows its host in full, so
 * the host must stay a readable length (browsers accept more, but no real link needs it).
 */
export const OPEN_URL_LIMIT = 4_096;
/** The largest text the server may put on the clipboard. */
export const CLIPBOARD_TEXT_LIMIT = 100_000;

/** Mode names in the tools' vocabulary, mapped to Lumi's listen modes. */
const TOOL_MODES = { push_to_talk: 'manual', hands_free: 'auto' } as const;

function toolModeName(mode: ListenMode): string {
  if (mode === 'manual') return 'push_to_talk';
  if (mode === 'auto') return 'hands_free';
  return 'realtime';
}

/** `+08:00` for a UTC offset of -480 minutes as Date#getTimezoneOffset reports it. */
function offsetSuffix(timezoneOffsetMinutes: number): string {
  const total = -timezoneOffsetMinutes;
  const sign = total >= 0 ? '+' : '-';
  const hours = String(Math.floor(Math.abs(total) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(total) % 60).padStart(2, '0');
  return `${sign}${hours}:${minutes}`;
}

/** Local ISO-8601 time with its UTC offset, e.g. `2026-11-21T19:05:00.000+08:00`. */
export function localIsoTime(epochMs: number): string {
  const date = new Date(epochMs);
  const offset = date.getTimezoneOffset();
  const local = new Date(epochMs - offset * 60_000).toISOString().slice(0, -1);
  return `${local}${offsetSuffix(offset)}`;
}

/**
 * Accept an https URL without embedded credentials; anything else is refused, so a server
 * cannot make Lumi launch `file:`, `javascript:` or custom-scheme handlers.
 */
export function checkOpenableUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProblemError({ code: 'linkNotUrl', url: clip(raw) });
  }
  if (url.protocol !== 'https:')
    throw new ProblemError({ code: 'linkNotHttps', scheme: url.protocol });
  if (url.username !== '' || url.password !== '') {
    throw new ProblemError({ code: 'linkHasCredentials' });
  }
  return url;
}

/**
 * A URL for the consent prompt and the log: the scheme and the whole host, then the path cut to
 * the summary limit, without the query or fragment that may carry tokens. The host is never
 * cut: `https://www.paypal.com.account-security-check.example/` cut at 60 characters would
 * read as a PayPal address (issue 11, finding 9).
 */
export function urlSummary(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${clip(url.pathname)}`;
  } catch {
    // Not a URL, so nothing in it reads as a query; shown cut and quoted, like other arguments.
    return JSON.stringify(clip(raw));
  }
}

type ToolFactory = (caps: DesktopCapabilities, clock: Clock, vision: VisionAccess) => DeviceTool;

const deviceStatusTool: ToolFactory = (caps) =>
  defineTool({
    name: 'self.get_device_status',
    description:
      'Current status of the Lumi desktop assistant: speaker volume, listening mode, connection, app version and operating system.',
    input: z.object({}),
    async run() {
      const [volume, mode, status] = await Promise.all([
        caps.getVolume(),
        caps.getMode(),
        caps.status(),
      ]);
      return textOutput({
        audio_speaker: { volume },
        app: { mode: toolModeName(mode), version: status.appVersion },
        connection: status.connection,
        os: status.os,
      });
    },
  });

const setVolumeTool: ToolFactory = (caps) =>
  defineTool({
    name: 'self.audio_speaker.set_volume',
    description: 'Set the volume of the assistant voice (0-100).',
    input: z.object({
      volume: z.int().check(z.gte(0), z.lte(100), z.describe('Volume, 0 to 100')),
    }),
    async run({ volume }) {
      await caps.setVolume(volume);
      return textOutput(true);
    },
  });

const getVolumeTool: ToolFactory = (caps) =>
  defineTool({
    name: 'self.audio_speaker.get_volume',
    description: 'Get the volume of the assistant voice (0-100).',
    input: z.object({}),
    async run() {
      return textOutput(await caps.getVolume());
    },
  });

const setModeTool: ToolFactory = (caps) =>
  defineTool({
    name: 'self.app.set_mode',
    description:
      'Switch how the user talks to the assistant: push_to_talk (hold a key) or hands_free (the assistant listens after each reply).',
    input: z.object({ mode: z.enum(['push_to_talk', 'hands_free']) }),
    async run({ mode }) {
      await caps.setMode(TOOL_MODES[mode]);
      return textOutput(true);
    },
  });

const openUrlTool: ToolFactory = (caps) =>
  defineTool({
    name: 'self.system.open_url',
    description: "Open an https link in the user's web browser.",
    input: z.object({
      url: z
        .string()
        .check(z.minLength(1), z.maxLength(OPEN_URL_LIMIT), z.describe('An https:// URL')),
    }),
    defaultConsent: 'ask',
    async run({ url }) {
      const checked = checkOpenableUrl(url);
      await caps.openExternal(checked.href);
      return textOutput(true);
    },
    summarizeArgs: ({ url }) => `url=${urlSummary(url)}`,
  });

const getClipboardTool: ToolFactory = (caps) =>
  defineTool({
    name: 'self.clipboard.get_text',
    description: "Read the text on the user's clipboard.",
    input: z.object({}),
    defaultConsent: 'ask',
    async run() {
      return textOutput(await caps.readClipboard());
    },
    summarizeOutput: (output) =>
      output.kind === 'text'
        ? { kind: 'characters', count: output.text.length }
        : summarizeOutput(output),
  });

const setClipboardTool: ToolFactory = (caps) =>
  defineTool({
    name: 'self.clipboard.set_text',
    description: "Put text on the user's clipboard.",
    input: z.object({ text: z.string().check(z.maxLength(CLIPBOARD_TEXT_LIMIT)) }),
    defaultConsent: 'ask',
    async run({ text }) {
      await caps.writeClipboard(text);
      return textOutput(true);
    },
    // The length in the arguments' own notation (`key=value`), never the text itself.
    summarizeArgs: ({ text }) => `text.length=${text.length}`,
  });

const notifyTool: ToolFactory = (caps) =>
  defineTool({
    name: 'self.notify',
    description: 'Show a desktop notification to the user.',
    input: z.object({
      title: z.string().check(z.minLength(1), z.maxLength(NOTIFY_TITLE_LIMIT)),
      body: z._default(z.string().check(z.maxLength(NOTIFY_BODY_LIMIT)), ''),
    }),
    async run({ title, body }) {
      await caps.notify(title, body);
      return textOutput(true);
    },
  });

const timeNowTool: ToolFactory = (_caps, clock) =>
  defineTool({
    name: 'self.time.now',
    description: 'The current local date and time with the time zone.',
    input: z.object({}),
    async run() {
      const now = clock.now();
      return textOutput({
        iso: localIsoTime(now),
        utc: new Date(now).toISOString(),
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      });
    },
  });

/** Every desktop tool, in the order tools/list pages them. */
const TOOL_FACTORIES: readonly ToolFactory[] = [
  deviceStatusTool,
  setVolumeTool,
  getVolumeTool,
  setModeTool,
  openUrlTool,
  getClipboardTool,
  setClipboardTool,
  notifyTool,
  (caps, _clock, vision) => screenshotTool(caps, vision),
  (caps, _clock, vision) => cameraTool(caps, vision),
  timeNowTool,
];

/** Build the desktop tools over the given capabilities and the session's vision endpoint. */
export function desktopTools(
  caps: DesktopCapabilities,
  clock: Clock,
  vision: VisionAccess,
): DeviceTool[] {
  return TOOL_FACTORIES.map((tool) => tool(caps, clock, vision));
}
