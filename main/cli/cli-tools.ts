/**
 * The CLI's device tools and server events: `--allow-tools` answers the tools that ask, every
 * call is printed as a `tool_call` event, and pushed messages and tasks become lines.
 */
import { ServerFeatures } from '../core/app/server-features.ts';
import { allowListPrompt, ConsentGate } from '../core/mcp/consent.ts';
import { NodeDesktopCapabilities } from '../core/mcp/node-capabilities.ts';
import type { ServerMessage } from '../core/protocol/server-messages.ts';
import type { Session } from '../core/session/session.ts';
import { systemClock } from '../core/util/clock.ts';
import type { TalkOptions } from './args.ts';
import type { Printer } from './output.ts';
import { appVersion } from './version.ts';

export interface CliTools {
  onServerMessage(message: ServerMessage): void;
  attach(session: Session): void;
  detach(): void;
}

export function cliTools(options: TalkOptions, printer: Printer): CliTools {
  let session: Session | null = null;
  let volume = 100;
  const desktop = new NodeDesktopCapabilities({
    app: {
      getVolume: () => Promise.resolve(volume),
      setVolume: (value) => {
        volume = value;
        return Promise.resolve();
      },
      getMode: () => Promise.resolve(session?.mode ?? options.mode),
      setMode: (mode) => {
        session?.setMode(mode);
        return Promise.resolve();
      },
      status: () =>
        Promise.resolve({
          connection: session?.connection.state.kind ?? 'initial',
          appVersion: appVersion(),
          os: `${process.platform} ${process.arch}`,
        }),
    },
  });
  desktop.events.on('notificationShown', ({ title, body }) =>
    printer.event({ event: 'notification', title, body }),
  );
  desktop.events.on('urlOpenRequested', (url) => printer.event({ event: 'open_url', url }));
  const features = new ServerFeatures({
    desktop,
    consent: new ConsentGate({
      chosen: () => undefined,
      prompt: allowListPrompt(options.allowTools),
      clock: systemClock,
    }),
    clock: systemClock,
    appVersion: appVersion(),
    appHeartbeat: false,
    onToolCall: (record) => printer.event({ event: 'tool_call', name: record.name, ok: record.ok }),
    onPushedMessage: (message) => printer.event({ event: 'message', text: message.text }),
    onTaskUpdated: (task) => printer.event({ event: 'task', ...task }),
  });
  return {
    onServerMessage: (message) => features.handle(message),
    attach(next) {
      session = next;
      features.attach(next);
    },
    detach() {
      session = null;
      features.detach();
    },
  };
}
