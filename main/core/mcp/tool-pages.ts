/**
 * Cursor paging of tools/list as the firmware does it (docs/protocol.md §4.4): a page holds as
 * many tools as fit in a byte budget, and the cursor is the name of the first tool of the next
 * page. xiaozhi-esp32-server keeps asking (with id 2 every time) while `nextCursor` is set.
 */

/** FW pages its tools/list replies at about this many bytes of JSON. */
export const TOOLS_PAGE_BYTES = 8_000;

export interface ListedTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: { readonly type: 'object'; readonly [key: string]: unknown };
}

export type ToolPage =
  | { readonly ok: true; readonly tools: ListedTool[]; readonly nextCursor: string | undefined }
  | { readonly ok: false; readonly error: string };

const encoder = new TextEncoder();

/**
 * The page of `tools` that starts at `cursor` (undefined or empty: the first page). A page
 * always holds at least one tool, so a tool larger than the budget still gets listed.
 */
export function pageTools(
  tools: readonly ListedTool[],
  cursor: string | undefined,
  maxBytes: number = TOOLS_PAGE_BYTES,
): ToolPage {
  const start = cursor ? tools.findIndex((tool) => tool.name === cursor) : 0;
  if (start < 0) return { ok: false, error: `Unknown cursor: ${cursor}` };
  const page: ListedTool[] = [];
  let bytes = 0;
  let index = start;
  for (; index < tools.length; index++) {
    const tool = tools[index];
    if (tool === undefined) break;
    // +1 for the comma between array items.
    const size = encoder.encode(JSON.stringify(tool)).byteLength + 1;
    if (page.length > 0 && bytes + size > maxBytes) break;
    page.push(tool);
    bytes += size;
  }
  return { ok: true, tools: page, nextCursor: tools[index]?.name };
}
