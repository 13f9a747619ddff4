/**
 * The CLI's conversation: typed turns in order (`--text`), one spoken turn from a WAV file
 * (`--say`), or an interactive prompt. Resolves with the process exit code.
 */
import { createInterface } from 'node:readline';
import { describeConnectionTrouble, describeProblem } from '../../shared/problem-english.ts';
import type { SessionEvent } from '../../shared/session-events.ts';
import type { Session } from '../core/session/session.ts';
import type { TalkOptions } from './args.ts';
import { type Printer, toCliEvent } from './output.ts';
import { terminalSafe } from './terminal-text.ts';
import { watchTimeoutReason } from './timeout-reason.ts';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_CONNECT = 3;
export const EXIT_TIMEOUT = 4;

export interface TalkRun {
  readonly session: Session;
  readonly options: TalkOptions;
  readonly printer: Printer;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Speak the WAV file as a push-to-talk turn (set when --say is given). */
  readonly speakFile?: () => void;
}

/** Run the conversation the options ask for. */
export function talk(run: TalkRun): Promise<number> {
  const { session, options, printer } = run;
  return new Promise<number>((resolve) => {
    let finished = false;
    const cleanups: (() => void)[] = [];
    const finish = (code: number, message?: string): void => {
      if (finished) return;
      finished = true;
      for (const cleanup of cleanups) cleanup();
      if (message) process.stderr.write(`lumi-cli: ${terminalSafe(message)}\n`);
      resolve(code);
    };

    const reason = watchTimeoutReason(session);
    const timeout = setTimeout(
      () => finish(EXIT_TIMEOUT, describeProblem(reason.problem(options.timeoutSeconds))),
      options.timeoutSeconds * 1000,
    );
    cleanups.push(() => clearTimeout(timeout), reason.stop);

    const script = scriptedTurns(run, finish);
    cleanups.push(
      session.onEvent((event) => {
        const cliEvent = toCliEvent(event, options.verbose);
        if (cliEvent) printer.event(cliEvent);
        const fatal = fatalConnectionMessage(event);
        if (fatal) finish(EXIT_CONNECT, fatal);
        else script?.onEvent(event);
      }),
    );

    if (script) {
      script.begin();
      return;
    }
    cleanups.push(interactive(run, () => finish(EXIT_OK)));
    session.connect();
  });
}

/** Connection states that end a CLI run: it cannot connect, handshake or authenticate. */
function fatalConnectionMessage(event: SessionEvent): string | null {
  if (event.type !== 'connectionChanged') return null;
  const next = event.next;
  if (next.kind === 'failed' || next.kind === 'authFailed') return describeConnectionTrouble(next);
  return null;
}

interface Script {
  begin(): void;
  onEvent(event: SessionEvent): void;
}

/**
 * `--text` (several, in order) or `--say`: the next turn starts once the previous reply ended
 * and its audio played out; the run ends after the last one.
 */
function scriptedTurns(
  run: TalkRun,
  finish: (code: number, message?: string) => void,
): Script | null {
  const { session, options } = run;
  if (options.texts.length === 0 && !run.speakFile) return null;
  const texts = [...options.texts];
  let remaining = run.speakFile ? 1 : texts.length;
  let awaitingDrain = false;

  const next = (): void => {
    if (remaining === 0) {
      finish(EXIT_OK);
      return;
    }
    if (run.speakFile) {
      run.speakFile();
      return;
    }
    const text = texts.shift();
    if (text !== undefined) session.sendText(text);
  };

  return {
    begin: next,
    onEvent(event) {
      if (event.type === 'turnEnded') {
        remaining -= 1;
        awaitingDrain = session.assistant === 'speaking';
        if (!awaitingDrain) next();
      } else if (event.type === 'assistantChanged' && awaitingDrain && event.next !== 'speaking') {
        awaitingDrain = false;
        next();
      } else if (event.type === 'deviceError' && event.direction === 'input' && run.speakFile) {
        finish(1, describeProblem(event.problem));
      }
    },
  };
}

/** Interactive prompt: a line of text is sent; an empty line starts or stops talking. */
function interactive(run: TalkRun, quit: () => void): () => void {
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
    } catch (error) {
      printer.info(`! ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  rl.on('close', quit);
  return () => {
    offDeviceError();
    rl.close();
  };
}
