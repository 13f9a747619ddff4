/**
 * The screen tool's downgrade check and its one deadline (28 s from the arrival of tools/call, for consent, capture and
 * upload together): once it has passed nothing is uploaded, and the server is told why.
 * The clock is the test's; the vision endpoint is a real HTTP server that counts requests.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScreenFrame } from '../../../main/core/mcp/capabilities.ts';
import { SCREENSHOT_DEADLINE_MS } from '../../../main/core/mcp/screen-tool.ts';
import { createHarness, settle } from './harness.ts';

const FRAME: ScreenFrame = {
  width: 64,
  height: 36,
  data: new Uint8Array(64 * 36 * 4).fill(0x80),
  stride: 64 * 4,
  bytesPerPixel: 4,
  offsets: { red: 2, green: 1, blue: 0 },
};

let endpoint: Server;
let uploads = 0;
let url = '';

beforeEach(async () => {
  uploads = 0;
  endpoint = createServer((req, res) => {
    uploads += 1;
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ success: true, response: 'seen' })));
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const address = endpoint.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/vision`;
});

afterEach(async () => {
  await new Promise((resolve) => endpoint.close(resolve));
});

async function initialized(harness: ReturnType<typeof createHarness>): Promise<void> {
  await harness.pipe.request({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2024-11-05', capabilities: { vision: { url, token: 'vt' } } },
  });
}

describe('self.screen.take_screenshot: downgrade and deadline', () => {
  it('uploads nothing when the capture ends after the deadline', async () => {
    const harness = createHarness({ consent: { 'self.screen.take_screenshot': 'allow' } });
    let release: (frame: ScreenFrame) => void = () => undefined;
    harness.desktop.captureScreen = () => new Promise((resolve) => (release = resolve));
    await initialized(harness);
    const reply = harness.pipe.request({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'self.screen.take_screenshot', arguments: { question: 'what is this?' } },
    });
    await settle();
    harness.clock.advance(SCREENSHOT_DEADLINE_MS);
    release(FRAME);
    const result = (await reply)['result'] as { isError: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toBe(
      'self.screen.take_screenshot was abandoned: its 28 s deadline passed',
    );
    await settle();
    expect(uploads).toBe(0);
  });

  it('neither captures nor uploads for a plain http endpoint on a wss session', async () => {
    const harness = createHarness({
      consent: { 'self.screen.take_screenshot': 'allow' },
      sessionUrl: 'wss://voice.example/xiaozhi/v1/',
    });
    harness.desktop.frame = FRAME;
    await initialized(harness);
    const reply = await harness.pipe.request({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'self.screen.take_screenshot', arguments: { question: 'what is this?' } },
    });
    expect(reply['result']).toMatchObject({ isError: true });
    expect(harness.desktop.calls).toEqual([]);
    expect(uploads).toBe(0);
  });

  it('uploads when everything happens within the deadline', async () => {
    const harness = createHarness({ consent: { 'self.screen.take_screenshot': 'allow' } });
    harness.desktop.frame = FRAME;
    await initialized(harness);
    const reply = await harness.pipe.request({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'self.screen.take_screenshot', arguments: { question: 'what is this?' } },
    });
    expect(reply['result']).toMatchObject({ isError: false, content: [{ text: 'seen' }] });
    expect(uploads).toBe(1);
    // The deadline's timer is gone once the call ended: nothing fires later.
    harness.clock.advance(SCREENSHOT_DEADLINE_MS);
    expect(harness.records.map((record) => record.ok)).toEqual([true]);
  });
});
