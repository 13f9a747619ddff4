/**
 * The JSON-RPC layer of the device MCP server: how payloads are classified, and the parts of
 * MCP the xiaozhi sequence does not exercise (ping, cancellation, lenient initialize, replies
 * to requests Lumi never sent, bad params).
 */
import { describe, expect, it } from 'vitest';
import { classify, MAX_PAYLOAD_DEPTH } from '../../../main/core/mcp/json-rpc.ts';
import { ConsentGate } from '../../../main/core/mcp/consent.ts';
import {
  DeviceMcpServer,
  MCP_PROTOCOL_VERSIONS,
} from '../../../main/core/mcp/device-mcp-server.ts';
import { createHarness, settle } from './harness.ts';

describe('classify', () => {
  it('tells requests, notifications, responses and the rest apart', () => {
    expect(classify({ jsonrpc: '2.0', id: 4, method: 'ping' })).toEqual({
      kind: 'request',
      id: 4,
      method: 'ping',
      params: {},
    });
    expect(
      classify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4 } }),
    ).toEqual({
      kind: 'notification',
      method: 'notifications/cancelled',
      params: { requestId: 4 },
    });
    expect(classify({ jsonrpc: '2.0', id: 'a', result: {} })).toEqual({
      kind: 'response',
      id: 'a',
    });
    expect(classify({ jsonrpc: '2.0', id: 9, error: { code: -1, message: 'no' } })).toEqual({
      kind: 'response',
      id: 9,
    });
    expect(classify({ id: 3, method: 'tools/list' })).toEqual({
      kind: 'invalid',
      id: 3,
      tooDeep: false,
    });
    expect(classify({ jsonrpc: '2.0', id: 1.5, method: 'ping' })).toEqual({
      kind: 'invalid',
      id: null,
      tooDeep: false,
    });
    expect(classify({ jsonrpc: '2.0', id: 2, method: 'ping', params: [1] })).toEqual({
      kind: 'invalid',
      id: 2,
      tooDeep: false,
    });
    expect(classify({ what: 'ever' })).toEqual({ kind: 'invalid', id: null, tooDeep: false });
    let deep: Record<string, unknown> = {};
    for (let level = 0; level < MAX_PAYLOAD_DEPTH; level += 1) deep = { a: deep };
    expect(
      classify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { arguments: deep } }),
    ).toEqual({ kind: 'invalid', id: 7, tooDeep: true });
  });
});

