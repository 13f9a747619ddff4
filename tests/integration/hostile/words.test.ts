/**
 * Lumi's own lines in the conversation are data (a code and its parameters) for the window to
 * word in the user's language, with their English kept as the text for search and the CLI;
 * against the reference server restarting the session mid-turn (`system` `reboot`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSession } from '../../../main/core/app/create-session.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import { NullSink } from '../../../main/core/audio/wav-sink.ts';
import type { Session } from '../../../main/core/session/session.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';

let server: ReferenceServer | null = null;
let session: Session | null = null;

afterEach(async () => {
  await session?.close();
  session = null;
  await server?.stop();
  server = null;
});

describe('system lines Lumi writes', () => {
  it('records the server’s restart as a notice, with its English as the text', async () => {
    server = await startReferenceServer({ mcp: false, dropMidTurn: 'reboot' });
    session = createSession({
      url: server.url,
      token: null,
      deviceId: '02:4c:55:4d:49:12',
      clientId: '1d1d1d1d-2e2e-4f4f-8a8a-9b9b9b9b9b9c',
      sink: new NullSink(),
      decoderFactory: (rate) => new ReplyDecoder(rate),
    });
    const live = session;
    live.connect();
    await nextEvent(live, 'connectionChanged', (e) => e.next.kind === 'ready');
    const line = nextEvent(
      live,
      'messageUpserted',
      (e) => e.message.role === 'system' && e.message.notice !== undefined,
    );
    const restarted = nextEvent(
      live,
      'errorOccurred',
      (e) => e.problem.code === 'sessionRestarted',
    );
    live.sendText('hello');
    const { message } = await line;
    expect(message.notice).toEqual({ code: 'sessionRestartAsked' });
    expect(message.systemKind).toBe('server');
    expect(message.text).toBe('The server asked to restart the session.');
    await restarted;
  });
});
