/**
 * Lumi's device MCP server against the reference server, which drives MCP exactly like
 * xiaozhi-esp32-server: initialize (id 1) right after the hello, tools/list paging with id 2
 * for every page, tool calls from id 1 again, and all of it anew after a reconnect.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListenMode } from '../../../shared/assistant.ts';
import type { ToolConsent } from '../../../shared/settings.ts';
import { allowListPrompt, ConsentGate } from '../../../main/core/mcp/consent.ts';
import { desktopTools } from '../../../main/core/mcp/desktop-tools.ts';
import { DeviceMcpServer } from '../../../main/core/mcp/device-mcp-server.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import type { ToolCallRecord } from '../../../main/core/mcp/tool-call-record.ts';
import { systemClock } from '../../../main/core/util/clock.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { WiredSocket } from './wired-socket.ts';

/** Small enough that Lumi's ten tools take several pages. */
const PAGE_BYTES = 1_200;

let server: ReferenceServer;
let socket: WiredSocket;
let mcp: DeviceMcpServer;
let records: ToolCallRecord[];
let shown: string[];
const app = { volume: 60, mode: 'manual' as ListenMode };

function wire(consent: Record<string, ToolConsent> = {}): void {
  const desktop = new NodeDesktopCapabilities({
    app: {
      getVolume: () => Promise.resolve(app.volume),
      setVolume: (volume) => Promise.resolve(void (app.volume = volume)),
      getMode: () => Promise.resolve(app.mode),
      setMode: (mode) => Promise.resolve(void (app.mode = mode)),
      status: () => Promise.resolve({ connection: 'ready', appVersion: '0.1.0', os: 'linux' }),
    },
    // No clipboard tool on this PATH: the clipboard must be reported unavailable.
    env: { PATH: '' },
    platform: 'linux',
  });
  shown = [];
  desktop.events.on('notificationShown', ({ title, body }) => shown.push(`${title}: ${body}`));
  socket = new WiredSocket({ url: server.url });
  mcp = new DeviceMcpServer({
    send: socket.send,
    tools: desktopTools(desktop, systemClock, () => null),
    consent: new ConsentGate({
      chosen: (tool) => consent[tool],
      // The CLI's answer to "ask" tools: --allow-tools self.clipboard.get_text
      prompt: allowListPrompt(['self.clipboard.get_text']),
      clock: systemClock,
    }),
    clock: systemClock,
    serverInfo: { name: 'lumi-desktop', version: '0.1.0' },
    pageBytes: PAGE_BYTES,
  });
  records = [];
  mcp.events.on('toolCalled', (record) => records.push(record));
  socket.onReady(() => mcp.reset());
  socket.onMessage((message) => {
    if (message.type === 'mcp') mcp.handle(message.payload);
  });
}

/** The MCP replies Lumi sent on one connection, as [id, kind]. */
function repliesOn(connection: number): [unknown, string][] {
  return server.received
    .filter((record) => record.connection === connection && record.type === 'mcp')
    .map((record) => {
      const payload = record.message?.['payload'] as Record<string, unknown>;
      return [payload['id'], 'result' in payload ? 'result' : 'error'];
    });
}

const textOf = (result: unknown): string =>
  (result as { content: { text: string }[] }).content[0]?.text ?? '';

beforeEach(async () => {
  app.volume = 60;
  app.mode = 'manual';
  server = await startReferenceServer();
});

afterEach(async () => {
  socket.close();
  await mcp.close();
  await server.stop();
});

