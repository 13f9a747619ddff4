/** The `session:*` channels: connecting, typed and spoken turns, the listening mode. */
import type { ListenMode } from '../../../../shared/assistant.ts';
import { reported, type AreaHandlers } from '../handlers.ts';
import type { SessionHost } from '../session-host.ts';

export interface SessionHandlersDeps {
  readonly host: SessionHost;
  /** Keeps the chosen mode in the settings (realtime never is: it needs the server's say-so). */
  readonly rememberMode: (mode: Exclude<ListenMode, 'realtime'>) => void;
}

export function sessionHandlers({
  host,
  rememberMode,
}: SessionHandlersDeps): AreaHandlers<'session'> {
  return {
    'session:connect': async () => {
      await host.connect();
    },
    'session:disconnect': () => {
      host.session?.disconnect();
    },
    'session:retry': async () => {
      await host.retry();
    },
    'session:sendText': async ({ text }) => {
      const session = await host.ensure();
      return reported(() => session.sendText(text));
    },
    'session:retrySend': async ({ id }) => {
      const session = await host.ensure();
      return reported(() => session.retrySend(id));
    },
    'session:cancelSend': async ({ id }) => {
      const session = await host.ensure();
      return reported(() => session.cancelSend(id));
    },
    'session:editSend': async ({ id, text }) => {
      const session = await host.ensure();
      return reported(() => session.editSend(id, text));
    },
    'session:startTalking': async () => {
      (await host.ensure()).startTalking();
    },
    'session:stopTalking': () => {
      host.session?.stopTalking();
    },
    'session:abort': () => {
      host.session?.abort();
    },
    'session:setMode': async ({ mode }) => {
      if (mode !== 'realtime') rememberMode(mode);
      (await host.ensure()).setMode(mode);
    },
  };
}
