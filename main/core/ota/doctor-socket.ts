/**
 * The WebSocket half of "Test connection": open a socket the way the firmware does (its upgrade
 * headers, docs/protocol.md §1.2), send our hello, wait for the server's, then for the MCP
 * `initialize` XS sends right after the hello (§4.2), which is answered minimally. A probe owns
 * one socket and closes it when done; it shares no state with the real connection.
 */
import WebSocket from 'ws';
import { encodeClientMessage, buildHello, mcpReply } from '../protocol/client-messages.ts';
import type { ProtocolVersion } from '../protocol/client-messages.ts';
import { AUTH_FAILED_TEXT, parseServerText } from '../protocol/parse.ts';
import type { DoctorNote } from '../../../shared/doctor-notes.ts';
import type { DeviceIdentity } from '../store/identity.ts';
import type { Clock } from '../util/clock.ts';
import { CLIENT_NAME } from './ota-client.ts';
import type { HelloProblem, SocketProblem } from './doctor-fixes.ts';

/** MCP revision the firmware answers `initialize` with (§4.3). */
const MCP_PROTOCOL_VERSION = '2024-11-05';
/** A probe only needs the handshake frames; nothing legitimate is bigger. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const CLOSE_NORMAL = 1000;
/** How much of a text answer instead of a hello the report shows: enough to recognise it. */
const HELLO_TEXT_SHOWN = 80;

export interface ProbeOptions {
  readonly url: string;
  /** Sent as `Authorization` (with `Bearer ` unless it already has a scheme, like the firmware). */
  readonly token: string | null;
  readonly identity: DeviceIdentity;
  readonly protocolVersion: ProtocolVersion;
  /** PEM of a CA to trust for a self-hosted wss:// server. */
  readonly ca: Buffer | null;
  readonly appVersion: string;
  readonly clock: Clock;
  readonly handshakeTimeoutMs: number;
}

export type WaitResult<T> = T | 'timeout';

/** The upgrade headers of FW `websocket_protocol.cc` `OpenAudioChannel`. */
export function upgradeHeaders(
  identity: DeviceIdentity,
  token: string | null,
  protocolVersion: ProtocolVersion,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Protocol-Version': String(protocolVersion),
    'Device-Id': identity.deviceId,
    'Client-Id': identity.clientId,
  };
  if (token) headers['Authorization'] = token.includes(' ') ? token : `Bearer ${token}`;
  return headers;
}

export class SocketProbe {
  readonly #socket: WebSocket;
  readonly #options: ProbeOptions;
  readonly #waiters = new Set<() => void>();
  #hello: { sessionId: string | null } | null = null;
  #texts: string[] = [];
  #mcpInitialized = false;
  #closed: { code: number } | null = null;

  private constructor(socket: WebSocket, options: ProbeOptions) {
    this.#socket = socket;
    this.#options = options;
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.#onText(String(data));
    });
    socket.on('close', (code) => {
      this.#closed = { code };
      this.#changed();
    });
    socket.on('error', () => undefined);
  }

  /** Open the socket; the probe, or why it could not be opened. */
  static open(
    options: ProbeOptions,
  ): Promise<{ ok: true; probe: SocketProbe } | { ok: false; problem: SocketProblem }> {
    const socket = new WebSocket(options.url, {
      headers: upgradeHeaders(options.identity, options.token, options.protocolVersion),
      handshakeTimeout: options.handshakeTimeoutMs,
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD_BYTES,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    // A refused upgrade can raise more than one error; only the first one is the answer.
    socket.on('error', () => undefined);
    return new Promise((resolve) => {
      socket.once('open', () => resolve({ ok: true, probe: new SocketProbe(socket, options) }));
      socket.once('unexpected-response', (request, response) => {
        resolve({ ok: false, problem: { kind: 'status', status: response.statusCode ?? 0 } });
        response.resume();
        request.destroy();
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        resolve({
          ok: false,
          problem: { kind: 'error', code: error.code ?? null, message: error.message },
        });
      });
    });
  }

  #changed(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #onText(raw: string): void {
    const frame = parseServerText(raw);
    if (frame.kind === 'text') {
      this.#texts.push(frame.text);
    } else if (frame.kind === 'message') {
      const message = frame.message;
      if (message.type === 'hello' && (message.transport ?? 'websocket') === 'websocket') {
        this.#hello = { sessionId: message.session_id ?? null };
      } else if (message.type === 'mcp' && message.payload['method'] === 'initialize') {
        this.#answerInitialize(message.payload['id']);
      }
    }
    this.#changed();
  }

  #answerInitialize(id: unknown): void {
    const reply = mcpReply({
      jsonrpc: '2.0',
      id,
      result: {
        protocolVersion: MCP_PROTOCOL_VERSION,
        capabilities: { tools: {} },
        serverInfo: { name: CLIENT_NAME, version: this.#options.appVersion },
      },
    });
    this.#socket.send(encodeClientMessage(reply, this.#hello?.sessionId ?? null));
    this.#mcpInitialized = true;
  }

  /** Resolve with `check()`'s first defined value, re-checked on every frame, or 'timeout'. */
  #waitFor<T>(check: () => T | undefined, timeoutMs: number): Promise<WaitResult<T>> {
    const clock = this.#options.clock;
    return new Promise((resolve) => {
      const finish = (value: WaitResult<T>) => {
        clock.clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(value);
      };
      const waiter = () => {
        const value = check();
        if (value !== undefined) finish(value);
      };
      const timer = clock.setTimeout(() => finish('timeout'), timeoutMs);
      this.#waiters.add(waiter);
      waiter();
    });
  }

  /** Send our hello and wait for the server's, or for the reason none came. */
  async hello(
    timeoutMs: number,
  ): Promise<
    | { ok: true; sessionId: string | null }
    | { ok: false; problem: HelloProblem; detail: DoctorNote }
  > {
    const hello = buildHello({ protocolVersion: this.#options.protocolVersion });
    this.#socket.send(encodeClientMessage(hello, null));
    const outcome = await this.#waitFor(() => {
      if (this.#hello) return { ok: true as const, sessionId: this.#hello.sessionId };
      const text = this.#texts[0];
      if (text === AUTH_FAILED_TEXT) {
        return {
          ok: false as const,
          problem: 'authFailed' as const,
          detail: { code: 'helloAuthFailed' as const, text },
        };
      }
      if (text !== undefined) {
        return {
          ok: false as const,
          problem: 'text' as const,
          detail: { code: 'helloText' as const, text: text.slice(0, HELLO_TEXT_SHOWN) },
        };
      }
      if (this.#closed) {
        return {
          ok: false as const,
          problem: 'closed' as const,
          detail: { code: 'helloClosed' as const, closeCode: this.#closed.code },
        };
      }
      return undefined;
    }, timeoutMs);
    if (outcome === 'timeout') {
      const seconds = Math.round(timeoutMs / 1_000);
      return { ok: false, problem: 'timeout', detail: { code: 'helloNone', seconds } };
    }
    return outcome;
  }

  /** Wait for the server's MCP `initialize` (answered as soon as it arrives). */
  async mcp(timeoutMs: number): Promise<boolean> {
    const outcome = await this.#waitFor(
      () => (this.#mcpInitialized ? true : this.#closed ? false : undefined),
      timeoutMs,
    );
    return outcome === true;
  }

  close(): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.close(CLOSE_NORMAL);
    else this.#socket.terminate();
  }
}
