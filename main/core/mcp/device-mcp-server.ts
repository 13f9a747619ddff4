/**
 * Lumi as the MCP server the xiaozhi servers expect on a device (docs/protocol.md §4): the server
 * sends initialize, pages through tools/list and calls tools, all as JSON-RPC inside `type:"mcp"`
 * messages.
 *
 * A small JSON-RPC dispatcher of its own rather than the MCP SDK: a device server answers four
 * methods, and the SDK (with the full zod build it needs) cost ~8 MB resident in the core
 * process. The SDK's client still drives it in the tests, so the two stay compatible.
 * tools/list pages like the firmware, and consent decides per request what is visible.
 *
 * xiaozhi-esp32-server starts its request ids at 1 in every session and reuses id 2 for each
 * tools/list page; ids are only used to answer, so reuse is harmless. A new session (a new
 * server hello) starts through `reset()`: the old session's calls are abandoned and their
 * replies dropped, so nothing of it reaches the new one, where the same ids start over.
 */
import { ProblemError } from '../../../shared/problem-english.ts';
import type { ProblemCode } from '../../../shared/problems.ts';
import { boundedJson } from '../log/bounded-json.ts';
import { mcpReply, type SendMessage } from '../protocol/client-messages.ts';
import type { Clock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import { CapabilityUnavailableError } from './capabilities.ts';
import type { ConsentGate } from './consent.ts';
import {
  clip,
  ToolFailureError,
  type DeviceTool,
  type PreparedCall,
  type ToolOutput,
  type ToolPreview,
} from './device-tool.ts';
import {
  classify,
  errorReply,
  MAX_PAYLOAD_DEPTH,
  resultReply,
  RpcError,
  RpcErrorCode,
  type Params,
  type RequestId,
} from './json-rpc.ts';
import { TOOLS_PAGE_BYTES, pageTools, type ListedTool } from './tool-pages.ts';
import { summaryEnglish, type ToolCallRecord } from './tool-call-record.ts';
import { assertToolNames, serverToolName } from './tool-names.ts';

/**
 * The MCP revisions Lumi answers in, newest first. A client asking for one of them gets it back
 * (the xiaozhi servers ask for 2024-11-05); any other gets the newest. Lumi uses only what all of
 * them share: initialize, ping, tools/list with cursors, tools/call.
 */
export const MCP_PROTOCOL_VERSIONS = [
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
] as const;

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
  /** One tools/list page was written to the connection (`nextCursor` null: the last one). */
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

/** One item of a tool result, as MCP defines text and image content. */
type ContentItem =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image'; readonly data: string; readonly mimeType: string };

interface CallToolResult {
  readonly content: readonly ContentItem[];
  readonly isError: boolean;
  /** xiaozhi-esp32-server reads a failure's reason from here, not from the content. */
  readonly error?: string;
}

interface ListToolsResult {
  readonly tools: readonly ListedTool[];
  readonly nextCursor?: string;
}

function toContent(output: ToolOutput): ContentItem[] {
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
 * What Lumi keeps from an `initialize` request: who asks, the protocol version asked for, and
 * the vision endpoint (`capabilities.vision`, a xiaozhi extension). Read leniently: a server
 * that leaves something out still gets its tools.
 */
function readInitialize(params: Params): {
  clientName: string;
  protocolVersion: string;
  vision: VisionEndpoint | null;
} {
  const given = params as InitializeParams;
  const vision = given.capabilities?.vision;
  return {
    clientName: typeof given.clientInfo?.name === 'string' ? given.clientInfo.name : 'unknown',
    protocolVersion: typeof given.protocolVersion === 'string' ? given.protocolVersion : 'unknown',
    vision:
      typeof vision?.url === 'string'
        ? { url: vision.url, token: typeof vision.token === 'string' ? vision.token : null }
        : null,
  };
}

/** Why a call's signal was aborted: it is said in the call's record. */
class Abandoned extends Error {}

/** One server session's requests: closed sessions answer nothing. */
interface McpSession {
  closed: boolean;
  /** Requests being answered by id, for notifications/cancelled. */
  readonly inFlight: Map<RequestId, AbortController>;
  /** Every request being answered, for reset and close (an id may be reused while running). */
  readonly running: Set<AbortController>;
}

const newSession = (): McpSession => ({ closed: false, inFlight: new Map(), running: new Set() });

export class DeviceMcpServer {
  readonly events = new Emitter<DeviceMcpEvents>();

  readonly #options: DeviceMcpServerOptions;
  /** Keyed by the server's spelling of the name. */
  readonly #tools: ReadonlyMap<string, DeviceTool>;
  readonly #pageBytes: number;
  #session: McpSession = newSession();
  #vision: VisionEndpoint | null = null;

  constructor(options: DeviceMcpServerOptions) {
    assertToolNames(options.tools.map((tool) => tool.name));
    this.#options = options;
    this.#tools = new Map(options.tools.map((tool) => [serverToolName(tool.name), tool]));
    this.#pageBytes = options.pageBytes ?? TOOLS_PAGE_BYTES;
  }

  /** The vision endpoint of the current session's `initialize`, if the server sent one. */
  get vision(): VisionEndpoint | null {
    return this.#vision;
  }

  /** Feed the payload of one `type:"mcp"` server message. */
  handle(payload: Readonly<Record<string, unknown>>): void {
    const session = this.#session;
    if (session.closed) return;
    const message = classify(payload);
    switch (message.kind) {
      case 'request':
        this.#answer(session, message.id, message.method, message.params).catch((error: unknown) =>
          this.#failed(error),
        );
        return;
      case 'notification':
        if (message.method === 'notifications/cancelled') {
          const requestId = message.params['requestId'];
          if (typeof requestId === 'string' || typeof requestId === 'number') {
            session.inFlight.get(requestId)?.abort(new Abandoned('the server cancelled it'));
          }
        }
        // notifications/initialized and the rest need nothing from a device.
        return;
      case 'response':
        this.#failed(
          new Error(`A JSON-RPC response to a request Lumi never sent (id ${message.id})`),
        );
        return;
      case 'invalid':
        // Answer what carries an id, or the server waits 30 s for nothing.
        if (message.id !== null) {
          const words = message.tooDeep
            ? `Invalid Request: nested deeper than ${MAX_PAYLOAD_DEPTH} levels`
            : 'Invalid Request';
          this.#reply(session, errorReply(message.id, RpcErrorCode.InvalidRequest, words));
        }
        this.#failed(new Error(`Not a JSON-RPC message: ${boundedJson(payload, 200)}`));
    }
  }

  /**
   * Start over for a new server session (call on every server hello); `keepVision` keeps the
   * vision endpoint of an earlier `initialize` on the same MQTT connection.
   */
  reset(options: { readonly keepVision?: boolean } = {}): void {
    this.#end(this.#session);
    this.#session = newSession();
    if (options.keepVision !== true) this.#vision = null;
  }

  /** Stop answering; pending calls are abandoned and their prompts withdrawn. */
  close(): Promise<void> {
    this.#end(this.#session);
    return Promise.resolve();
  }

  #end(session: McpSession): void {
    session.closed = true;
    for (const controller of session.running) controller.abort(new Abandoned('the session ended'));
    session.running.clear();
    session.inFlight.clear();
  }

  async #answer(session: McpSession, id: RequestId, method: string, params: Params): Promise<void> {
    const controller = new AbortController();
    // A request id reused while its first request runs: the first is abandoned (its reply
    // could not be told apart from the second's anyway).
    session.inFlight.get(id)?.abort(new Abandoned('the server reused its request id'));
    session.inFlight.set(id, controller);
    session.running.add(controller);
    let reply: Record<string, unknown>;
    let listed: ListToolsResult | null = null;
    try {
      const result = await this.#dispatch(method, params, controller.signal);
      if (method === 'tools/list') listed = result as ListToolsResult;
      reply = resultReply(id, result);
    } catch (error) {
      reply =
        error instanceof RpcError
          ? errorReply(id, error.code, error.message)
          : errorReply(
              id,
              RpcErrorCode.InternalError,
              error instanceof Error ? error.message : String(error),
            );
    } finally {
      if (session.inFlight.get(id) === controller) session.inFlight.delete(id);
      session.running.delete(controller);
    }
    // A cancelled request is not answered (MCP cancellation), nor one of an ended session.
    if (controller.signal.aborted) return;
    this.#reply(session, reply);
    // Told after the page is on the wire: a turn held for the tools must not overtake it.
    if (listed !== null && !session.closed) {
      this.events.emit('toolsListed', {
        names: listed.tools.map((tool) => tool.name),
        nextCursor: listed.nextCursor ?? null,
      });
    }
  }

  #dispatch(method: string, params: Params, signal: AbortSignal): Promise<object> | object {
    switch (method) {
      case 'initialize':
        return this.#initialize(params);
      case 'ping':
        return {};
      case 'tools/list': {
        const cursor = params['cursor'];
        if (cursor !== undefined && typeof cursor !== 'string') {
          throw new RpcError(RpcErrorCode.InvalidParams, 'tools/list: the cursor must be a string');
        }
        return this.#list(cursor);
      }
      case 'tools/call': {
        const name = params['name'];
        if (typeof name !== 'string') {
          throw new RpcError(
            RpcErrorCode.InvalidParams,
            'tools/call: the tool name must be a string',
          );
        }
        return this.#call(name, params['arguments'], signal);
      }
      default:
        throw new RpcError(RpcErrorCode.MethodNotFound, `Method not found: ${method}`);
    }
  }

  #initialize(params: Params): object {
    const request = readInitialize(params);
    // The latest `initialize` that names a vision endpoint wins: a gateway's own one, sent
    // before the hello, names none and must not hide the server's (docs/protocol.md §1.4).
    this.#vision = request.vision ?? this.#vision;
    this.events.emit('initializeReceived', {
      clientName: request.clientName,
      protocolVersion: request.protocolVersion,
      vision: request.vision !== null,
    });
    const supported = MCP_PROTOCOL_VERSIONS.find((version) => version === request.protocolVersion);
    return {
      protocolVersion: supported ?? MCP_PROTOCOL_VERSIONS[0],
      capabilities: { tools: {} },
      serverInfo: { ...this.#options.serverInfo },
    };
  }

  #reply(session: McpSession, payload: Record<string, unknown>): void {
    if (session.closed) return;
    let sent: boolean;
    try {
      sent = this.#options.send(mcpReply(payload));
    } catch (error) {
      this.#failed(error);
      return;
    }
    if (!sent) this.#failed(new Error('MCP reply not sent: the connection is not open'));
  }

  #failed(error: unknown): void {
    this.events.emit('errorOccurred', error instanceof Error ? error : new Error(String(error)));
  }

  #visibleTools(): ListedTool[] {
    const listed: ListedTool[] = [];
    for (const tool of this.#tools.values()) {
      if (this.#options.consent.consentFor(tool.name, tool.defaultConsent) === 'deny') continue;
      // A picture must never reach a text-only model: without a vision endpoint, no such tool.
      if (tool.needsVision === true && this.#vision === null) continue;
      if (tool.available?.() === false) continue;
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
    if (!page.ok) throw new RpcError(RpcErrorCode.InvalidParams, page.error);
    return page.nextCursor === undefined
      ? { tools: page.tools }
      : { tools: page.tools, nextCursor: page.nextCursor };
  }

  async #call(requested: string, rawArgs: unknown, signal: AbortSignal): Promise<CallToolResult> {
    // Names are unique after the server's renaming, so either spelling finds the tool.
    const tool = this.#tools.get(serverToolName(requested));
    if (!tool) {
      return this.#refuse(requested, '', `Unknown tool: ${requested}`, { failure: 'unknown' });
    }
    const { name } = tool;
    if (this.#options.consent.consentFor(name, tool.defaultConsent) === 'deny') {
      return this.#refuse(name, '', `The user does not allow ${name}`, { failure: 'notAllowed' });
    }
    if (tool.needsVision === true && this.#vision === null) {
      return this.#refuse(
        name,
        '',
        `${name} is not available: the server named no vision endpoint`,
        { failure: 'noVision' },
      );
    }
    if (tool.available?.() === false) {
      return this.#refuse(name, '', `${name} is not available on this desktop now`, {
        failure: 'unavailable',
      });
    }
    const prepared = tool.prepare(rawArgs);
    if (!prepared.ok) {
      return this.#refuse(name, '', prepared.error, { failure: prepared.failure });
    }
    if (tool.deadlineMs === undefined) return this.#consentAndRun(tool, prepared.call, signal);
    // One deadline for consent, capture and upload, counted from the call's arrival.
    const deadline = new AbortController();
    const seconds = Math.round(tool.deadlineMs / 1000);
    const timer = this.#options.clock.setTimeout(
      () => deadline.abort(new Abandoned(`its ${seconds} s deadline passed`)),
      tool.deadlineMs,
    );
    try {
      return await this.#consentAndRun(
        tool,
        prepared.call,
        AbortSignal.any([signal, deadline.signal]),
      );
    } finally {
      this.#options.clock.clearTimeout(timer);
    }
  }

  async #consentAndRun(
    tool: DeviceTool,
    call: PreparedCall,
    signal: AbortSignal,
  ): Promise<CallToolResult> {
    const { name } = tool;
    let preview: ToolPreview | null = null;
    try {
      if (call.preview) preview = await call.preview(signal);
      const { consent } = this.#options;
      if (consent.consentFor(name, tool.defaultConsent) === 'ask') {
        const asked = await consent.ask(name, call.argsSummary, signal, preview);
        if (asked !== 'allowed') {
          const refusal = signal.aborted ? 'abandoned' : asked === 'busy' ? 'busy' : 'denied';
          return this.#refuse(name, call.argsSummary, refusalReason(name, asked, signal), {
            refusal,
          });
        }
      }
      const output = await call.run(signal);
      const summary = call.summarize(output);
      this.#emitRecord(
        {
          name,
          ok: true,
          argsSummary: call.argsSummary,
          resultSummary: summaryEnglish(summary),
          summary,
          at: this.#options.clock.now(),
        },
        preview,
      );
      return { content: toContent(output), isError: false };
    } catch (error) {
      const message = signal.aborted
        ? `${name} was abandoned: ${abandonReason(signal)}`
        : error instanceof Error
          ? error.message
          : String(error);
      return this.#refuse(
        name,
        call.argsSummary,
        message,
        signal.aborted ? { refusal: 'abandoned' } : failureOf(error),
      );
    }
  }

  #emitRecord(record: ToolCallRecord, preview: ToolPreview | null): void {
    this.events.emit('toolCalled', preview === null ? record : { ...record, preview });
  }

  /** The call did not run or failed: the server's model gets `message`, the record its gist. */
  #refuse(
    name: string,
    argsSummary: string,
    message: string,
    why: Pick<ToolCallRecord, 'refusal' | 'failure'> = {},
  ): CallToolResult {
    const resultSummary = clip(message, ERROR_SUMMARY_LIMIT);
    const at = this.#options.clock.now();
    this.#emitRecord({ name, ok: false, argsSummary, resultSummary, at, ...why }, null);
    return errorResult(message);
  }
}

