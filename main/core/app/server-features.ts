/**
 * Everything a session carries besides turns: the device tools the server calls over MCP, the
 * real-time module's server events (pushed messages, task progress, channel subscriptions) and
 * the optional application-level heartbeat. Wired to a session's connection in one place for
 * every front end.
 */
import type { TaskRow } from '../../../shared/ipc.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { Connection } from '../connection/connection.ts';
import { AppHeartbeat } from '../events/app-heartbeat.ts';
import { ServerEvents, type PushedMessage } from '../events/server-events.ts';
import { SubscriptionManager } from '../events/subscriptions.ts';
import type { ConsentGate } from '../mcp/consent.ts';
import type { DesktopCapabilities } from '../mcp/capabilities.ts';
import { desktopTools } from '../mcp/desktop-tools.ts';
import { DeviceMcpServer } from '../mcp/device-mcp-server.ts';
import { toolCallLine, type ToolCallRecord } from '../mcp/tool-call-record.ts';
import type { ClientMessage } from '../protocol/client-messages.ts';
import type { ServerMessage } from '../protocol/server-messages.ts';
import type { Session } from '../session/session.ts';
import type { Clock } from '../util/clock.ts';
import type { VisionTarget } from '../vision/vision-upload.ts';

export interface ServerFeaturesOptions {
  readonly desktop: DesktopCapabilities;
  readonly consent: ConsentGate;
  readonly clock: Clock;
  readonly appVersion: string;
  /** Send `{"type":"ping"}` every 30 s (servers with enable_websocket_ping). */
  readonly appHeartbeat: boolean;
  readonly onToolCall?: (record: ToolCallRecord) => void;
  readonly onPushedMessage?: (message: PushedMessage) => void;
  readonly onTaskUpdated?: (task: TaskRow) => void;
  readonly onTaskFinished?: (task: TaskRow) => void;
}

export class ServerFeatures {
  readonly mcp: DeviceMcpServer;
  readonly serverEvents = new ServerEvents();
  readonly subscriptions: SubscriptionManager;
  readonly #heartbeat: AppHeartbeat | null;
  #connection: Connection | null = null;
  #session: Session | null = null;
  #detach: (() => void)[] = [];

  constructor(options: ServerFeaturesOptions) {
    const send = (message: ClientMessage): boolean => this.#send(message);
    this.mcp = new DeviceMcpServer({
      send,
      tools: desktopTools(options.desktop, options.clock, () => this.#visionTarget()),
      consent: options.consent,
      clock: options.clock,
      serverInfo: { name: 'lumi-desktop', version: options.appVersion },
    });
    this.subscriptions = new SubscriptionManager(send);
    this.#heartbeat = options.appHeartbeat
      ? new AppHeartbeat({
          send,
          clock: options.clock,
          onSilent: () => this.#connection?.terminate({ code: 'heartbeatLost' }),
        })
      : null;
    // The session holds its turns until the server has listed these tools (turn-gate.ts).
    this.mcp.events.on('initializeReceived', () =>
      this.#session?.toolHandshake.initializeReceived(),
    );
    this.mcp.events.on('toolsListed', (page) => {
      if (page.nextCursor === null) this.#session?.toolHandshake.toolsListed();
    });
    this.mcp.events.on('toolCalled', (record) => {
      // A picture that left the desktop is shown with its line, every time, even when the
      // user chose "Always allow" and saw no prompt.
      const sent = record.ok ? record.preview?.thumbnail : undefined;
      this.#session?.addSystemLine('tool', toolCallLine(record), sent);
      options.onToolCall?.(record);
    });
    this.serverEvents.events.on('serverMessageReceived', (message) => {
      this.#session?.addPushedMessage(message.text);
      options.onPushedMessage?.(message);
    });
    this.serverEvents.events.on('taskUpdated', (task) => options.onTaskUpdated?.(task));
    this.serverEvents.events.on('taskFinished', (task) => {
      this.#session?.addSystemLine('task', taskLine(task));
      options.onTaskFinished?.(task);
    });
  }

  /** Route a server message that is not part of a turn. */
  handle(message: ServerMessage): void {
    if (message.type === 'mcp') {
      this.mcp.handle(message.payload);
      return;
    }
    if (this.serverEvents.handle(message)) return;
    if (this.subscriptions.handle(message)) return;
    this.#heartbeat?.handle(message);
  }

  /** Follow a session: a fresh MCP server and re-subscription on every new server session. */
  attach(session: Session): void {
    this.detach();
    this.#session = session;
    this.#connection = session.connection;
    session.toolHandshake.expectTools();
    this.#detach.push(
      session.connection.on('stateChanged', (previous, next) => {
        if (next.kind === 'ready') {
          // Sessions on one MQTT connection share the tools and the vision endpoint the
          // server named once: the gateway answers its later handshakes itself (§1.4).
          this.mcp.reset({ keepVision: next.transport === 'mqtt' });
          this.subscriptions.sessionReady();
          this.#heartbeat?.start();
        } else if (previous.kind === 'ready') {
          this.#heartbeat?.stop();
        }
      }),
    );
  }

  detach(): void {
    for (const off of this.#detach) off();
    this.#detach = [];
    this.#heartbeat?.stop();
    this.#session = null;
    this.#connection = null;
  }

  async close(): Promise<void> {
    this.detach();
    await this.mcp.close();
  }

  /** The vision endpoint of this session's `initialize`, with the session's own identity. */
  #visionTarget(): VisionTarget | null {
    const vision = this.mcp.vision;
    const connection = this.#connection;
    if (vision === null || connection === null) return null;
    const { url, deviceId, clientId } = connection.identity;
    return { ...vision, deviceId, clientId, sessionUrl: url };
  }

  #send(message: ClientMessage): boolean {
    const connection = this.#connection;
    // MCP answers may go before the hello: a gateway asks `initialize` first (§1.4).
    const sendable = connection?.state.kind === 'ready' || message.type === 'mcp';
    if (!connection || !sendable) return false;
    void connection.sendJson(message).catch(() => undefined);
    return true;
  }
}

/** The system line for a finished server task, for the window to word. */
function taskLine(task: TaskRow): Problem {
  const completed = task.state === 'completed';
  if (!task.message) return { code: completed ? 'taskCompleted' : 'taskFailed', title: task.title };
  return {
    code: completed ? 'taskCompletedWith' : 'taskFailedWith',
    title: task.title,
    text: task.message,
  };
}
