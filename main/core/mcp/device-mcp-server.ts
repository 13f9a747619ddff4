/**
 * Lumi as the MCP server the xiaozhi servers expect on a device (protocol.md §3.6): the server
 * sends initialize, pages through tools/list and calls tools, all inside `type:"mcp"` messages.
 *
 * Built on the SDK's low-level `Server` rather than `McpServer`, because McpServer lists every
 * tool in one reply (no cursor paging) and hides a tool by sending `list_changed`
 * notifications the servers do not read; here tools/list pages like the firmware and consent
 * decides per request what is visible.
 *
 * xiaozhi-esp32-server starts its request ids at 1 in every session and reuses id 2 for each
 * tools/list page; the SDK answers reused ids without complaint. A new session (a new server
 * hello) gets a fresh SDK server through `reset()`, so nothing of the old session's handshake
 * or in-flight calls leaks into the new one.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type ListToolsResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import type { ConsentGate } from './consent.ts';
import { clip, type DeviceTool, type ToolOutput } from './device-tool.ts';
import { EnvelopeTransport, type SendMessage } from './envelope-transport.ts';
import { TOOLS_PAGE_BYTES, pageTools, type ListedTool } from './tool-pages.ts';
import type { ToolCallRecord } from './tool-call-record.ts';
import { assertToolNames, serverToolName } from './tool-names.ts';

/** Error texts in call records are cut here; the server still gets the whole text. */
export const ERROR_SUMMARY_LIMIT = 200;

/** The vision endpoint a server offers in `initialize` (FW uses it to explain camera photos). */
export interface VisionEndpoint {
  readonly url: string;
  readonly token: string | null;
}

export type DeviceMcpEvents = {
  /**
   * The server opened this session's MCP handshake. (xiaozhi-esp32-server never sends
   * `notifications/initialized`; it goes from the initialize reply straight to tools/list.)
   */
  initializeReceived: (request: {
    readonly clientName: string;
    readonly protocolVersion: string;
    readonly vision: boolean;
  }) => void;
  /** One tools/list page went out. */
  toolsListed: (page: {
    readonly names: readonly string[];
    readonly nextCursor: string | null;
  }) => void;
  /** A tool call ended, allowed or not; the session appends it to the conversation. */
  toolCalled: (record: ToolCallRecord) => void;
  /** Something on the MCP channel went wrong without ending the session (for the log). */
  errorOccurred: (error: Error) => void;
};

export interface DeviceMcpServerOptions {
  readonly send: SendMessage;
  readonly tools: readonly DeviceTool[];
  readonly consent: ConsentGate;
  readonly clock: Clock;
  /** What `initialize` names us (FW sends its board name and firmware version). */
  readonly serverInfo: { readonly name: string; readonly version: string };
  /** Byte budget of one tools/list page. */
  readonly pageBytes?: number;
}

function toContent(output: ToolOutput): CallToolResult['content'] {
  if (output.kind === 'text') return [{ type: 'text', text: output.text }];
  return [
    { type: 'text', text: output.caption },
    { type: 'image', data: Buffer.from(output.data).toString('base64'), mimeType: output.mimeType },
  ];
}

/**
 * A failed call. xiaozhi-esp32-server reads the reason of an `isError` result from a
 * non-standard `error` field (not from the content), so it is sent in both places.
 */
const errorResult = (text: string): CallToolResult => ({
  content: [{ type: 'text', text }],
  isError: true,
  error: text,
});

interface InitializeParams {
  readonly protocolVersion?: unknown;
  readonly clientInfo?: { readonly name?: unknown };
  readonly capabilities?: {
    readonly vision?: { readonly url?: unknown; readonly token?: unknown };
  };
}

/**
 * What Lumi keeps from an `initialize` request: the protocol version asked for, and the vision
 * endpoint. `capabilities.vision` is a xiaozhi extension the SDK's schema strips, so it is read
 * from the raw payload.
 */
function readInitialize(
  payload: Readonly<Record<string, unknown>>,
): { clientName: string; protocolVersion: string; vision: VisionEndpoint | null } | null {
  if (payload['method'] !== 'initialize') return null;
  const params = (payload['params'] ?? {}) as InitializeParams;
  const vision = params.capabilities?.vision;
  return {
    clientName: typeof params.clientInfo?.name === 'string' ? params.clientInfo.name : 'unknown',
    protocolVersion:
      typeof params.protocolVersion === 'string' ? params.protocolVersion : 'unknown',
    vision:
      typeof vision?.url === 'string'
        ? { url: vision.url, token: typeof vision.token === 'string' ? vision.token : null }
        : null,
  };
}

export class DeviceMcpServer {
  readonly events = new Emitter<DeviceMcpEvents>();

