/**
 * `self.camera.take_photo` over the MCP server: listed only while the desktop has a camera
 * plugged in (and the server named a vision endpoint), the photo shown in the prompt and then
 * posted as it came from the camera, a frame too large for the upload scaled down first. The
 * vision endpoint is a real HTTP server that keeps what it received.
 */
import { createServer, type Server } from 'node:http';
import jpeg from 'jpeg-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CameraAccess } from '../../../main/core/mcp/capabilities.ts';
import { CAMERA_TOOL } from '../../../main/core/mcp/camera-tool.ts';
import { createHarness, type MemoryDesktop } from './harness.ts';

let endpoint: Server;
let uploads: Buffer[] = [];
let url = '';

beforeEach(async () => {
  uploads = [];
  endpoint = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      uploads.push(Buffer.concat(chunks));
      res.end(JSON.stringify({ success: true, response: 'a red mug' }));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const address = endpoint.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/vision`;
});

afterEach(async () => {
  await new Promise((resolve) => endpoint.close(resolve));
});

/** A solid-colour photo as a camera page would hand it over. */
function photo(width: number, height: number): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([200, 30, 40, 255], i);
  return new Uint8Array(jpeg.encode({ width, height, data }, 90).data);
}

/** A camera that is plugged in while `present` says so and returns `frame`. */
function plugCamera(desktop: MemoryDesktop, frame: Uint8Array): { present: boolean } {
  const state = { present: true };
  const camera: CameraAccess = {
    present: () => state.present,
    takePhoto: async (options) => {
      desktop.calls.push(`takePhoto ${options.maxSide}`);
      return frame;
    },
  };
  desktop.camera = camera;
  return state;
}

async function setup(consent: 'allow' | 'ask' = 'allow') {
  const harness = createHarness({ consent: { [CAMERA_TOOL]: consent } });
  await harness.pipe.request({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2024-11-05', capabilities: { vision: { url, token: 'vt' } } },
  });
  return harness;
}

async function listed(harness: Awaited<ReturnType<typeof setup>>): Promise<string[]> {
  const reply = await harness.pipe.request({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  return (reply['result'] as { tools: { name: string }[] }).tools.map((tool) => tool.name);
}

function call(harness: Awaited<ReturnType<typeof setup>>) {
  return harness.pipe.request({
    jsonrpc: '2.0',
    id: 3,
    method: 'tools/call',
    params: { name: CAMERA_TOOL, arguments: { question: 'what am I holding?' } },
  });
}

describe('self.camera.take_photo', () => {
  it('is listed only while a camera is plugged in, and refused when none is', async () => {
    const harness = await setup();
    expect(await listed(harness)).not.toContain(CAMERA_TOOL);
    expect((await call(harness))['result']).toMatchObject({ isError: true });

    const camera = plugCamera(harness.desktop, photo(64, 48));
    expect(await listed(harness)).toContain(CAMERA_TOOL);
    camera.present = false;
    expect(await listed(harness)).not.toContain(CAMERA_TOOL);
    expect(uploads).toEqual([]);
  });

  it('shows the photo in the prompt, posts that photo and answers with the endpoint', async () => {
    const harness = await setup('ask');
    const frame = photo(640, 480);
    plugCamera(harness.desktop, frame);
    const reply = await call(harness);
    expect(reply['result']).toMatchObject({ isError: false, content: [{ text: 'a red mug' }] });
    expect(harness.prompts[0]?.preview?.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    expect(harness.desktop.calls).toEqual(['takePhoto 1280']);
    // The camera's JPEG went out byte for byte, as `camera.jpg`.
    expect(uploads).toHaveLength(1);
    expect(uploads[0]?.includes(Buffer.from(frame))).toBe(true);
    expect(uploads[0]?.toString('latin1')).toContain('filename="camera.jpg"');
    expect(harness.records[0]).toMatchObject({
      name: CAMERA_TOOL,
      ok: true,
      resultSummary: 'took a photo: a red mug',
      summary: { kind: 'tookPhoto', answer: 'a red mug' },
    });
  });

  it('scales a frame larger than the picture limit down before it is sent', async () => {
    const harness = await setup();
    plugCamera(harness.desktop, photo(2560, 1440));
    await call(harness);
    const body = uploads[0] ?? Buffer.alloc(0);
    const start = body.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
    const decoded = jpeg.decode(body.subarray(start), { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([1280, 720]);
  });
});