/** The failure a tool's error stands for, when Lumi has words for it. */
function failureOf(error: unknown): Pick<ToolCallRecord, 'failure'> {
  if (error instanceof ToolFailureError) return { failure: error.failure };
  if (error instanceof CapabilityUnavailableError) return { failure: 'unavailable' };
  if (error instanceof ProblemError && LINK_CODES.has(error.problem.code)) {
    return { failure: 'linkRefused' };
  }
  return {};
}

/** The problems `checkOpenableUrl` (desktop-tools.ts) refuses a link with. */
const LINK_CODES: ReadonlySet<ProblemCode> = new Set([
  'linkNotUrl',
  'linkNotHttps',
  'linkHasCredentials',
]);

/**
 * Why an asked call did not run, worded for the server's model: `busy` tells it to wait for
 * the user's answer to the open question rather than ask again at once.
 */
function refusalReason(name: string, decision: 'refused' | 'busy', signal: AbortSignal): string {
  // An aborted signal means nobody said no: the session ended or the server gave up.
  if (signal.aborted) return `${name} was abandoned: ${abandonReason(signal)}`;
  if (decision === 'busy') {
    return `Busy: the user is already being asked about another tool call; ${name} was not run. Try again after that question is answered.`;
  }
  return `The user did not allow ${name}`;
}

function abandonReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Abandoned ? reason.message : 'it was cancelled';
}
