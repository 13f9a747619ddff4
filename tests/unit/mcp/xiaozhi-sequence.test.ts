/**
 * The exact request sequence of xiaozhi-esp32-server (docs/protocol.md §4.2): initialize id 1 with
 * a vision capability, tools/list id 2 (and id 2 again for each further page), tool calls whose
 * ids start at 1 again, and all of it repeated from id 1 in the next session.
 */
import { describe, expect, it } from 'vitest';
import { createHarness, settle } from './harness.ts';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2024-11-05',
    capabilities: {
      roots: { listChanged: true },
      sampling: {},
      vision: { url: 'http://127.0.0.1:8003/mcp/vision/explain', token: 'jwt-token' },
    },
    clientInfo: { name: 'XiaozhiClient', version: '1.0.0' },
  },
};

type Harness = ReturnType<typeof createHarness>;

async function xiaozhiSession(harness: Harness): Promise<string[]> {
  const { pipe } = harness;
  const init = await pipe.request(INITIALIZE);
  expect(init).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: {
      protocolVersion: '2024-11-05',
      capabilities: { tools: {} },
      serverInfo: { name: 'lumi-desktop', version: '0.1.0' },
    },
  });
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const reply = await pipe.request({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/list',
      ...(cursor === undefined ? {} : { params: { cursor } }),
    });
    expect(reply['id']).toBe(2);
    const result = reply['result'] as { tools: { name: string }[]; nextCursor?: string };
    names.push(...result.tools.map((tool) => tool.name));
    cursor = result.nextCursor;
  } while (cursor);
  return names;
}

describe('the xiaozhi-esp32-server sequence', () => {
  it('answers initialize with 2024-11-05, pages with id 2 reused, then calls from id 1', async () => {
    const harness = createHarness({ pageBytes: 500 });
    const { pipe, server } = harness;
    const initialized: unknown[] = [];
    server.events.on('initializeReceived', (request) => initialized.push(request));

    const names = await xiaozhiSession(harness);
    expect(names).toHaveLength(10);
    expect(new Set(names).size).toBe(10);
    expect(initialized).toEqual([
      { clientName: 'XiaozhiClient', protocolVersion: '2024-11-05', vision: true },
    ]);
    expect(server.vision).toEqual({
      url: 'http://127.0.0.1:8003/mcp/vision/explain',
      token: 'jwt-token',
    });

    const call1 = await pipe.request({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'self.audio_speaker.set_volume', arguments: { volume: 50 } },
    });
    expect(call1).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { content: [{ type: 'text', text: 'true' }], isError: false },
    });
    const call2 = await pipe.request({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'self.audio_speaker.get_volume', arguments: {} },
    });
    expect(call2['result']).toEqual({ content: [{ type: 'text', text: '50' }], isError: false });
    expect(harness.errors).toEqual([]);
  });

  it('goes through the whole sequence again after reset() for a new session', async () => {
    const harness = createHarness({ pageBytes: 500 });
    const first = await xiaozhiSession(harness);
    harness.server.reset();
    expect(harness.server.vision).toBeNull();
    const second = await xiaozhiSession(harness);
    expect(second).toEqual(first);
    const call = await harness.pipe.request({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'self.time.now', arguments: {} },
    });
    expect((call['result'] as { isError: boolean }).isError).toBe(false);
  });

  it('ignores notifications and answers unknown methods with an error', async () => {
    const harness = createHarness();
    const { pipe } = harness;
    await pipe.request(INITIALIZE);
    pipe.toDevice({ jsonrpc: '2.0', method: 'notifications/initialized' });
    pipe.toDevice({ jsonrpc: '2.0', method: 'notifications/whatever', params: { x: 1 } });
    await settle();
    expect(pipe.replies).toHaveLength(1);
    const reply = await pipe.request({ jsonrpc: '2.0', id: 7, method: 'resources/list' });
    expect(reply).toMatchObject({ id: 7, error: { code: -32601 } });
  });

  it('answers a malformed request that has an id instead of leaving the server waiting', async () => {
    const harness = createHarness();
    const reply = await harness.pipe.request({ id: 3, method: 'tools/list' });
    expect(reply).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32600, message: 'Invalid Request' },
    });
    expect(harness.errors).toHaveLength(1);
    harness.pipe.toDevice({ what: 'ever' });
    expect(harness.errors).toHaveLength(2);
  });

  it('refuses an unknown cursor with an error reply', async () => {
    const harness = createHarness();
    const reply = await harness.pipe.request({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/list',
      params: { cursor: 'self.no_such_tool' },
    });
    expect(reply).toMatchObject({
      id: 2,
      error: { code: -32602, message: expect.stringContaining('cursor') },
    });
  });

  it('drops the reply of a call still running when the session is reset', async () => {
    let release: (allowed: boolean) => void = () => undefined;
    let promptSignal: AbortSignal | null = null;
    const harness = createHarness({
      prompt: (_request, signal) => {
        promptSignal = signal;
        return new Promise((resolve) => (release = resolve));
      },
    });
    const { pipe, server } = harness;
    pipe.toDevice({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'self.clipboard.get_text', arguments: {} },
    });
    await settle();
    expect(harness.prompts).toHaveLength(1);
    server.reset();
    await settle();
    expect((promptSignal as AbortSignal | null)?.aborted).toBe(true);
    release(true);
    await settle();
    expect(pipe.replies).toEqual([]);
    expect(harness.desktop.calls).toEqual([]);
    expect(harness.records).toMatchObject([
      {
        name: 'self.clipboard.get_text',
        ok: false,
        resultSummary: 'self.clipboard.get_text was abandoned: the session ended',
      },
    ]);
  });
});
