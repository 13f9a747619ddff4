/**
 * The English words for every problem code: the one table the CLI, the logs and the window's
 * English locale use. `{name}` placeholders are the problem's parameters.
 */
import type { ConnectionState } from './connection-state.ts';
import {
  errorDetail,
  fillPlaceholders,
  problemParams,
  type Problem,
  type ProblemCode,
} from './problems.ts';

export const PROBLEM_ENGLISH: Readonly<Record<ProblemCode, string>> = {
  refused: 'Connection refused: nothing is listening at {host} port {port}.',
  dnsFailed: 'The server name {host} could not be resolved (check the host name).',
  dnsUnavailable: 'The server name {host} could not be resolved right now (DNS or network down).',
  connectTimedOut: 'Connecting to {host} port {port} timed out.',
  connectionReset: 'The connection was reset by the server or the network.',
  hostUnreachable: 'The server {host} is unreachable from this network.',
  networkUnreachable: 'The network is unreachable.',
  certSelfSigned: 'The server {host} uses a self-signed certificate; add its CA in the profile.',
  certUntrusted: 'The certificate of {host} cannot be verified; add its CA in the profile.',
  certExpired: 'The certificate of {host} has expired.',
  certHostMismatch: 'The certificate does not match the host name {host}.',
  certRejected: 'The certificate of {host} was not accepted ({detail}).',
  messageTooLarge: 'The server sent a message larger than Lumi accepts.',
  handshakeTimedOut: 'The WebSocket handshake timed out ({seconds} s).',
  helloTimedOut:
    'The server did not answer the hello within {seconds} s (not a xiaozhi server, or the wrong path?).',
  pongTimedOut: 'No pong within {seconds} s; the connection is dead.',
  heartbeatLost: 'The server stopped answering the app heartbeat.',
  closed: 'The connection closed (code {closeCode}).',
  upgradeFailed: 'The server failed the upgrade (HTTP {status}).',
  notWebSocket:
    'The server answered HTTP {status} instead of a WebSocket; check the URL and its path (e.g. /xiaozhi/v1/).',
  tokenRejected: 'The server rejected the token (认证失败).',
  authRefused: 'The server refused the connection (HTTP {status}).',
  invalidUrl: 'Invalid server URL {url}: a WebSocket address starts with ws:// or wss://.',
  socketError: 'Connection error: {detail}',
  brokerRefused: 'The MQTT broker refused the device ({reason}).',
  udpMissing: 'The server did not name a UDP address and key for the audio.',
  fellBackToWebSocket:
    'MQTT + UDP did not get through to the server; Lumi switched to its WebSocket.',
  udpBlocked:
    'UDP is blocked between you and the server: no reply audio arrived within {seconds} s. Choose WebSocket as the transport if the server offers it.',

  otaRefused: 'Connection refused by {host}: nothing is listening on that port.',
  otaDnsFailed: 'The OTA server name {host} could not be resolved.',
  otaCertRejected: 'The certificate of {host} was not accepted ({detail}).',
  otaUnreachable: 'Could not reach {host} ({detail}).',
  otaTimedOut: '{host} did not answer within {seconds} s.',
  otaNotFound:
    'The OTA server at {url} answered HTTP 404: the path is wrong (an OTA address usually ends in /xiaozhi/ota/).',
  otaHttpStatus: 'The OTA server at {url} answered HTTP {status}.',
  otaNotJson: 'The answer from {url} is not JSON.',
  otaRejected: 'The OTA server refused this device: {text}',
  otaUnusable: 'The OTA answer from {url} is not usable ({detail}).',
  otaMqttOnly:
    'The server offers only MQTT+UDP, and the transport is set to WebSocket. Choose Auto or MQTT as the transport.',
  otaNoWebSocket: 'The OTA answer has no WebSocket address.',
  otaNoMqtt:
    'The transport is set to MQTT, but the OTA answer has no MQTT section. Choose Auto or WebSocket.',
  otaCancelled: 'The request was cancelled.',
  activationTimedOut:
    'The device was not activated in time. Enter the code in the console, then try again.',
  activationRepeated: 'The server still asks for activation after the code was accepted.',
  caFileUnreadable: 'Cannot read the CA file {path}: {detail}',
  otaRedirectRefused:
    'The OTA server at {url} redirected to {location}, another scheme; Lumi follows only redirects that keep http or https. Use the address it should have given.',
  otaTooManyRedirects: 'The OTA server at {url} redirected more than {count} times.',
  otaInsecureWebSocket:
    'The OTA server (https) handed out the unencrypted address {url}, so the token would travel in clear. Ask for a wss:// address, or allow unencrypted WebSocket in the profile (lumi-cli: --allow-insecure-ws).',

  turnTimedOut: 'The server stopped answering this turn.',
  helloNeverAnswered:
    'Timed out after {seconds} s: the server accepted the connection but never answered the hello. Check the address and its path (e.g. /xiaozhi/v1/).',
  timedOut: 'Timed out after {seconds} s.',
  sessionRestarted: 'The server restarted the session; Lumi reconnected.',
  unknownMessage: 'Ignored a message of unknown type "{type}".',
  invalidMessage: 'Ignored an invalid message ({detail}).',
  messageTooDeep: 'Ignored a server message nested deeper than {limit} levels.',
  serverTextTruncated: 'A server text ({field}) was cut to {limit} characters.',
  replyTruncated: 'The reply passed {limit} characters; the rest was not kept.',
  serverError: 'The server reported an error: {text}',
  serverErrorUnspecified: 'The server reported an error.',
  realtimeDisabled:
    'Realtime mode is off: enable it in settings (it needs headphones or echo cancellation).',
  noMicrophone: 'No microphone is configured.',
  handsFreeEnded: 'Hands-free conversation ended after a quiet spell.',
  undecodableAudio: 'Skipped a reply audio packet ({detail}).',

  audioUnavailable: 'Audio is unavailable: {detail}',
  defaultDeviceOpenFailed: 'Cannot open the default device ({detail}).',
  deviceOpenFailed: 'Cannot open "{device}" ({detail}).',
  deviceFailed: '"{device}" failed: {detail}',
  deviceClosed: '"{device}" closed unexpectedly.',
  deviceSilent: '"{device}" did not start working within {ms} ms (disconnected or in use?).',
  deviceStalled: '"{device}" stopped working for {ms} ms (disconnected or in use?).',

  settingsRecovered:
    'The settings file was damaged; it was kept as {movedTo} and defaults were loaded.',
  secretUnreadable:
    'The {secret} of profile {profile} was encrypted with the "{savedWith}" keystore and cannot be read with "{now}" ({detail}).',
  secretsRecovered:
    'The file of saved tokens was damaged; it was kept as {movedTo}. Saved tokens and device keys are gone: enter the token again, or let OTA hand out a new one.',
  identitiesRecovered:
    'The device identity file was damaged; it was kept as {movedTo}. Lumi made a new device identity, so servers may ask to activate this device again.',
  historyRecovered:
    'The history file was damaged; it was kept as {movedTo} and a new history was started.',
  historyUnavailable:
    'The history at {path} cannot be written ({detail}); Lumi works, but conversations are not saved.',

  requestForbidden: 'This request did not come from the Lumi window.',
  badRequest: 'Lumi could not read a {channel} request ({detail}).',
  internalError: 'Something went wrong in Lumi. The details are in the log.',
  previewHostGone: 'The preview host went away; the page reconnects when it is back.',
  unknownProfile: 'There is no profile "{id}".',
  invalidProfile: 'Invalid profile: {detail}.',
  duplicateProfileIds: 'Profile ids must be unique.',
  lastProfile: 'The last profile cannot be removed.',
  unknownSettings: 'Unknown setting(s): {names}.',
  invalidSetting: 'Invalid setting: {detail}.',
  importNotJson: 'This file is not JSON.',
  importNotLumi: 'This file is not a Lumi profiles export (or it is damaged).',
  emptyMessage: 'Type something first.',
  outboxFull: 'Too many messages are already waiting to be sent.',
  messageUnchangeable: 'That message has already left (or is gone), so it cannot be changed.',
  linkNotUrl: 'Not a URL: {url}',
  linkNotHttps: 'Only https links may be opened, not {scheme}',
  linkHasCredentials: 'Links with embedded credentials are refused',
  messageRefused: 'The server refused it: {text}',

  sessionRestartAsked: 'The server asked to restart the session.',
  toolCalled: 'Tool {call}: {result}',
  toolCalledCharacters: 'Tool {call}: {count} characters',
  toolLookedAtScreen: 'Tool {call} looked at the screen: {answer}',
  toolTookPhoto: 'Tool {call} took a photo: {answer}',
  toolFailed: 'Tool {call} failed: {result}',
  toolUnknown: 'Tool {call} does not exist in Lumi.',
  toolNotAllowed: 'Tool {call} was not run: it is set to Deny in the settings.',
  toolNoVision: 'Tool {call} was not run: this server offers no picture explanation.',
  toolUnavailable: 'Tool {call} is not available on this desktop now.',
  toolBadArguments: 'Tool {call} was not run: the server’s arguments were not valid.',
  toolPictureTooLarge: 'Tool {call} failed: the picture is too large to send.',
  toolVisionRefused:
    'Tool {call} was not run: the server’s picture address is not safe to send a picture to.',
  toolVisionFailed: 'Tool {call} failed: the server could not explain the picture.',
  toolLinkRefused:
    'Tool {call} was not run: Lumi opens only https links without embedded credentials.',
  toolDenied: 'Tool {call}: you did not allow it.',
  toolBusy: 'Tool {call} was not run: another question was open.',
  toolAbandoned: 'Tool {call} was abandoned (cancelled, timed out or the session ended).',
  taskCompleted: '{title}: completed',
  taskFailed: '{title}: failed',
  taskCompletedWith: '{title}: completed — {text}',
  taskFailedWith: '{title}: failed — {text}',

  hotkeyWayland:
    'Hold-to-talk is not available in a Wayland session; the toggle shortcut works instead, or bind "lumi --toggle-talk" to a key in your desktop settings.',
  hotkeyNoDisplay: 'Hold-to-talk needs an X11 display (DISPLAY is not set).',
  hotkeyHookFailed:
    'Hold-to-talk is not available: the keyboard hook could not be started ({detail}).',
  holdKeyUnknown: 'The hold-to-talk key "{key}" is not a single key Lumi can watch.',
  hotkeysSameKey:
    'The toggle shortcut and the hold-to-talk key are both "{key}"; only hold-to-talk is active.',
  shortcutInvalid: '"{shortcut}" is not a valid shortcut ({detail}).',
  shortcutTaken:
    'The shortcut "{shortcut}" could not be registered; another application may be using it.',

  unexpected: 'Unexpected error: {detail}',
};

