/**
 * `lumi-cli`: the headless front end. Parses arguments, resolves identity and token, builds
 * the session with the right audio sink, and runs the conversation. Every failure is one line
 * on stderr and an exit code; never a stack trace.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeProblem } from '../../shared/problem-english.ts';
import type { Problem } from '../../shared/problems.ts';
import { createSession, type SessionSetup } from '../core/app/create-session.ts';
import type { SessionEndpoint } from '../core/app/endpoint.ts';
import { dialectSetup } from '../core/app/dialect.ts';
import { transportOptions } from '../core/app/transport-setup.ts';
import type { ConnectionOptions } from '../core/connection/options.ts';
import { systemClock } from '../core/util/clock.ts';
import type { AudioSink } from '../core/audio/sink.ts';
import { readWavFile, WavError, type DecodedWav } from '../core/audio/wav.ts';
import { NullSink, WavFileSink } from '../core/audio/wav-sink.ts';
import { recordHistory } from '../core/store/history-recorder.ts';
import { IdentityStore } from '../core/store/identity.ts';
import { ensurePrivateDir } from '../core/store/safe-file.ts';
import { createCliSecretStore, type SecretStore } from '../core/store/secrets.ts';
import { parseCli, UsageError, USAGE, type CliCommand, type TalkOptions } from './args.ts';
import { createPrinter, toCliEvent, type Printer } from './output.ts';
import { EXIT_USAGE, talk } from './talk.ts';
import { cliAudio } from './cli-audio.ts';
import { cliEndpoint } from './cli-endpoint.ts';
import { historyCommand } from './cli-history.ts';
import { doctorCommand } from './cli-doctor.ts';
import { cliTools } from './cli-tools.ts';
import { openCliHistory } from './cli-history.ts';
import { cliToken } from './cli-token.ts';
import { terminalSafe } from './terminal-text.ts';
import { appVersion } from './version.ts';

/** Run the CLI; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lumi-cli: ${error.message}\n(see lumi-cli --help)\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  switch (command.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${appVersion()}\n`);
      return 0;
    case 'listDevices':
      return cliAudio.listDevices(command.json);
    case 'historySearch':
    case 'historyExport':
      return historyCommand(command, configDirOf(command.configDir));
    case 'doctor':
      return runDoctor(command.base);
    case 'talk':
      return runTalk(command);
  }
}

/** One line on stderr; what it quotes may come from a server, so it is made terminal-safe. */
function complain(message: string): void {
  process.stderr.write(`lumi-cli: ${terminalSafe(message)}\n`);
}

async function runDoctor(parsed: TalkOptions): Promise<number> {
  let token: string | null;
  try {
    token = await cliToken(parsed.token, process.env, process.stdin);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    complain(error.message);
    return EXIT_USAGE;
  }
  return doctorCommand({ ...parsed, token }, configDirOf(parsed.configDir));
}

