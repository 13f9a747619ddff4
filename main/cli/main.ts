/**
 * `lumi-cli`: the headless front end. Parses arguments, resolves identity and token, builds
 * the session with the right audio sink, and runs the conversation. Every failure is one line
 * on stderr and an exit code; never a stack trace.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createSession } from '../core/app/create-session.ts';
import { dialectSetup } from '../core/app/dialect.ts';
import { systemClock } from '../core/util/clock.ts';
import type { AudioSink } from '../core/audio/sink.ts';
import { NullSink, WavFileSink } from '../core/audio/wav-sink.ts';
import { IdentityStore } from '../core/store/identity.ts';
import { createCliSecretStore } from '../core/store/secrets.ts';
import { parseCli, UsageError, USAGE, type CliCommand, type TalkOptions } from './args.ts';
import { createPrinter } from './output.ts';
import { EXIT_CONNECT, EXIT_USAGE, talk } from './talk.ts';
import { cliAudio } from './cli-audio.ts';
import { runOta } from './cli-ota.ts';
import { historyCommand } from './cli-history.ts';
import { doctorCommand } from './cli-doctor.ts';
import { cliTools } from './cli-tools.ts';
import { openCliHistory } from './cli-history.ts';
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
      return doctorCommand(command.base, configDirOf(command.base.configDir));
    case 'talk':
      return runTalk(command);
  }
}

async function runTalk(options: TalkOptions): Promise<number> {
  const configDir = configDirOf(options.configDir);
  const secrets = createCliSecretStore(configDir);
  const identities = new IdentityStore({ dir: configDir, secrets });
  const stored = identities.ensure(options.profile);
  const deviceId = options.deviceId ?? stored.deviceId;
  const clientId = options.clientId ?? stored.clientId;
  const printer = createPrinter(options.json, process.stdout);

  let url = options.url;
  let token = options.token ?? secrets.get(options.profile, 'token');
  let refreshToken: (() => Promise<string | null>) | undefined;
  if (options.ota) {
    const ota = await runOta({ options, deviceId, clientId, identities, secrets, printer });
    if (!ota.ok) {
      process.stderr.write(`lumi-cli: ${ota.message}\n`);
      return ota.exitCode;
    }
    url = ota.url;
    token = ota.token;
    refreshToken = ota.refresh;
  }
  if (!url) {
    process.stderr.write('lumi-cli: no WebSocket URL.\n');
    return EXIT_CONNECT;
  }

  let ca: string | null = null;
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (error) {
      process.stderr.write(`lumi-cli: cannot read --ca-file: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
  }

  const sink = await openSink(options);
  if (!sink.ok) {
    process.stderr.write(`lumi-cli: ${sink.message}\n`);
    return 1;
  }
  const tools = cliTools(options, printer);
  const history = openCliHistory(configDir);
  const say = options.say;
  const session = createSession({
    url,
    token,
    deviceId,
    clientId,
    ca,
    sink: sink.value,
    decoderFactory: cliAudio.decoderFactory,
    mode: options.mode,
    voice: say ? cliAudio.wavVoice(say) : cliAudio.microphoneVoice(options),
    onServerMessage: (message) => tools.onServerMessage(message),
    ...(refreshToken ? { refreshToken } : {}),
    newConversationId: () => history.startConversation(options.profile, Date.now()),
    ...dialectSetup(options.dialect, deviceId, systemClock),
  });
  tools.attach(session);
  session.onEvent((event) => {
    if (event.type !== 'messageUpserted') return;
    try {
      history.upsert(event.message);
    } catch (error) {
      process.stderr.write(`lumi-cli: history not saved: ${(error as Error).message}\n`);
    }
  });
  try {
    return await talk({
      session,
      options,
      printer,
      input: process.stdin,
      output: process.stdout,
      ...(say ? { speakFile: () => session.startTalking() } : {}),
    });
  } finally {
    tools.detach();
    await session.close();
    history.close();
  }
}

type Opened = { ok: true; value: AudioSink } | { ok: false; message: string };

async function openSink(options: TalkOptions): Promise<Opened> {
  const out = options.audioOut;
  if (out.kind === 'none') return { ok: true, value: new NullSink() };
  if (out.kind === 'file') {
    try {
      return { ok: true, value: new WavFileSink(out.path) };
    } catch (error) {
      return { ok: false, message: `cannot write ${out.path}: ${(error as Error).message}` };
    }
  }
  return cliAudio.openSpeaker(options.outputDevice);
}

/** `--config-dir`, else $XDG_CONFIG_HOME/lumi-cli, else ~/.config/lumi-cli. */
export function configDirOf(explicit: string | null): string {
  const dir =
    explicit ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'lumi-cli');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