/** One English sentence for a problem (the CLI, the logs). */
export function describeProblem(problem: Problem): string {
  return fillPlaceholders(PROBLEM_ENGLISH[problem.code], problemParams(problem));
}

/**
 * The English detail of a connection state that went wrong (the CLI's lines, the logs); null
 * for the states that need no explanation.
 */
export function describeConnectionTrouble(state: ConnectionState): string | null {
  switch (state.kind) {
    case 'reconnecting':
      return describeProblem(state.cause);
    case 'failed': {
      const gaveUp =
        state.gaveUpAfter === null ? '' : ` Gave up after ${state.gaveUpAfter} quick attempts.`;
      const slow = state.retryAt === null ? '' : ' Lumi keeps trying about once a minute.';
      return `${describeProblem(state.cause)}${gaveUp}${slow}`;
    }
    case 'authFailed':
      return state.refreshFailed === null
        ? `${describeProblem(state.cause)} Check the token (or run OTA again), then retry.`
        : `${describeProblem(state.cause)} Refreshing the token through OTA failed: ${describeProblem(state.refreshFailed)}`;
    default:
      return null;
  }
}

/**
 * An error that carries its problem, so whoever catches it can pass the problem on as data; its
 * message is the English wording, for logs and stack traces.
 */
export class ProblemError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem, options?: ErrorOptions) {
    super(describeProblem(problem), options);
    this.name = 'ProblemError';
    this.problem = problem;
  }
}

/** The problem a caught error stands for: its own, or `unexpected` with its text. */
export function problemOf(error: unknown): Problem {
  return error instanceof ProblemError
    ? error.problem
    : { code: 'unexpected', detail: errorDetail(error) };
}
