/**
 * The one place a Connection and a Session are put together, for every front end (the
 * Electron app core, the CLI, the browser preview). Dialect and tool wiring hang off here.
 */
import type { ListenMode } from '../../../shared/assistant.ts';
import type { AudioSink } from '../audio/sink.ts';
import { Connection, type ConnectionOptions } from '../connection/connection.ts';
import type { FrameDuration } from '../protocol/client-messages.ts';
import type { ServerMessage } from '../protocol/server-messages.ts';
import type { ReplyDecoderFactory } from '../session/ports.ts';
import { Session, type OutboxSetup } from '../session/session.ts';
import type { VoiceOptions } from '../session/voice-turns.ts';
import type { Clock } from '../util/clock.ts';

export interface SessionSetup {
  readonly url: string;
  readonly token: string | null;
  readonly deviceId: string;
  readonly clientId: string;
  readonly ca?: string | null;
  readonly frameDuration?: FrameDuration;
  readonly refreshToken?: () => Promise<string | null>;
  readonly sink: AudioSink;
  readonly decoderFactory: ReplyDecoderFactory;
  readonly mode?: Exclude<ListenMode, 'realtime'>;
  readonly voice?: VoiceOptions;
  readonly onServerMessage?: (message: ServerMessage) => void;
  /** Extra connection options (the original Lumi dialect decorates messages). */
  readonly connection?: Partial<ConnectionOptions>;
  readonly textMessage?: ConstructorParameters<typeof Session>[0]['textMessage'];
  readonly newConversationId?: () => string;
  /** Restored and persisted typed messages (the app; the CLI keeps its outbox in memory). */
  readonly outbox?: OutboxSetup;
  readonly clock?: Clock;
}

/** Build a session (not yet connected). */
export function createSession(setup: SessionSetup): Session {
  const connection = new Connection({
    url: setup.url,
    token: setup.token,
    deviceId: setup.deviceId,
    clientId: setup.clientId,
    ...(setup.ca ? { ca: setup.ca } : {}),
    ...(setup.frameDuration ? { frameDuration: setup.frameDuration } : {}),
    ...(setup.refreshToken ? { refreshToken: setup.refreshToken } : {}),
    ...(setup.clock ? { clock: setup.clock } : {}),
    ...setup.connection,
  });
  return new Session({
    connection,
    sink: setup.sink,
    decoderFactory: setup.decoderFactory,
    ...(setup.mode ? { mode: setup.mode } : {}),
    ...(setup.voice ? { voice: setup.voice } : {}),
    ...(setup.onServerMessage ? { onServerMessage: setup.onServerMessage } : {}),
    ...(setup.textMessage ? { textMessage: setup.textMessage } : {}),
    ...(setup.newConversationId ? { newConversationId: setup.newConversationId } : {}),
    ...(setup.outbox ? { outbox: setup.outbox } : {}),
    ...(setup.clock ? { clock: setup.clock } : {}),
  });
}