describe('device tools over the reference server', () => {
  it('answers the handshake and the paged tools/list with reused id 2', async () => {
    wire();
    await socket.connect();
    const tools = await server.waitForTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'self.get_device_status',
      'self.audio_speaker.set_volume',
      'self.audio_speaker.get_volume',
      'self.app.set_mode',
      'self.system.open_url',
      'self.clipboard.get_text',
      'self.clipboard.set_text',
      'self.notify',
      'self.screen.take_screenshot',
      'self.time.now',
    ]);
    const replies = repliesOn(0);
    expect(replies[0]).toEqual([1, 'result']);
    expect(replies.length).toBeGreaterThan(2);
    expect(replies.slice(1).every(([id, kind]) => id === 2 && kind === 'result')).toBe(true);
    const init = server.received.find((record) => record.type === 'mcp');
    expect(init?.message?.['payload']).toMatchObject({
      id: 1,
      result: { protocolVersion: '2024-11-05', capabilities: { tools: {} } },
    });
    expect(mcp.vision?.token).toMatch(/^vision-/);
  });

  it('runs the tools the server calls and reports failures as error results', async () => {
    wire();
    await socket.connect();
    await server.waitForTools();

    expect(await server.callTool('self.audio_speaker.set_volume', { volume: 25 })).toEqual({
      content: [{ type: 'text', text: 'true' }],
      isError: false,
    });
    expect(app.volume).toBe(25);
    expect(textOf(await server.callTool('self.audio_speaker.get_volume', {}))).toBe('25');
    await server.callTool('self.app.set_mode', { mode: 'hands_free' });
    expect(app.mode).toBe('auto');
    const status = JSON.parse(
      textOf(await server.callTool('self.get_device_status', {})),
    ) as unknown;
    expect(status).toMatchObject({ audio_speaker: { volume: 25 }, app: { mode: 'hands_free' } });
    const now = JSON.parse(textOf(await server.callTool('self.time.now', {}))) as { utc: string };
    expect(Number.isNaN(Date.parse(now.utc))).toBe(false);
    await server.callTool('self.notify', { title: 'Timer', body: 'Tea is ready' });
    expect(shown).toEqual(['Timer: Tea is ready']);

    // Allowed by the allow list, but this machine has no clipboard tool: honest failure.
    const clipboard = await server.callTool('self.clipboard.get_text', {});
    expect(clipboard).toMatchObject({ isError: true });
    expect(textOf(clipboard)).toMatch(/clipboard is not available/);
    // "ask" and not on the allow list.
    expect(textOf(await server.callTool('self.clipboard.set_text', { text: 'x' }))).toBe(
      'The user did not allow self.clipboard.set_text',
    );
    // Only https links are opened.
    expect(
      await server.callTool('self.system.open_url', { url: 'http://example.org' }),
    ).toMatchObject({
      isError: true,
    });
    expect(textOf(await server.callTool('self.reboot', {}))).toBe('Unknown tool: self.reboot');
    expect(textOf(await server.callTool('self.audio_speaker.set_volume', { volume: 101 }))).toMatch(
      /^Invalid arguments/,
    );
    expect(records.map((record) => record.ok)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('does not list denied tools', async () => {
    wire({ 'self.screen.take_screenshot': 'deny', 'self.notify': 'deny' });
    await socket.connect();
    const names = (await server.waitForTools()).map((tool) => tool.name);
    expect(names).toHaveLength(8);
    expect(names).not.toContain('self.notify');
    expect(textOf(await server.callTool('self.notify', { title: 'x' }))).toBe(
      'The user does not allow self.notify',
    );
  });

  it('goes through initialize and paging again after the server restarts', async () => {
    wire();
    await socket.connect();
    await server.waitForTools();
    await server.callTool('self.audio_speaker.set_volume', { volume: 10 });

    const closed = socket.closed();
    await server.restart();
    await closed;
    await socket.connect();
    const second = await server.waitForConnection((connection) => connection.index === 1);
    const tools = await server.waitForTools();
    expect(tools).toHaveLength(10);
    const replies = repliesOn(second.index);
    expect(replies[0]).toEqual([1, 'result']);
    expect(replies.slice(1).every(([id]) => id === 2)).toBe(true);
    // The new session's first call reuses id 1 again.
    expect(textOf(await server.callTool('self.audio_speaker.get_volume', {}))).toBe('10');
    expect(repliesOn(second.index).at(-1)).toEqual([1, 'result']);
  });
});
