/**
 * `lumi-cli` arguments. Parsing never throws past this module: bad input becomes a UsageError
 * whose message is the one line the CLI prints before exiting with code 2.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export type AudioOut = { kind: 'none' } | { kind: 'device' } | { kind: 'file'; path: string };

export interface TalkOptions {
  readonly command: 'talk';
  readonly url: string | null;
  readonly ota: string | null;
  /** `--token`; `-` means "read it from standard input" (cli-token.ts). */
  readonly token: string | null;
  /** Accept a `ws://` address from an `https://` OTA (`--allow-insecure-ws`). */
  readonly allowInsecureWebSocket: boolean;
  readonly deviceId: string | null;
  readonly clientId: string | null;
  readonly configDir: string | null;
  readonly profile: string;
  readonly texts: readonly string[];
  readonly say: string | null;
  readonly audioOut: AudioOut;
  readonly inputDevice: string | null;
  readonly outputDevice: string | null;
  readonly mode: 'manual' | 'auto';
  readonly timeoutSeconds: number;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly allowTools: readonly string[];
  readonly dialect: 'xiaozhi' | 'lumi';
  readonly caFile: string | null;
  /** `--transport`: which transport of the OTA answer to use (`auto` follows the firmware). */
  readonly transport: 'auto' | 'websocket' | 'mqtt';
}

export type CliCommand =
  | TalkOptions
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | { readonly command: 'listDevices'; readonly json: boolean }
  | { readonly command: 'doctor'; readonly base: TalkOptions }
  | {
      readonly command: 'historySearch';
      readonly query: string;
      readonly json: boolean;
      readonly configDir: string | null;
      readonly profile: string;
    }
  | {
      readonly command: 'historyExport';
      readonly conversation: string;
      readonly format: 'md' | 'json';
      readonly configDir: string | null;
      readonly profile: string;
    };

export const USAGE = `Usage: lumi-cli [options]
       lumi-cli doctor [--url <ws-url> | --ota <ota-url>] [options]
       lumi-cli history search <query> [--json]
       lumi-cli history export <conversation-id> --format md|json

Talk to a xiaozhi-protocol server from the terminal.

Server
  --url <ws-url>          WebSocket URL, e.g. ws://127.0.0.1:8000/xiaozhi/v1/
  --ota <ota-url>         OTA URL: Lumi asks it for the WebSocket URL and token, or the MQTT
                          credentials (with activation)
  --transport auto|websocket|mqtt
                          Which transport of the OTA answer to use (default auto: MQTT + UDP
                          when offered, as the firmware does)
  --token <token>         Bearer token for --url; "-" reads it from standard input, and
                          without --token the LUMI_TOKEN environment variable is used (either
                          keeps the token out of the process list)
  --allow-insecure-ws     Accept a ws:// address from an https:// OTA (the token goes in clear)
  --device-id <mac>       Device-Id (default: generated once and remembered)
  --client-id <uuid>      Client-Id (default: generated once and remembered)
  --config-dir <dir>      Where identity, tokens and history live (default ~/.config/lumi-cli)
  --profile <name>        Keep several identities apart (default "default")
  --dialect xiaozhi|lumi  Message dialect (default xiaozhi)
  --ca-file <pem>         Extra CA to trust for a self-hosted wss:// server

Conversation
  --text <message>        Send a typed turn (repeatable; turns go in order, then exit)
  --say <file.wav>        Speak a WAV file as a push-to-talk turn, then exit
  --mode manual|auto      Push-to-talk or hands-free in interactive mode (default manual)
  --allow-tools <names>   Comma-separated device tools the server may call when they ask
  --timeout <seconds>     Give up after this long (default 60)

Audio
  --audio-out none|device|<file.wav>   Where the reply's audio goes (default none)
  --input-device <name>   Microphone by name (default: the system default)
  --output-device <name>  Speaker by name (default: the system default)
  --list-devices          List audio devices and exit

Output
  --json                  One JSON object per line per event
  --verbose               Also print the raw protocol log
  -h, --help              This help
  --version               Print the version

Without --text or --say: an interactive prompt. Type text and press Enter to send it; press
Enter on an empty line to start and stop talking.

Exit codes: 0 success, 2 usage, 3 cannot connect/handshake/authenticate, 4 timeout.`;

