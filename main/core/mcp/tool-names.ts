/**
 * Tool names as the servers see them. xiaozhi-esp32-server hands tool names to its LLM after
 * replacing every character outside `[A-Za-z0-9_-]` and CJK with `_`, and maps the LLM's
 * choice back through that renaming (docs/protocol.md §4.4, `sanitize_tool_name`). Two names that
 * collapse to the same renamed form would make one of them unreachable, so the registry
 * refuses them.
 */

/** Lumi's tool names: `self.<module>.<action>`, built from characters the renaming keeps or maps to `_`. */
const TOOL_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** The MCP specification recommends names of at most this many characters. */
export const MAX_TOOL_NAME_LENGTH = 128;

/** What xiaozhi-esp32-server turns a tool name into before the LLM sees it. */
export function serverToolName(name: string): string {
  return name.replace(/[^A-Za-z0-9_\-\u4e00-\u9fff]/g, '_');
}

/**
 * Check a set of tool names: each uses only the allowed characters and stays unique after the
 * server's renaming. Throws on the first problem, because a bad name is a programming error.
 */
export function assertToolNames(names: readonly string[]): void {
  const renamed = new Map<string, string>();
  for (const name of names) {
    if (!TOOL_NAME.test(name) || name.length > MAX_TOOL_NAME_LENGTH) {
      throw new Error(`Tool name "${name}" uses characters the servers do not keep`);
    }
    const key = serverToolName(name);
    const other = renamed.get(key);
    if (other !== undefined) {
      throw new Error(`Tool names "${other}" and "${name}" both become "${key}" on the server`);
    }
    renamed.set(key, name);
  }
}

/** Whether two names denote the same tool once the server has renamed them. */
export function sameTool(a: string, b: string): boolean {
  return serverToolName(a) === serverToolName(b);
}
