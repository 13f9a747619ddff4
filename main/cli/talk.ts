/**
 * The CLI's conversation: typed turns in order (`--text`), one spoken turn from a WAV file
 * (`--say`), or an interactive prompt. Resolves with the process exit code.
 *
 * The CLI keeps its outbox in memory only. A `--text` is retried across reconnects until
 * `--timeout`; a text that was not delivered, was refused or got no reply ends the run with
 * EXIT_UNDELIVERED and the reason on stderr, so a script never reads success from silence.
 * The interactive prompt keeps its lines queued through an outage and says so.
 */
import { createInterface } from 'node:readline';
import type { ConnectionState } from '../../shared/connection-state.ts';
import { describeConnectionTrouble, describeProblem } from '../../shared/problem-english.ts';
import type { OutboxItem, SessionEvent } from '../../shared/session-events.ts';
import type { Session } from '../core/session/session.ts';
import type { TalkOptions } from './args.ts';
import { type Printer, toCliEvent } from './output.ts';
import { terminalSafe } from './terminal-text.ts';
import { watchTimeoutReason } from './timeout-reason.ts';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_CONNECT = 3;
export const EXIT_TIMEOUT = 4;
/** A `--text` was not delivered, was refused or got no reply (the reason is on stderr). */
export const EXIT_UNDELIVERED = 5;

export interface TalkRun {
  readonly session: Session;
  readonly options: TalkOptions;
  readonly printer: Printer;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Speak the WAV file as a push-to-talk turn (set when --say is given). */
  readonly speakFile?: () => void;
}

type Finish = (code: number, message?: string) => void;

/** Run the conversation the options ask for. */
export function talk(run: TalkRun): Promise<number> {
  const { session, options, printer } = run;
  return new Promise<number>((resolve) => {
    let finished = false;
    const cleanups: (() => void)[] = [];
    const finish: Finish = (code, message) => {
      if (finished) return;
      finished = true;
      for (const cleanup of cleanups) cleanup();
      if (message) process.stderr.write(`lumi-cli: ${terminalSafe(message)}\n`);
      resolve(code);
    };

    const reason = watchTimeoutReason(session);
    const trouble = new Trouble(session);
    const script = scriptedTurns(run, finish, trouble);
    const timeout = setTimeout(() => {
      const pending = script?.pending();
      if (pending) finish(EXIT_UNDELIVERED, pending);
      else finish(EXIT_TIMEOUT, describeProblem(reason.problem(options.timeoutSeconds)));
    }, options.timeoutSeconds * 1000);
    cleanups.push(() => clearTimeout(timeout), reason.stop);

    const prompt = script ? null : interactive(run, () => finish(EXIT_OK));
    cleanups.push(
      session.onEvent((event) => {
        const cliEvent = toCliEvent(event, options.verbose);
        if (cliEvent) printer.event(cliEvent);
        trouble.observe(event);
        const fatal = fatalConnectionMessage(event, trouble.everReady);
        if (fatal) finish(EXIT_CONNECT, fatal);
        else if (script) script.onEvent(event);
        else prompt?.onEvent(event);
      }),
    );

    if (script) {
      script.begin();
      return;
    }
    if (prompt) cleanups.push(prompt.close);
    session.connect();
  });
}

/**
 * Connection states that end a CLI run: it cannot authenticate, retrying cannot help, or it
 * never reached the server at all. A server lost after it answered is waited for (queued text
 * goes out when it is back), within `--timeout` for a script.
 */
function fatalConnectionMessage(event: SessionEvent, everReady: boolean): string | null {
  if (event.type !== 'connectionChanged') return null;
  const next = event.next;
  if (next.kind === 'authFailed') return describeConnectionTrouble(next);
  if (next.kind === 'failed' && (next.retryAt === null || !everReady)) {
    return describeConnectionTrouble(next);
  }
  return null;
}

/** What went wrong lately, for the reason a text was not delivered or answered. */
class Trouble {
  readonly #session: Session;
  everReady = false;
  #last: string | null = null;

  constructor(session: Session) {
    this.#session = session;
  }

  observe(event: SessionEvent): void {
    if (event.type === 'connectionChanged') {
      if (event.next.kind === 'ready') this.everReady = true;
      this.#last = describeConnectionTrouble(event.next) ?? this.#last;
    } else if (event.type === 'errorOccurred') {
      this.#last = describeProblem(event.problem);
    }
  }

  /** A new text starts: what went wrong before it is not its reason. */
  reset(): void {
    this.#last = null;
  }

  /** The last trouble seen, or what the connection is doing now. */
  reason(): string {
    return this.#last ?? pendingReason(this.#session.connection.state);
  }
}

function pendingReason(state: ConnectionState): string {
  switch (state.kind) {
    case 'initial':
    case 'connecting':
    case 'connected':
      return 'still connecting to the server';
    case 'handshaking':
      // An HTTP server, a proxy or another service on that port: almost always the address.
      return 'the server accepted the connection but never answered the hello; check the address and its path (e.g. /xiaozhi/v1/)';
    case 'ready':
      return 'the server has not answered';
    case 'disconnected':
      return 'the server ended the session';
    default:
      return describeConnectionTrouble(state) ?? state.kind;
  }
}