const OPTIONS = {
  url: { type: 'string' },
  ota: { type: 'string' },
  token: { type: 'string' },
  'allow-insecure-ws': { type: 'boolean' },
  'device-id': { type: 'string' },
  'client-id': { type: 'string' },
  'config-dir': { type: 'string' },
  profile: { type: 'string' },
  dialect: { type: 'string' },
  'ca-file': { type: 'string' },
  transport: { type: 'string' },
  text: { type: 'string', multiple: true },
  say: { type: 'string' },
  mode: { type: 'string' },
  'allow-tools': { type: 'string' },
  timeout: { type: 'string' },
  'audio-out': { type: 'string' },
  'input-device': { type: 'string' },
  'output-device': { type: 'string' },
  'list-devices': { type: 'boolean' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parse argv (without node and the script). */
export function parseCli(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  if (values['list-devices']) return { command: 'listDevices', json: values.json ?? false };

  const configDir = values['config-dir'] ?? null;
  const profile = values.profile ?? 'default';
  const [first, second, third, ...rest] = positionals;
  if (first === 'history') {
    if (second === 'search') {
      const query = [third, ...rest].filter(Boolean).join(' ').trim();
      if (!query) throw new UsageError('history search needs a query.');
      return { command: 'historySearch', query, json: values.json ?? false, configDir, profile };
    }
    if (second === 'export') {
      if (!third) throw new UsageError('history export needs a conversation id.');
      const format = values.format ?? 'md';
      if (format !== 'md' && format !== 'json')
        throw new UsageError('--format must be md or json.');
      return { command: 'historyExport', conversation: third, format, configDir, profile };
    }
    throw new UsageError('Use "history search <query>" or "history export <conversation>".');
  }
  if (first !== undefined && first !== 'doctor') {
    throw new UsageError(`Unknown command "${first}". See --help.`);
  }

  const talk = talkOptions(values);
  if (first === 'doctor') return { command: 'doctor', base: talk };
  if (talk.token === '-' && talk.texts.length === 0 && !talk.say) {
    // The interactive prompt reads standard input too.
    throw new UsageError('--token - reads standard input, so it needs --text or --say.');
  }
  return talk;
}

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

function talkOptions(values: Values): TalkOptions {
  const url = values.url ?? null;
  const ota = values.ota ?? null;
  if (url && ota) throw new UsageError('Give --url or --ota, not both.');
  if (!url && !ota) throw new UsageError('Give the server with --url <ws-url> or --ota <ota-url>.');
  if (url && !/^wss?:\/\//i.test(url))
    throw new UsageError('--url must start with ws:// or wss://.');
  if (ota && !/^https?:\/\//i.test(ota))
    throw new UsageError('--ota must start with http:// or https://.');
  const deviceId = values['device-id'] ?? null;
  if (deviceId && !MAC.test(deviceId)) {
    throw new UsageError('--device-id must look like a MAC address, e.g. 1c:db:d4:c5:3d:f0.');
  }
  const clientId = values['client-id'] ?? null;
  if (clientId && !UUID.test(clientId)) throw new UsageError('--client-id must be a UUID.');
  const mode = values.mode ?? 'manual';
  if (mode !== 'manual' && mode !== 'auto') throw new UsageError('--mode must be manual or auto.');
  const dialect = values.dialect ?? 'xiaozhi';
  if (dialect !== 'xiaozhi' && dialect !== 'lumi')
    throw new UsageError('--dialect must be xiaozhi or lumi.');
  const transport = values.transport ?? 'auto';
  if (transport !== 'auto' && transport !== 'websocket' && transport !== 'mqtt') {
    throw new UsageError('--transport must be auto, websocket or mqtt.');
  }
  if (url && transport === 'mqtt') throw new UsageError('--transport mqtt needs --ota.');
  const timeoutSeconds = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError('--timeout must be a positive number of seconds.');
  }
  const texts = (values.text ?? []).map((t) => t.trim());
  if (texts.some((t) => t.length === 0)) throw new UsageError('--text cannot be empty.');
  const say = values.say ?? null;
  if (say && texts.length > 0) throw new UsageError('Give --text or --say, not both.');
  return {
    command: 'talk',
    url,
    ota,
    token: values.token ?? null,
    allowInsecureWebSocket: values['allow-insecure-ws'] ?? false,
    deviceId: deviceId?.toLowerCase() ?? null,
    clientId,
    configDir: values['config-dir'] ?? null,
    profile: values.profile ?? 'default',
    texts,
    say,
    audioOut: audioOut(values['audio-out']),
    inputDevice: values['input-device'] ?? null,
    outputDevice: values['output-device'] ?? null,
    mode,
    timeoutSeconds,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
    allowTools: (values['allow-tools'] ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    dialect,
    caFile: values['ca-file'] ?? null,
    transport,
  };
}

function audioOut(value: string | undefined): AudioOut {
  if (value === undefined || value === 'none') return { kind: 'none' };
  if (value === 'device') return { kind: 'device' };
  if (!value.toLowerCase().endsWith('.wav')) {
    throw new UsageError('--audio-out must be none, device or a path ending in .wav.');
  }
  return { kind: 'file', path: value };
}
