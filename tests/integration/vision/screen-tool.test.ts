/**
 * `self.screen.take_screenshot` end to end with real parts: a real X server (Xvfb, 1920×1080,
 * painted #336699) captured with xwd, Lumi's device MCP server on a real WebSocket to the
 * reference server, and the reference server's vision endpoint decoding the JPEG it received
 * — so an answer naming 1280x720 and the colour proves the real picture arrived.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ToolPrompt } from '../../../shared/ipc.ts';
import { ConsentGate, type ConsentPrompt } from '../../../main/core/mcp/consent.ts';
import { desktopTools } from '../../../main/core/mcp/desktop-tools.ts';
import { DeviceMcpServer } from '../../../main/core/mcp/device-mcp-server.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import type { ToolCallRecord } from '../../../main/core/mcp/tool-call-record.ts';
import { systemClock } from '../../../main/core/util/clock.ts';
import { VISION_ANSWER_MAX_BYTES } from '../../../main/core/vision/vision-upload.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { WiredSocket } from '../mcp/wired-socket.ts';
import {
  colourIn,
  missingX11Tools,
  nearColour,
  startPaintedXvfb,
  type XDisplay,
} from '../../helpers/xvfb.ts';

const TOOL = 'self.screen.take_screenshot';
const QUESTION = '屏幕上写了什么？';
/** WiredSocket's identity. */
const DEVICE_ID = 'aa:bb:cc:dd:ee:42';
const CLIENT_ID = '0b5c3f6e-1d2a-4e8b-9c7d-5a4f3e2d1c0b';
const inCi = Boolean(process.env.CI);

let x: XDisplay;
let server: ReferenceServer;
let socket: WiredSocket;
let mcp: DeviceMcpServer;
let records: ToolCallRecord[];
let prompts: ToolPrompt[];

interface WireOptions {
  readonly answer?: ConsentPrompt;
  readonly consentTimeoutMs?: number;
  /** The URL the session pretends to be on (the downgrade check reads it). */
  readonly sessionUrl?: string;
}

async function wire(options: WireOptions = {}): Promise<void> {
  const desktop = new NodeDesktopCapabilities({
    app: {
      getVolume: () => Promise.resolve(50),
      setVolume: () => Promise.resolve(),
      getMode: () => Promise.resolve('manual'),
      setMode: () => Promise.resolve(),
      status: () => Promise.resolve({ connection: 'ready', appVersion: '0.1.0', os: 'linux' }),
    },
    env: { ...process.env, DISPLAY: x.display },
    platform: 'linux',
  });
  socket = new WiredSocket({ url: server.url });
  const answer = options.answer ?? (() => Promise.resolve(true));
  mcp = new DeviceMcpServer({
    send: socket.send,
    tools: desktopTools(desktop, systemClock, () =>
      mcp.vision === null
        ? null
        : {
            ...mcp.vision,
            deviceId: DEVICE_ID,
            clientId: CLIENT_ID,
            sessionUrl: options.sessionUrl ?? server.url,
          },
    ),
    consent: new ConsentGate({
      chosen: () => undefined,
      prompt: (request, signal) => {
        prompts.push(request);
        return answer(request, signal);
      },
      clock: systemClock,
      ...(options.consentTimeoutMs === undefined ? {} : { timeoutMs: options.consentTimeoutMs }),
    }),
    clock: systemClock,
    serverInfo: { name: 'lumi-desktop', version: '0.1.0' },
  });
  mcp.events.on('toolCalled', (record) => records.push(record));
  socket.onReady(() => mcp.reset());
  socket.onMessage((message) => {
    if (message.type === 'mcp') mcp.handle(message.payload);
  });
  await socket.connect();
  await server.waitForTools();
}

const textOf = (result: unknown): string =>
  (result as { content: { text: string }[] }).content[0]?.text ?? '';
const isError = (result: unknown): boolean => (result as { isError: boolean }).isError;