interface Script {
  begin(): void;
  onEvent(event: SessionEvent): void;
  /** Why the run cannot end well yet (a text waits to be delivered or answered), or null. */
  pending(): string | null;
}

/**
 * `--text` (several, in order) or `--say`: the next turn starts once the previous reply ended
 * and its audio played out; the run ends after the last one.
 */
function scriptedTurns(run: TalkRun, finish: Finish, trouble: Trouble): Script | null {
  const { session, options } = run;
  if (options.texts.length === 0 && !run.speakFile) return null;
  const texts = [...options.texts];
  let remaining = run.speakFile ? 1 : texts.length;
  let awaitingDrain = false;
  let current: OutboxItem | null = null;
  const statusOf = (item: OutboxItem) => session.outbox().find((i) => i.id === item.id)?.status;

  const next = (): void => {
    current = null;
    if (remaining === 0) {
      finish(EXIT_OK);
      return;
    }
    if (run.speakFile) {
      run.speakFile();
      return;
    }
    const text = texts.shift();
    if (text === undefined) return;
    trouble.reset();
    current = session.sendText(text);
  };

  const onTurnEnded = (aborted: boolean): void => {
    if (current) {
      // Lost with the connection before the server confirmed it: it goes again on reconnect.
      if (statusOf(current) === 'queued') return;
      if (aborted) {
        finish(EXIT_UNDELIVERED, `No reply to "${current.text}": ${trouble.reason()}`);
        return;
      }
    }
    remaining -= 1;
    awaitingDrain = session.assistant === 'speaking';
    if (!awaitingDrain) next();
  };

  return {
    begin: next,
    onEvent(event) {
      if (event.type === 'outboxChanged' && event.item.id === current?.id) {
        const failure = undeliveredMessage(event.item, trouble);
        if (failure) finish(EXIT_UNDELIVERED, failure);
      } else if (event.type === 'turnEnded') {
        onTurnEnded(event.aborted);
      } else if (event.type === 'assistantChanged' && awaitingDrain && event.next !== 'speaking') {
        awaitingDrain = false;
        next();
      } else if (event.type === 'deviceError' && event.direction === 'input' && run.speakFile) {
        finish(1, describeProblem(event.problem));
      }
    },
    pending() {
      if (!current) return null;
      const status = statusOf(current);
      const within = `within ${options.timeoutSeconds} s`;
      return status === 'sent'
        ? `No reply to "${current.text}" ${within}: ${trouble.reason()}`
        : `"${current.text}" was not delivered ${within}: ${trouble.reason()}`;
    },
  };
}

/** The outbox settled a text without a reply: why, for stderr; null while it may still go. */
function undeliveredMessage(item: OutboxItem, trouble: Trouble): string | null {
  switch (item.status) {
    case 'refused':
      return `The server refused "${item.text}": ${item.error ?? 'an alert instead of a reply'}`;
    case 'failed':
      return `No reply to "${item.text}": the server never answered it.`;
    case 'expired':
      return `"${item.text}" was not delivered: ${trouble.reason()}`;
    default:
      return null;
  }
}

interface Prompt {
  onEvent(event: SessionEvent): void;
  close(): void;
}

/** Interactive prompt: a line of text is sent; an empty line starts or stops talking. */
function interactive(run: TalkRun, quit: () => void): Prompt {
  const { session, printer } = run;
  const rl = createInterface({ input: run.input, output: run.output, terminal: false });
  let talking = false;
  // A microphone that failed has stopped: the next empty line starts talking again.
  const offDeviceError = session.onEvent((event) => {
    if (event.type === 'deviceError' && event.direction === 'input') talking = false;
  });
  printer.info('Type a message and press Enter. Empty line: start/stop talking. /quit to leave.');
  rl.on('line', (line) => {
    const text = line.trim();
    if (text === '/quit' || text === '/exit') {
      quit();
      return;
    }
    if (text === '/abort') {
      session.abort();
      return;
    }
    if (text.startsWith('/mode ')) {
      const mode = text.slice(6).trim();
      if (mode === 'manual' || mode === 'auto') session.setMode(mode);
      else printer.info('Modes: manual, auto');
      return;
    }
    if (text === '') {
      if (session.mode === 'manual') {
        if (talking) session.stopTalking();
        else session.startTalking();
        talking = !talking;
        printer.info(talking ? '🎙  talking — press Enter to stop' : '·  sent');
      } else {
        session.startTalking();
      }
      return;
    }
    try {
      session.sendText(text);
      if (session.connection.state.kind !== 'ready') printer.info(queuedNotice(session));
    } catch (error) {
      printer.info(`! ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  rl.on('close', quit);
  return {
    onEvent(event) {
      const lost = event.type === 'connectionChanged' && event.previous.kind === 'ready';
      if (lost && waiting(session) > 0) printer.info(queuedNotice(session));
      if (event.type === 'outboxChanged' && event.item.status === 'expired') {
        printer.info(`! not sent, it waited too long: ${event.item.text}`);
      }
    },
    close: () => {
      offDeviceError();
      rl.close();
    },
  };
}

function waiting(session: Session): number {
  return session.outbox().filter((i) => i.status === 'queued' || i.status === 'sending').length;
}

function queuedNotice(session: Session): string {
  const count = waiting(session);
  return `·  ${count} line${count === 1 ? '' : 's'} queued: sent once the server is back`;
}
