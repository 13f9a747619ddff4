import { describe, expect, it } from 'vitest';
import { pageTools, type ListedTool } from '../../../main/core/mcp/tool-pages.ts';

const tool = (name: string, descriptionLength = 10): ListedTool => ({
  name,
  description: 'd'.repeat(descriptionLength),
  inputSchema: { type: 'object', properties: {} },
});

const size = (t: ListedTool): number => JSON.stringify(t).length + 1;

describe('pageTools', () => {
  const tools = ['a', 'b', 'c', 'd', 'e'].map((name) => tool(`self.${name}`));
  const one = size(tools[0] as ListedTool);

  it('puts everything on one page when it fits', () => {
    expect(pageTools(tools, undefined, 10_000)).toEqual({ ok: true, tools, nextCursor: undefined });
  });

  it('pages by bytes with the next tool name as cursor', () => {
    const first = pageTools(tools, undefined, one * 2);
    expect(first).toEqual({ ok: true, tools: tools.slice(0, 2), nextCursor: 'self.c' });
    const second = pageTools(tools, 'self.c', one * 2);
    expect(second).toEqual({ ok: true, tools: tools.slice(2, 4), nextCursor: 'self.e' });
    const last = pageTools(tools, 'self.e', one * 2);
    expect(last).toEqual({ ok: true, tools: tools.slice(4), nextCursor: undefined });
  });

  it('treats an empty cursor as the start', () => {
    expect(pageTools(tools, '', one)).toMatchObject({ tools: [tools[0]], nextCursor: 'self.b' });
  });

  it('lists a tool larger than the budget on a page of its own', () => {
    const big = [tool('self.small'), tool('self.big', 5_000), tool('self.after')];
    expect(pageTools(big, undefined, 200)).toMatchObject({
      tools: [big[0]],
      nextCursor: 'self.big',
    });
    expect(pageTools(big, 'self.big', 200)).toMatchObject({
      tools: [big[1]],
      nextCursor: 'self.after',
    });
  });

  it('counts bytes, not characters', () => {
    const wide = [tool('self.a'), { ...tool('self.b'), description: '音'.repeat(10) }];
    const budget = size(wide[0] as ListedTool) + JSON.stringify(wide[1]).length + 1;
    expect(pageTools(wide, undefined, budget)).toMatchObject({
      tools: [wide[0]],
      nextCursor: 'self.b',
    });
  });

  it('rejects a cursor that names no tool', () => {
    expect(pageTools(tools, 'self.zzz')).toEqual({ ok: false, error: 'Unknown cursor: self.zzz' });
  });
});
