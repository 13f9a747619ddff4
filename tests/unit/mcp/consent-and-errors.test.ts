import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSENT_TIMEOUT } from '../../../main/core/mcp/consent.ts';
import { toolCallLine } from '../../../main/core/mcp/tool-call-record.ts';
import { createHarness, settle, type HarnessOptions } from './harness.ts';

const clients: Client[] = [];

async function setup(options: HarnessOptions = {}) {
  const harness = createHarness(options);
  const client = new Client({ name: 'XiaozhiClient', version: '1.0.0' });
  clients.push(client);
  await client.connect(harness.pipe.clientTransport());
  return { ...harness, client };
}

/** `callTool` also types the 2024-10-07 compatibility shape, hence the cast. */
function firstText(result: unknown): string {
  return (result as { content?: { text?: string }[] }).content?.[0]?.text ?? '';
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('tool consent', () => {
  it('hides denied tools from tools/list and refuses calls to them', async () => {
    const { client, desktop, records } = await setup({
      consent: { 'self.notify': 'deny', 'self.clipboard.get_text': 'deny' },
    });
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).not.toContain('self.notify');
    expect(names).not.toContain('self.clipboard.get_text');
    expect(names).toHaveLength(7);
    const result = await client.callTool({ name: 'self.notify', arguments: { title: 'x' } });
    expect(result).toMatchObject({ isError: true });
    expect(firstText(result)).toBe('The user does not allow self.notify');
    expect(desktop.calls).toEqual([]);
    expect(records).toMatchObject([{ name: 'self.notify', ok: false, failure: 'notAllowed' }]);
  });

  it('follows a consent change made while connected', async () => {
    const { client, consent } = await setup();
    expect((await client.listTools()).tools).toHaveLength(9);
    consent['self.time.now'] = 'deny';
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain(
      'self.time.now',
    );
  });

  it('asks before clipboard and browser tools by default, and not before the rest', async () => {
    const { client, prompts } = await setup();
    await client.callTool({ name: 'self.audio_speaker.set_volume', arguments: { volume: 10 } });
    await client.callTool({ name: 'self.notify', arguments: { title: 'hi' } });
    expect(prompts).toEqual([]);
    await client.callTool({ name: 'self.clipboard.set_text', arguments: { text: 'abc' } });
    await client.callTool({ name: 'self.clipboard.get_text', arguments: {} });
    await client.callTool({
      name: 'self.system.open_url',
      arguments: { url: 'https://example.org/' },
    });
    expect(prompts.map((prompt) => [prompt.tool, prompt.summary])).toEqual([
      ['self.clipboard.set_text', 'text.length=3'],
      ['self.clipboard.get_text', ''],
      ['self.system.open_url', 'url=https://example.org/'],
    ]);
  });

  it('runs an "ask" tool only when the user allows it', async () => {
    let answer = false;
    const { client, desktop, records } = await setup({ prompt: () => Promise.resolve(answer) });
    const refused = await client.callTool({
      name: 'self.clipboard.set_text',
      arguments: { text: 'a' },
    });
    expect(refused).toMatchObject({ isError: true });
    expect(firstText(refused)).toBe('The user did not allow self.clipboard.set_text');
    expect(desktop.calls).toEqual([]);
    // The conversation's line says why from the reason, not from the model's English.
    const [record] = records;
    expect(record).toMatchObject({ ok: false, refusal: 'denied' });
    expect(record && toolCallLine(record)).toEqual({
      code: 'toolDenied',
      call: `self.clipboard.set_text (${record?.argsSummary})`,
    });
    answer = true;
    const allowed = await client.callTool({
      name: 'self.clipboard.set_text',
      arguments: { text: 'a' },
    });
    expect(allowed).toMatchObject({ isError: false });
    expect(desktop.calls).toEqual(['writeClipboard a']);
    expect(records.map((record) => record.ok)).toEqual([false, true]);
  });

  it('denies when the question times out, and withdraws the question', async () => {
    let signal: AbortSignal | null = null;
    const { pipe, clock, desktop, prompts } = await setup({
      prompt: (_request, abort) => {
        signal = abort;
        return new Promise<boolean>(() => undefined);
      },
    });
    const reply = pipe.nextReply((payload) => payload['id'] === 42);
    pipe.toDevice({
      jsonrpc: '2.0',
      id: 42,
      method: 'tools/call',
      params: { name: 'self.clipboard.get_text', arguments: {} },
    });
    await settle();
    expect(prompts[0]?.expiresAt).toBe(clock.now() + CONSENT_TIMEOUT);
    clock.advance(CONSENT_TIMEOUT - 1);
    await settle();
    expect((signal as AbortSignal | null)?.aborted).toBe(false);
    clock.advance(1);
    expect(await reply).toMatchObject({
      id: 42,
      result: {
        isError: true,
        error: 'The user did not allow self.clipboard.get_text',
        content: [{ type: 'text', text: 'The user did not allow self.clipboard.get_text' }],
      },
    });
    expect((signal as AbortSignal | null)?.aborted).toBe(true);
    expect(desktop.calls).toEqual([]);
  });

  it('treats a failing prompt as a refusal', async () => {
    const { client } = await setup({ prompt: () => Promise.reject(new Error('window gone')) });
    const result = await client.callTool({ name: 'self.clipboard.get_text', arguments: {} });
    expect(result).toMatchObject({ isError: true });
  });
});

