/**
 * A DeviceMcpServer with Lumi's desktop tools over in-memory capabilities that record what the
 * tools asked of the desktop, wired to an EnvelopePipe.
 */
import type { ListenMode } from '../../../shared/assistant.ts';
import type { ToolPrompt } from '../../../shared/ipc.ts';
import type { ToolConsent } from '../../../shared/settings.ts';
import type {
  CameraAccess,
  DesktopCapabilities,
  ScreenFrame,
} from '../../../main/core/mcp/capabilities.ts';
import { ConsentGate, type ConsentPrompt } from '../../../main/core/mcp/consent.ts';
import { desktopTools } from '../../../main/core/mcp/desktop-tools.ts';
import { DeviceMcpServer } from '../../../main/core/mcp/device-mcp-server.ts';
import type { ToolCallRecord } from '../../../main/core/mcp/tool-call-record.ts';
import type { VisionTarget } from '../../../main/core/vision/vision-upload.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { EnvelopePipe } from './envelope-pipe.ts';

/** Desktop capabilities held in memory; `calls` lists what the tools did. */
export class MemoryDesktop implements DesktopCapabilities {
  volume = 70;
  mode: ListenMode = 'manual';
  clipboard = 'clipboard text';
  readonly calls: string[] = [];
  frame: ScreenFrame | null = null;
  /** No camera unless a test plugs one in. */
  camera: CameraAccess | undefined = undefined;

  async getVolume(): Promise<number> {
    return this.volume;
  }
  async setVolume(volume: number): Promise<void> {
    this.calls.push(`setVolume ${volume}`);
    this.volume = volume;
  }
  async getMode(): Promise<ListenMode> {
    return this.mode;
  }
  async setMode(mode: Exclude<ListenMode, 'realtime'>): Promise<void> {
    this.calls.push(`setMode ${mode}`);
    this.mode = mode;
  }
  async status(): Promise<{ connection: string; appVersion: string; os: string }> {
    return { connection: 'ready', appVersion: '0.1.0', os: 'linux 6.1.0' };
  }
  async readClipboard(): Promise<string> {
    this.calls.push('readClipboard');
    return this.clipboard;
  }
  async writeClipboard(text: string): Promise<void> {
    this.calls.push(`writeClipboard ${text}`);
    this.clipboard = text;
  }
  async notify(title: string, body: string): Promise<void> {
    this.calls.push(`notify ${title} / ${body}`);
  }
  async openExternal(url: string): Promise<void> {
    this.calls.push(`openExternal ${url}`);
  }
  captureScreen = async (options: { maxSide: number }): Promise<ScreenFrame> => {
    this.calls.push(`captureScreen ${options.maxSide}`);
    if (!this.frame) throw new Error('no screen');
    return this.frame;
  };
}

export interface HarnessOptions {
  readonly consent?: Record<string, ToolConsent>;
  /** Default: allow every question. */
  readonly prompt?: ConsentPrompt;
  readonly pageBytes?: number;
  /** The WebSocket URL the session is on (for the vision downgrade check). */
  readonly sessionUrl?: string;
}

export function createHarness(options: HarnessOptions = {}) {
  const clock = new ManualClock();
  const desktop = new MemoryDesktop();
  const pipe = new EnvelopePipe();
  const consent: Record<string, ToolConsent> = { ...options.consent };
  const prompts: ToolPrompt[] = [];
  const prompt: ConsentPrompt = options.prompt ?? (() => Promise.resolve(true));
  const gate = new ConsentGate({
    chosen: (tool) => consent[tool],
    prompt: (request, signal) => {
      prompts.push(request);
      return prompt(request, signal);
    },
    clock,
    newId: () => `prompt-${prompts.length + 1}`,
  });
  const vision = (): VisionTarget | null => {
    const endpoint = server.vision;
    if (endpoint === null) return null;
    const sessionUrl = options.sessionUrl ?? 'ws://127.0.0.1/xiaozhi/v1/';
    return { ...endpoint, deviceId: 'aa:bb:cc:dd:ee:ff', clientId: 'client-1', sessionUrl };
  };
  const server: DeviceMcpServer = new DeviceMcpServer({
    send: pipe.deviceSend,
    tools: desktopTools(desktop, clock, vision),
    consent: gate,
    clock,
    serverInfo: { name: 'lumi-desktop', version: '0.1.0' },
    ...(options.pageBytes === undefined ? {} : { pageBytes: options.pageBytes }),
  });
  pipe.connectDevice((payload) => server.handle(payload));
  const records: ToolCallRecord[] = [];
  server.events.on('toolCalled', (record) => records.push(record));
  const errors: Error[] = [];
  server.events.on('errorOccurred', (error) => errors.push(error));
  return { clock, desktop, pipe, consent, prompts, server, records, errors };
}

/** Let pending promise callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
