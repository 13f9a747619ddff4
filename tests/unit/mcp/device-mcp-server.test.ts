import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness } from './harness.ts';

type Harness = ReturnType<typeof createHarness>;

/** Every tool a session without a vision endpoint sees (the SDK client names none). */
const ALL_TOOLS = [
  'self.get_device_status',
  'self.audio_speaker.set_volume',
  'self.audio_speaker.get_volume',
  'self.app.set_mode',
  'self.system.open_url',
  'self.clipboard.get_text',
  'self.clipboard.set_text',
  'self.notify',
  'self.time.now',
];

const clients: Client[] = [];

async function connectClient(harness: Harness): Promise<Client> {
  const client = new Client({ name: 'XiaozhiClient', version: '1.0.0' });
  clients.push(client);
  await client.connect(harness.pipe.clientTransport());
  return client;
}

async function listAll(client: Client): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    names.push(...page.tools.map((tool) => tool.name));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { names, pages };
}

/** `callTool` also types the 2024-10-07 compatibility shape, hence the cast. */
function text(result: unknown): string {
  return (result as { content?: { text?: string }[] }).content?.[0]?.text ?? '';
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('DeviceMcpServer driven by the SDK client', () => {
  it('completes the handshake and names itself', async () => {
    const harness = createHarness();
    const client = await connectClient(harness);
    expect(client.getServerVersion()).toEqual({ name: 'lumi-desktop', version: '0.1.0' });
    expect(client.getServerCapabilities()).toEqual({ tools: {} });
  });

  it('pages tools/list within the byte budget and lists every tool once', async () => {
    const harness = createHarness({ pageBytes: 600 });
    const client = await connectClient(harness);
    const { names, pages } = await listAll(client);
    expect(names).toEqual(ALL_TOOLS);
    expect(pages).toBeGreaterThan(2);
    const listed = harness.pipe.replies
      .map((reply) => (reply['result'] as { tools?: unknown[] } | undefined)?.tools)
      .filter((tools) => tools !== undefined);
    expect(listed).toHaveLength(pages);
    // A page over the budget may only hold a single tool that is larger than the budget.
    for (const tools of listed) {
      expect(JSON.stringify(tools).length <= 600 || tools.length === 1).toBe(true);
    }
  });

  it('lists everything in one page with the default budget', async () => {
    const harness = createHarness();
    const client = await connectClient(harness);
    const page = await client.listTools();
    expect(page.tools.map((tool) => tool.name)).toEqual(ALL_TOOLS);
    expect(page.nextCursor).toBeUndefined();
    const volume = page.tools.find((tool) => tool.name === 'self.audio_speaker.set_volume');
    expect(volume?.inputSchema).toMatchObject({
      type: 'object',
      properties: { volume: { type: 'integer', minimum: 0, maximum: 100 } },
      required: ['volume'],
    });
  });

  it('runs every tool against the desktop capabilities', async () => {
    const harness = createHarness();
    const { desktop, clock } = harness;
    const client = await connectClient(harness);

    const status = await client.callTool({ name: 'self.get_device_status', arguments: {} });
    expect(JSON.parse(text(status))).toEqual({
      audio_speaker: { volume: 70 },
      app: { mode: 'push_to_talk', version: '0.1.0' },
      connection: 'ready',
      os: 'linux 6.1.0',
    });

    const set = await client.callTool({
      name: 'self.audio_speaker.set_volume',
      arguments: { volume: 35 },
    });
    expect(set).toMatchObject({ isError: false, content: [{ type: 'text', text: 'true' }] });
    expect(
      text(await client.callTool({ name: 'self.audio_speaker.get_volume', arguments: {} })),
    ).toBe('35');

    await client.callTool({ name: 'self.app.set_mode', arguments: { mode: 'hands_free' } });
    expect(desktop.mode).toBe('auto');

    await client.callTool({
      name: 'self.system.open_url',
      arguments: { url: 'https://example.org/a?b=c' },
    });
    expect(text(await client.callTool({ name: 'self.clipboard.get_text', arguments: {} }))).toBe(
      'clipboard text',
    );
    await client.callTool({ name: 'self.clipboard.set_text', arguments: { text: 'hello' } });
    await client.callTool({ name: 'self.notify', arguments: { title: 'Tea', body: 'is ready' } });

    const now = JSON.parse(
      text(await client.callTool({ name: 'self.time.now', arguments: {} })),
    ) as {
      utc: string;
      iso: string;
      timezone: string;
    };
    expect(now.utc).toBe(new Date(clock.now()).toISOString());
    expect(Date.parse(now.iso)).toBe(clock.now());
    expect(now.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);

    expect(desktop.calls).toEqual([
      'setVolume 35',
      'setMode auto',
      'openExternal https://example.org/a?b=c',
      'readClipboard',
      'writeClipboard hello',
      'notify Tea / is ready',
    ]);
    expect(harness.records.map((record) => record.name)).toEqual(ALL_TOOLS);
    expect(harness.records.every((record) => record.ok)).toBe(true);
  });

  it('keeps clipboard contents and URL queries out of the call records', async () => {
    const harness = createHarness();
    const client = await connectClient(harness);
    await client.callTool({
      name: 'self.system.open_url',
      arguments: { url: 'https://example.org/a?token=s3cret#x' },
    });
    await client.callTool({ name: 'self.clipboard.get_text', arguments: {} });
    await client.callTool({ name: 'self.clipboard.set_text', arguments: { text: 'my password' } });
    await client.callTool({ name: 'self.audio_speaker.set_volume', arguments: { volume: 20 } });
    expect(
      harness.records.map(({ argsSummary, resultSummary }) => [argsSummary, resultSummary]),
    ).toEqual([
      ['url=https://example.org/a', 'true'],
      ['', '14 characters'],
      ['text.length=11', 'true'],
      ['volume=20', 'true'],
    ]);
    expect(JSON.stringify(harness.records)).not.toMatch(/s3cret|password|clipboard text/);
    // The window words the count; the line carries the number, not English.
    expect(harness.records[1]?.summary).toEqual({ kind: 'characters', count: 14 });
    expect(harness.records[0]?.at).toBe(harness.clock.now());
  });
});