describe('DeviceMcpServer over JSON-RPC', () => {
  it('answers ping with an empty result', async () => {
    const { pipe } = createHarness();
    expect(await pipe.request({ jsonrpc: '2.0', id: 'p1', method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 'p1',
      result: {},
    });
  });

  it('offers its newest revision to a client asking for one it does not know, and reads initialize leniently', async () => {
    const { pipe, server } = createHarness();
    const seen: unknown[] = [];
    server.events.on('initializeReceived', (request) => seen.push(request));
    const future = await pipe.request({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2099-01-01', capabilities: {}, clientInfo: { name: 'X' } },
    });
    expect(future['result']).toMatchObject({ protocolVersion: MCP_PROTOCOL_VERSIONS[0] });
    const bare = await pipe.request({ jsonrpc: '2.0', id: 2, method: 'initialize' });
    expect(bare['result']).toEqual({
      protocolVersion: MCP_PROTOCOL_VERSIONS[0],
      capabilities: { tools: {} },
      serverInfo: { name: 'lumi-desktop', version: '0.1.0' },
    });
    expect(seen).toEqual([
      { clientName: 'X', protocolVersion: '2099-01-01', vision: false },
      { clientName: 'unknown', protocolVersion: 'unknown', vision: false },
    ]);
  });

  it('stops a call the server cancels and sends no reply for it', async () => {
    let promptSignal: AbortSignal | null = null;
    const harness = createHarness({
      prompt: (_request, signal) => {
        promptSignal = signal;
        return new Promise(() => undefined);
      },
    });
    const { pipe } = harness;
    pipe.toDevice({
      jsonrpc: '2.0',
      id: 8,
      method: 'tools/call',
      params: { name: 'self.clipboard.get_text', arguments: {} },
    });
    await settle();
    expect(harness.prompts).toHaveLength(1);
    pipe.toDevice({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 8, reason: 'timeout' },
    });
    await settle();
    expect((promptSignal as AbortSignal | null)?.aborted).toBe(true);
    expect(pipe.replies).toEqual([]);
    expect(harness.desktop.calls).toEqual([]);
    expect(harness.records).toMatchObject([
      {
        ok: false,
        resultSummary: 'self.clipboard.get_text was abandoned: the server cancelled it',
      },
    ]);
    // The session goes on: the next request is answered.
    const reply = await pipe.request({ jsonrpc: '2.0', id: 9, method: 'ping' });
    expect(reply['result']).toEqual({});
  });

  it('abandons a call whose id the server reuses while it runs, and reset ends the rest', async () => {
    const signals: AbortSignal[] = [];
    const harness = createHarness({
      prompt: (_request, signal) => {
        signals.push(signal);
        return new Promise(() => undefined);
      },
    });
    const call = {
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'self.clipboard.get_text', arguments: {} },
    };
    harness.pipe.toDevice(call);
    harness.pipe.toDevice(call);
    await settle();
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false]);
    harness.server.reset();
    await settle();
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
    expect(harness.pipe.replies).toEqual([]);
    expect(harness.desktop.calls).toEqual([]);
    expect(harness.records.map((record) => record.resultSummary)).toEqual([
      'self.clipboard.get_text was abandoned: the server reused its request id',
      'self.clipboard.get_text was abandoned: the session ended',
    ]);
  });

  it('reports a send that throws instead of letting it escape', async () => {
    const harness = createHarness();
    const failing = new DeviceMcpServer({
      send: () => {
        throw new Error('socket exploded');
      },
      tools: [],
      consent: new ConsentGate({
        chosen: () => undefined,
        prompt: async () => true,
        clock: harness.clock,
      }),
      clock: harness.clock,
      serverInfo: { name: 'lumi-desktop', version: '0.1.0' },
    });
    const errors: string[] = [];
    failing.events.on('errorOccurred', (error) => errors.push(error.message));
    failing.handle({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await settle();
    expect(errors).toEqual(['socket exploded']);
  });

  it('reports a response to a request it never sent, without answering it', async () => {
    const harness = createHarness();
    harness.pipe.toDevice({ jsonrpc: '2.0', id: 77, result: { ok: true } });
    await settle();
    expect(harness.pipe.replies).toEqual([]);
    expect(harness.errors.map((error) => error.message)).toEqual([
      expect.stringContaining('never sent (id 77)'),
    ]);
  });

  it('answers a tools/call without a tool name, or a cursor that is not a string, with invalid params', async () => {
    const { pipe } = createHarness();
    const noName = await pipe.request({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { arguments: {} },
    });
    expect(noName).toMatchObject({ id: 1, error: { code: -32602 } });
    const badCursor = await pipe.request({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/list',
      params: { cursor: 5 },
    });
    expect(badCursor).toMatchObject({ id: 2, error: { code: -32602 } });
  });

  it('turns a tool argument that is not an object into an error result, not a crash', async () => {
    const harness = createHarness();
    const reply = await harness.pipe.request({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'self.audio_speaker.set_volume', arguments: 'loud' },
    });
    expect(reply['result']).toMatchObject({ isError: true });
    expect(harness.desktop.calls).toEqual([]);
  });

  it('answers nothing once closed', async () => {
    const harness = createHarness();
    await harness.server.close();
    harness.pipe.toDevice({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await settle();
    expect(harness.pipe.replies).toEqual([]);
  });
});
