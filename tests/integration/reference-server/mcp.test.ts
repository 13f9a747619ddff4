import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  McpCallError,
  startReferenceServer,
  type ReferenceServer,
} from '../../fixtures/reference-server.ts';
import { PlainClient, firmwareHello } from '../../fixtures/reference-server/plain-client.ts';

/** Three tools served two per page, the cursor naming the next tool as FW does. */
const TOOLS = ['self.get_device_status', 'self.audio_speaker.set_volume', 'self.app.open'].map(
  (name) => ({ name, description: name, inputSchema: { type: 'object', properties: {} } }),
);
const PAGE_SIZE = 2;

let server: ReferenceServer;
let client: PlainClient;

/** A tiny scripted MCP server: answers initialize, pages tools/list, and runs two tools. */
function scriptMcp(peer: PlainClient): void {
  peer.socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = JSON.parse(String(data)) as {
      type?: string;
      payload?: Record<string, unknown>;
    };
    const payload = message.payload;
    if (message.type !== 'mcp' || payload === undefined) return;
    const reply = (body: Record<string, unknown>): void =>
      peer.sendJson({ type: 'mcp', payload: { jsonrpc: '2.0', id: payload.id, ...body } });
    const params = (payload.params ?? {}) as {
      cursor?: string;
      name?: string;
      arguments?: unknown;
    };
    if (payload.method === 'initialize') {
      reply({
        result: {
          protocolVersion: '2024-11-05',
          capabilities: { tools: {} },
          serverInfo: { name: 'scripted', version: '1' },
        },
      });
    } else if (payload.method === 'tools/list') {
      const start =
        params.cursor === undefined ? 0 : TOOLS.findIndex((t) => t.name === params.cursor);
      const page = TOOLS.slice(start, start + PAGE_SIZE);
      const next = TOOLS[start + PAGE_SIZE];
      reply({
        result: next === undefined ? { tools: page } : { tools: page, nextCursor: next.name },
      });
    } else if (payload.method === 'tools/call' && params.name === 'self.get_device_status') {
      reply({
        result: {
          content: [{ type: 'text', text: '{"audio_speaker":{"volume":70}}' }],
          isError: false,
        },
      });
    } else if (payload.method === 'tools/call') {
      reply({ error: { message: `Unknown tool: ${String(params.name)}` } });
    }
  });
}

beforeEach(async () => {
  server = await startReferenceServer();
  client = await PlainClient.connect(server.url);
  scriptMcp(client);
});

afterEach(async () => {
  await server.stop();
});

describe('MCP driver', () => {
  it('sends initialize (id 1), then pages tools/list with id 2 and the cursor', async () => {
    client.sendJson(firmwareHello());
    const tools = await server.waitForTools();
    expect(tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
    const requests = client.json('mcp').map((m) => m.payload as Record<string, unknown>);
    expect(requests.map((p) => [p.id, p.method, p.params])).toEqual([
      [1, 'initialize', expect.objectContaining({ protocolVersion: '2024-11-05' })],
      [2, 'tools/list', undefined],
      [2, 'tools/list', { cursor: 'self.app.open' }],
    ]);
    expect(server.tools).toEqual(tools);
  });

  it('does not start MCP when the client hello has no features.mcp', async () => {
    client.sendJson(firmwareHello({ features: { mcp: false } }));
    await client.waitForJson('hello');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.json('mcp')).toHaveLength(0);
  });

  it('calls tools with ids counting from 1 and resolves results or rejects errors', async () => {
    client.sendJson(firmwareHello());
    await server.waitForTools();
    const result = await server.callTool('self.get_device_status', {});
    expect(result).toEqual({
      content: [{ type: 'text', text: '{"audio_speaker":{"volume":70}}' }],
      isError: false,
    });
    const failure = server.callTool('self.nope', { x: 1 });
    await expect(failure).rejects.toBeInstanceOf(McpCallError);
    await expect(failure).rejects.toThrow('Unknown tool: self.nope');
    const calls = client
      .json('mcp')
      .map((m) => m.payload as Record<string, unknown>)
      .filter((p) => p.method === 'tools/call');
    // XS call ids restart at 1, colliding with initialize and tools/list (docs/protocol.md §4.2).
    expect(calls.map((p) => [p.id, p.params])).toEqual([
      [1, { name: 'self.get_device_status', arguments: {} }],
      [2, { name: 'self.nope', arguments: { x: 1 } }],
    ]);
  });
});