  readonly #options: DeviceMcpServerOptions;
  /** Keyed by the server's spelling of the name. */
  readonly #tools: ReadonlyMap<string, DeviceTool>;
  readonly #pageBytes: number;
  #server: Server;
  #transport: EnvelopeTransport;
  #vision: VisionEndpoint | null = null;

  constructor(options: DeviceMcpServerOptions) {
    assertToolNames(options.tools.map((tool) => tool.name));
    this.#options = options;
    this.#tools = new Map(options.tools.map((tool) => [serverToolName(tool.name), tool]));
    this.#pageBytes = options.pageBytes ?? TOOLS_PAGE_BYTES;
    [this.#server, this.#transport] = this.#connect();
  }

  /** The vision endpoint of the current session's `initialize`, if the server sent one. */
  get vision(): VisionEndpoint | null {
    return this.#vision;
  }

  /** Feed the payload of one `type:"mcp"` server message. */
  handle(payload: Readonly<Record<string, unknown>>): void {
    const initialize = readInitialize(payload);
    if (initialize) {
      this.#vision = initialize.vision;
      this.events.emit('initializeReceived', {
        clientName: initialize.clientName,
        protocolVersion: initialize.protocolVersion,
        vision: initialize.vision !== null,
      });
    }
    this.#transport.deliver(payload);
  }

  /** Start over for a new server session (call on every server hello). */
  reset(): void {
    void this.#disconnect();
    this.#vision = null;
    [this.#server, this.#transport] = this.#connect();
  }

  /** Stop answering; pending calls are abandoned and their prompts withdrawn. */
  close(): Promise<void> {
    return this.#disconnect();
  }

  #disconnect(): Promise<void> {
    return this.#server.close().catch((error: unknown) => this.#failed(error));
  }

  #connect(): [Server, EnvelopeTransport] {
    const server = new Server({ ...this.#options.serverInfo }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, (request) =>
      this.#list(request.params?.cursor),
    );
    server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      this.#call(request.params.name, request.params.arguments, extra.signal),
    );
    server.onerror = (error) => this.events.emit('errorOccurred', error);
    const transport = new EnvelopeTransport(this.#options.send);
    // connect() installs the transport's callbacks before its first await, so a payload
    // delivered right after this returns is already handled.
    server.connect(transport).catch((error: unknown) => this.#failed(error));
    return [server, transport];
  }

  #failed(error: unknown): void {
    this.events.emit('errorOccurred', error instanceof Error ? error : new Error(String(error)));
  }

  #visibleTools(): ListedTool[] {
    const listed: ListedTool[] = [];
    for (const tool of this.#tools.values()) {
      if (this.#options.consent.consentFor(tool.name, tool.defaultConsent) === 'deny') continue;
      listed.push({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema,
      });
    }
    return listed;
  }

  #list(cursor: string | undefined): ListToolsResult {
    const page = pageTools(this.#visibleTools(), cursor, this.#pageBytes);
    if (!page.ok) throw new McpError(ErrorCode.InvalidParams, page.error);
    this.events.emit('toolsListed', {
      names: page.tools.map((tool) => tool.name),
      nextCursor: page.nextCursor ?? null,
    });
    return page.nextCursor === undefined
      ? { tools: page.tools }
      : { tools: page.tools, nextCursor: page.nextCursor };
  }

  async #call(requested: string, rawArgs: unknown, signal: AbortSignal): Promise<CallToolResult> {
    // Names are unique after the server's renaming, so either spelling finds the tool.
    const tool = this.#tools.get(serverToolName(requested));
    const name = tool?.name ?? requested;
    const record = (ok: boolean, argsSummary: string, resultSummary: string): void => {
      const at = this.#options.clock.now();
      this.events.emit('toolCalled', { name, ok, argsSummary, resultSummary, at });
    };
    const refuse = (argsSummary: string, message: string): CallToolResult => {
      record(false, argsSummary, clip(message, ERROR_SUMMARY_LIMIT));
      return errorResult(message);
    };

    if (!tool) return refuse('', `Unknown tool: ${requested}`);
    const { consent } = this.#options;
    const decision = consent.consentFor(name, tool.defaultConsent);
    if (decision === 'deny') return refuse('', `The user does not allow ${name}`);
    const prepared = tool.prepare(rawArgs);
    if (!prepared.ok) return refuse('', prepared.error);
    const { call } = prepared;
    if (decision === 'ask' && !(await consent.ask(name, call.argsSummary, signal))) {
      // An aborted signal means the session ended while the question was open: nobody said no.
      const reason = signal.aborted
        ? `${name} was abandoned: the session ended`
        : `The user did not allow ${name}`;
      return refuse(call.argsSummary, reason);
    }
    try {
      const output = await call.run(signal);
      record(true, call.argsSummary, call.summarize(output));
      return { content: toContent(output), isError: false };
    } catch (error) {
      return refuse(call.argsSummary, error instanceof Error ? error.message : String(error));
    }
  }
}
