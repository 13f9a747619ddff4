/**
 * The screen tool through the app core, as the window drives it: a typed "look at my screen"
 * turn, the question in the window with the picture, Allow answered through `tools:answer`, the
 * real Xvfb screen captured and explained by the reference server's vision endpoint. With the
 * window hidden, notifications point to the question and announce the picture that left; with
 * "Always allow", the next picture is announced again although nobody was asked; with the
 * thumbnail setting on, the history keeps the picture with its line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../shared/ipc.ts';
import { createAppCore, type LumiCore } from '../../../main/core/app/create-app-core.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import {
  colourIn,
  missingX11Tools,
  nearColour,
  startPaintedXvfb,
  type XDisplay,
} from '../../helpers/xvfb.ts';

const TOOL = 'self.screen.take_screenshot';
const WAIT_MS = 15_000;
const inCi = Boolean(process.env.CI);

let x: XDisplay;
let server: ReferenceServer | null = null;
let core: LumiCore | null = null;

function waitFor<T extends AppEvent>(
  events: AppEvent[],
  accept: (e: AppEvent) => e is T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      const found = events.find(accept);
      if (found) return resolve(found);
      if (Date.now() - started > WAIT_MS) return reject(new Error('event not seen in time'));
      setTimeout(poll, 20);
    };
    poll();
  });
}

const isPrompt = (e: AppEvent): e is Extract<AppEvent, { type: 'toolPrompted' }> =>
  e.type === 'toolPrompted';
const isScreenLine = (e: AppEvent): e is Extract<AppEvent, { type: 'messageUpserted' }> =>
  e.type === 'messageUpserted' && e.message.text.includes('looked at the screen');

describe.skipIf(missingX11Tools.length > 0 && !inCi)('the screen tool through the app core', () => {
  beforeAll(async () => {
    x = await startPaintedXvfb();
  });
  afterAll(() => x.stop());
  afterEach(async () => {
    await core?.close();
    core = null;
    await server?.stop();
    server = null;
  });

  it('asks with the picture, sends it on Allow, and announces every picture sent', async () => {
    server = await startReferenceServer();
    const events: AppEvent[] = [];
    const notifications: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'lumi-vision-core-'));
    core = await createAppCore({
      dataDir,
      appVersion: '0.1.0',
      platform: 'linux',
      secretCipher: null,
      plaintextSecrets: true,
      desktop: (app) =>
        new NodeDesktopCapabilities({ app, env: { ...process.env, DISPLAY: x.display } }),
      isWindowVisible: () => false,
      notify: (title, body) => notifications.push(`${title}: ${body}`),
      chooseExportFile: (name) => Promise.resolve(join(dataDir, name)),
      holdToTalkAvailable: false,
      hotkeyProblems: () => [],
      webSocketUrl: server.url,
    });
    core.onEvent((event) => events.push(event));
    await core.handlers['app:ready'](undefined);

    await core.handlers['session:sendText']({ text: '看看我的屏幕，这是什么颜色？' });
    const prompted = await waitFor(events, isPrompt);
    expect(prompted.prompt.tool).toBe(TOOL);
    expect(prompted.prompt.preview?.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    expect(prompted.prompt.preview?.destination).toBe(`127.0.0.1:${server.port}`);
    expect(notifications).toContain(`Lumi asks: Allow ${TOOL}? Open Lumi to answer.`);
    expect(server.visionRequests).toEqual([]);

    await core.handlers['tools:answer']({ id: prompted.prompt.id, allow: true });
    await waitFor(events, (e): e is AppEvent => e.type === 'turnEnded');
    const reply = events
      .filter((e) => e.type === 'messageUpserted' && e.message.role === 'assistant')
      .at(-1);
    const replyText = reply?.type === 'messageUpserted' ? reply.message.text : '';
    expect(replyText).toContain('图片 JPEG 1280x720');
    expect(nearColour(colourIn(replyText))).toBe(true);
    const line = await waitFor(events, isScreenLine);
    expect(line.message.image).toBe(prompted.prompt.preview?.thumbnail);
    expect(notifications).toContain(`Lumi looked at the screen: Sent to 127.0.0.1:${server.port}`);

    // "Always allow": no question, but the picture that leaves is announced all the same.
    await core.handlers['tools:setConsent']({ tool: TOOL, consent: 'allow' });
    notifications.length = 0;
    const again = await server.callTool(TOOL, { question: '再看一次' });
    expect(JSON.stringify(again)).toContain('1280x720');
    expect(server.visionRequests).toHaveLength(2);
    expect(events.filter(isPrompt)).toHaveLength(1);
    expect(notifications).toEqual([`Lumi looked at the screen: Sent to 127.0.0.1:${server.port}`]);

    // The history keeps the line, not the picture: keeping thumbnails is a setting, off by default.
    const page = await core.handlers['history:page']({ before: null, limit: 20 });
    const stored = page.messages.filter((m) => m.text.includes('looked at the screen'));
    expect(stored.length).toBeGreaterThanOrEqual(1);
    expect(stored.every((m) => m.image === undefined)).toBe(true);

    // With the setting on, the next picture's line keeps its thumbnail in the history.
    const changed = await core.handlers['settings:update']({
      patch: { keepPictureThumbnails: true },
    });
    expect(changed.keepPictureThumbnails).toBe(true);
    await server.callTool(TOOL, { question: '第三次' });
    const kept = await core.handlers['history:page']({ before: null, limit: 20 });
    const pictures = kept.messages.filter((m) => m.image !== undefined);
    expect(pictures).toHaveLength(1);
    expect(pictures[0]?.image).toMatch(/^data:image\/jpeg;base64,/);
    expect(pictures[0]?.text).toContain('looked at the screen');
  });
});