describe('bad calls become error results', () => {
  it('answers an unknown tool with an error result', async () => {
    const { client, records } = await setup();
    const result = await client.callTool({ name: 'self.reboot', arguments: {} });
    expect(result).toEqual({
      content: [{ type: 'text', text: 'Unknown tool: self.reboot' }],
      isError: true,
      error: 'Unknown tool: self.reboot',
    });
    expect(records).toMatchObject([{ name: 'self.reboot', ok: false, failure: 'unknown' }]);
  });

  it("finds a tool by the server's renamed spelling too", async () => {
    const { client, desktop, records } = await setup();
    const result = await client.callTool({
      name: 'self_audio_speaker_set_volume',
      arguments: { volume: 5 },
    });
    expect(result).toMatchObject({ isError: false });
    expect(desktop.volume).toBe(5);
    expect(records[0]?.name).toBe('self.audio_speaker.set_volume');
  });

  it.each([[{ volume: 150 }], [{ volume: -1 }], [{ volume: 1.5 }], [{ volume: '50' }], [{}]])(
    'refuses set_volume with %j without touching the desktop',
    async (args) => {
      const { client, desktop } = await setup();
      const result = await client.callTool({
        name: 'self.audio_speaker.set_volume',
        arguments: args,
      });
      expect(result).toMatchObject({ isError: true });
      expect(firstText(result)).toMatch(
        /^Invalid arguments for self.audio_speaker.set_volume: .*volume/s,
      );
      expect(desktop.calls).toEqual([]);
    },
  );

  it('does not ask the user about a call with bad arguments', async () => {
    const { client, prompts } = await setup();
    const result = await client.callTool({
      name: 'self.clipboard.set_text',
      arguments: { text: 5 },
    });
    expect(result).toMatchObject({ isError: true });
    expect(prompts).toEqual([]);
  });

  it('refuses a mode outside push_to_talk and hands_free', async () => {
    const { client, desktop } = await setup();
    const result = await client.callTool({
      name: 'self.app.set_mode',
      arguments: { mode: 'realtime' },
    });
    expect(result).toMatchObject({ isError: true });
    expect(desktop.mode).toBe('manual');
  });

  it.each([
    ['http://example.org/', 'Only https links may be opened, not http:'],
    ['file:///etc/passwd', 'Only https links may be opened, not file:'],
    ['javascript:alert(1)', 'Only https links may be opened, not javascript:'],
    ['https://user:pw@example.org/', 'Links with embedded credentials are refused'],
    ['not a url', 'Not a URL: not a url'],
  ])('refuses to open %s', async (url, message) => {
    const { client, desktop, records } = await setup();
    const result = await client.callTool({ name: 'self.system.open_url', arguments: { url } });
    expect(result).toMatchObject({ isError: true });
    expect(firstText(result)).toBe(message);
    expect(records[0]?.failure).toBe('linkRefused');
    expect(desktop.calls).toEqual([]);
  });

  it('reports a capability failure as an error result', async () => {
    const { client, desktop, records } = await setup();
    desktop.readClipboard = () => Promise.reject(new Error('The clipboard is not available'));
    const result = await client.callTool({ name: 'self.clipboard.get_text', arguments: {} });
    expect(result).toMatchObject({ isError: true });
    expect(firstText(result)).toBe('The clipboard is not available');
    // The system's words: the line shows them as they are, with no failure Lumi words.
    expect(records[0]).not.toHaveProperty('failure');
  });

  it('neither lists nor runs the screen tool when the server named no vision endpoint', async () => {
    const { client, desktop } = await setup();
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).not.toContain('self.screen.take_screenshot');
    const result = await client.callTool({
      name: 'self.screen.take_screenshot',
      arguments: { question: 'what is this?' },
    });
    expect(result).toMatchObject({ isError: true });
    expect(firstText(result)).toBe(
      'self.screen.take_screenshot is not available: the server named no vision endpoint',
    );
    expect(desktop.calls).toEqual([]);
  });
});