async function runTalk(parsed: TalkOptions): Promise<number> {
  const configDir = configDirOf(parsed.configDir);
  let options: TalkOptions;
  let said: DecodedWav | null;
  try {
    options = { ...parsed, token: await cliToken(parsed.token, process.env, process.stdin) };
    said = parsed.say === null ? null : await readSayFile(parsed.say);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    complain(error.message);
    return EXIT_USAGE;
  }
  const { secrets, identities } = openCliStores(configDir);
  const stored = identities.ensure(options.profile);
  const deviceId = options.deviceId ?? stored.deviceId;
  const clientId = options.clientId ?? stored.clientId;
  const printer = createPrinter(options.json, process.stdout);

  const resolved = await cliEndpoint({
    options,
    deviceId,
    clientId,
    identities,
    secrets,
    printer,
  });
  if (!resolved.ok) {
    complain(resolved.message);
    return resolved.exitCode;
  }
  const sink = await openSink(options, printer);
  if (!sink.ok) {
    complain(sink.message);
    return 1;
  }
  const tools = cliTools(options, printer);
  const history = openCliHistory(configDir);
  const { endpoint } = resolved;
  const session = createSession({
    url: endpoint.url,
    token: endpoint.token,
    deviceId,
    clientId,
    ca: endpoint.ca,
    sink: sink.value,
    decoderFactory: cliAudio.decoderFactory,
    mode: options.mode,
    voice: said ? cliAudio.wavVoice(said) : cliAudio.microphoneVoice(options),
    onServerMessage: (message) => tools.onServerMessage(message),
    ...(endpoint.refreshToken ? { refreshToken: endpoint.refreshToken } : {}),
    newConversationId: () => history.startConversation(options.profile, Date.now()),
    ...withProtocolVersion(
      dialectSetup(options.dialect, deviceId, systemClock),
      endpoint,
      await transportOptions(endpoint),
    ),
  });
  tools.attach(session);
  recordHistory(session, history, (error) =>
    complain(`history not saved: ${(error as Error).message}`),
  );
  try {
    return await talk({
      session,
      options,
      printer,
      input: process.stdin,
      output: process.stdout,
      ...(options.say ? { speakFile: () => session.startTalking() } : {}),
    });
  } finally {
    tools.detach();
    await session.close();
    history.close();
  }
}

/**
 * The secrets and identities of the config folder. A damaged file was moved aside by its store;
 * what that lost (saved tokens, the device identity) is said on stderr.
 */
function openCliStores(configDir: string): { secrets: SecretStore; identities: IdentityStore } {
  const secrets = createCliSecretStore(configDir);
  const identities = new IdentityStore({ dir: configDir, secrets });
  const lost: Problem[] = [];
  if (secrets.recovery.recovered) {
    lost.push({ code: 'secretsRecovered', movedTo: secrets.recovery.movedTo });
  }
  if (identities.recovery.recovered) {
    lost.push({ code: 'identitiesRecovered', movedTo: identities.recovery.movedTo });
  }
  for (const problem of lost) complain(describeProblem(problem));
  return { secrets, identities };
}

/** The `--say` file, read before connecting: a file that is not usable is a usage error. */
async function readSayFile(path: string): Promise<DecodedWav> {
  try {
    return await readWavFile(path);
  } catch (error) {
    if (!(error instanceof WavError)) throw error;
    throw new UsageError(`--say ${path}: ${error.message}`);
  }
}

/** The dialect's connection options plus the protocol version the OTA handed out. */
function withProtocolVersion(
  dialect: ReturnType<typeof dialectSetup>,
  endpoint: SessionEndpoint,
  transport: Pick<ConnectionOptions, 'carriers'>,
): Pick<SessionSetup, 'connection' | 'textMessage'> {
  return {
    connection: { protocolVersion: endpoint.protocolVersion, ...dialect.connection, ...transport },
    ...(dialect.textMessage ? { textMessage: dialect.textMessage } : {}),
  };
}

type Opened = { ok: true; value: AudioSink } | { ok: false; message: string };

async function openSink(options: TalkOptions, printer: Printer): Promise<Opened> {
  const out = options.audioOut;
  if (out.kind === 'none') return { ok: true, value: new NullSink() };
  if (out.kind === 'file') {
    try {
      return { ok: true, value: new WavFileSink(out.path) };
    } catch (error) {
      return { ok: false, message: `cannot write ${out.path}: ${(error as Error).message}` };
    }
  }
  return cliAudio.openSpeaker(options.outputDevice, (problem) => {
    const event = toCliEvent({ type: 'deviceError', direction: 'output', problem }, false);
    if (event) printer.event(event);
  });
}

/** `--config-dir`, else $XDG_CONFIG_HOME/lumi-cli, else ~/.config/lumi-cli. */
export function configDirOf(explicit: string | null): string {
  const dir =
    explicit ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'lumi-cli');
  ensurePrivateDir(dir);
  return dir;
}