describe.skipIf(missingX11Tools.length > 0 && !inCi)(
  'the screen explained by the vision endpoint',
  () => {
    beforeAll(async () => {
      x = await startPaintedXvfb();
    });
    afterAll(() => x.stop());

    beforeEach(async () => {
      records = [];
      prompts = [];
      server = await startReferenceServer();
    });

    afterEach(async () => {
      socket.close();
      await mcp.close();
      await server.stop();
    });

    it('shows the picture in the prompt, then sends that picture and returns the answer', async () => {
      await wire();
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(isError(result)).toBe(false);
      const answer = textOf(result);
      expect(answer).toContain('图片 JPEG 1280x720');
      expect(nearColour(colourIn(answer))).toBe(true);
      expect(answer).toContain(`问题：${QUESTION}`);

      const [request] = server.visionRequests;
      expect(server.visionRequests).toHaveLength(1);
      expect(request).toMatchObject({
        tokenValid: true,
        deviceId: DEVICE_ID,
        clientId: CLIENT_ID,
        status: 200,
        question: QUESTION,
        formProblem: null,
        image: { width: 1280, height: 720 },
      });
      expect(request?.image?.bytes).toBeLessThanOrEqual(500 * 1024);

      const [prompt] = prompts;
      expect(prompt?.preview?.thumbnail).toMatch(/^data:image\/jpeg;base64,\/9j\//);
      expect(prompt?.preview?.destination).toBe(`127.0.0.1:${server.port}`);
      expect(prompt?.summary).toBe(`question=${JSON.stringify(QUESTION)}`);
      expect(records.at(-1)).toMatchObject({
        name: TOOL,
        ok: true,
        summary: { kind: 'lookedAtScreen' },
      });
      expect(records.at(-1)?.preview?.thumbnail).toBe(prompt?.preview?.thumbnail);
    });

    it('sends nothing when the user says no', async () => {
      await wire({ answer: () => Promise.resolve(false) });
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(isError(result)).toBe(true);
      expect(textOf(result)).toBe(`The user did not allow ${TOOL}`);
      expect(prompts).toHaveLength(1);
      expect(server.visionRequests).toEqual([]);
    });

    it('sends nothing when nobody answers the prompt in time', async () => {
      await wire({ answer: () => new Promise(() => undefined), consentTimeoutMs: 300 });
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(isError(result)).toBe(true);
      expect(server.visionRequests).toEqual([]);
    });

    it('is not listed when the server names no vision endpoint', async () => {
      server.setKnobs({ vision: 'none' });
      await wire();
      expect(server.tools.map((tool) => tool.name)).not.toContain(TOOL);
      expect(server.tools.map((tool) => tool.name)).toContain('self.time.now');
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(textOf(result)).toBe(`${TOOL} is not available: the server named no vision endpoint`);
      expect(prompts).toEqual([]);
    });

    it('says the server refused the vision token on a 401', async () => {
      server.setKnobs({ vision: 'refuseToken' });
      await wire();
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(isError(result)).toBe(true);
      expect(textOf(result)).toBe('The server refused the vision token (HTTP 401)');
      expect(server.visionRequests.map((r) => r.status)).toEqual([401]);
      // The window words the failure; the status stays in the model's message and the log.
      expect(records.at(-1)).toMatchObject({ ok: false, failure: 'visionFailed' });
    });

    it("passes on the endpoint's success:false message", async () => {
      server.setKnobs({ vision: 'fail' });
      await wire();
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(isError(result)).toBe(true);
      expect(textOf(result)).toBe(
        'The vision endpoint could not explain the picture: 视觉模型暂时不可用',
      );
    });

    it('refuses to read an oversized answer', async () => {
      server.setKnobs({ vision: 'oversized' });
      await wire();
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(isError(result)).toBe(true);
      expect(textOf(result)).toBe(
        `The vision answer is larger than ${VISION_ANSWER_MAX_BYTES / 1024} KB; not read`,
      );
    });

    it('refuses a plain http:// endpoint on an encrypted session, before capturing or asking', async () => {
      await wire({ sessionUrl: 'wss://voice.example/xiaozhi/v1/' });
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(isError(result)).toBe(true);
      expect(textOf(result)).toBe(
        'Refused: the vision endpoint is plain http:// on an encrypted wss:// session',
      );
      expect(records.at(-1)).toMatchObject({ ok: false, failure: 'visionRefused' });
      expect(prompts).toEqual([]);
      expect(server.visionRequests).toEqual([]);
    });

    it('waits for a slow vision model within the deadline', async () => {
      server.setKnobs({ visionDelayMs: 1_500 });
      await wire();
      const started = performance.now();
      const result = await server.callTool(TOOL, { question: QUESTION });
      expect(textOf(result)).toContain('1280x720');
      expect(performance.now() - started).toBeGreaterThanOrEqual(1_500);
    });
  },
);
