/**
 * Everything that can go wrong and reaches a person, as data: a code and its parameters, never
 * a sentence. The core produces these; the window words them in the user's language from its
 * i18n tables (`problem.<code>`), the CLI and the logs in English (shared/problem-english.ts).
 * A new code is not done until every table has its text: the tables are
 * `Record<ProblemCode, …>`, so a missing one fails the type check, and
 * tests/unit/problems/problem-text.test.ts enumerates them.
 *
 * Lumi's own lines in the conversation (a tool call, a task's end: ChatMessage.notice) and the
 * failures of the window's requests (shared/result.ts) use the same codes and tables.
 *
 * Parameters are plain strings and numbers only, so every table can fill them into its own
 * sentence. Text that is not ours — what a server said, what the operating system reported —
 * travels as a parameter (`text`, `detail`) and is shown as it is.
 */

/** The parameters of every problem code. */
interface ProblemParams {
  // --- reaching the WebSocket server ---------------------------------------------------------
  /** ECONNREFUSED: nothing listens at that address and port. */
  refused: { readonly host: string; readonly port: number };
  /** ENOTFOUND: the host name does not exist. */
  dnsFailed: { readonly host: string };
  /** EAI_AGAIN: the name could not be resolved right now (DNS or network down). */
  dnsUnavailable: { readonly host: string };
  connectTimedOut: { readonly host: string; readonly port: number };
  connectionReset: Record<never, never>;
  hostUnreachable: { readonly host: string };
  networkUnreachable: Record<never, never>;
  certSelfSigned: { readonly host: string };
  certUntrusted: { readonly host: string };
  certExpired: { readonly host: string };
  certHostMismatch: { readonly host: string };
  /** Another certificate or TLS failure, with the system's code. */
  certRejected: { readonly host: string; readonly detail: string };
  messageTooLarge: Record<never, never>;
  /** The WebSocket upgrade did not complete in time. */
  handshakeTimedOut: { readonly seconds: number };
  /** The socket opened but no server hello came. */
  helloTimedOut: { readonly seconds: number };
  /** A ping went unanswered. */
  pongTimedOut: { readonly seconds: number };
  /** The server stopped answering the app-level heartbeat. */
  heartbeatLost: Record<never, never>;
  /** The socket closed without a reason we know more about. */
  closed: { readonly closeCode: number };
  /** HTTP 5xx instead of the upgrade. */
  upgradeFailed: { readonly status: number };
  /** Another HTTP status instead of the upgrade: usually the wrong path. */
  notWebSocket: { readonly status: number };
  /** The server said 认证失败 before closing. */
  tokenRejected: Record<never, never>;
  /** HTTP 401/403 on the upgrade. */
  authRefused: { readonly status: number };
  invalidUrl: { readonly url: string };
  /** The MQTT broker refused the device's credentials (CONNACK `reason`). */
  brokerRefused: { readonly reason: string };
  /** The server's hello over MQTT named no usable UDP address and key. */
  udpMissing: Record<never, never>;
  /** No reply audio came over UDP after `tts start`: something drops the datagrams. */
  udpBlocked: { readonly seconds: number };
  /** A notice: MQTT + UDP failed and `auto` switched to the server's WebSocket. */
  fellBackToWebSocket: Record<never, never>;
  /** A socket error we have no words for: the system's text. */
  socketError: { readonly detail: string };

  // --- OTA and activation --------------------------------------------------------------------
  otaRefused: { readonly host: string };
  otaDnsFailed: { readonly host: string };
  otaCertRejected: { readonly host: string; readonly detail: string };
  otaUnreachable: { readonly host: string; readonly detail: string };
  otaTimedOut: { readonly host: string; readonly seconds: number };
  /** HTTP 404: the OTA path is wrong. */
  otaNotFound: { readonly url: string };
  otaHttpStatus: { readonly url: string; readonly status: number };
  otaNotJson: { readonly url: string };
  /** The OTA server refused the device; `text` is what it said. */
  otaRejected: { readonly text: string };
  otaUnusable: { readonly url: string; readonly detail: string };
  otaMqttOnly: Record<never, never>;
  otaNoWebSocket: Record<never, never>;
  /** The transport is set to MQTT and the OTA answer has no `mqtt` section. */
  otaNoMqtt: Record<never, never>;
  otaCancelled: Record<never, never>;
  activationTimedOut: Record<never, never>;
  activationRepeated: Record<never, never>;
  caFileUnreadable: { readonly path: string; readonly detail: string };
  /** The OTA server redirected to another scheme (https → http): not followed. */
  otaRedirectRefused: { readonly url: string; readonly location: string };
  otaTooManyRedirects: { readonly url: string; readonly count: number };
  /** An https OTA handed out a `ws://` address, and the profile does not allow one. */
  otaInsecureWebSocket: { readonly url: string };

  // --- the conversation ----------------------------------------------------------------------
  turnTimedOut: Record<never, never>;
  /** The CLI's `--timeout` ran out while the server had not answered the hello. */
  helloNeverAnswered: { readonly seconds: number };
  /** The CLI's `--timeout` ran out. */
  timedOut: { readonly seconds: number };
  /** The server's `system` `reboot`: Lumi reconnects, queued messages go on the new session. */
  sessionRestarted: Record<never, never>;
  unknownMessage: { readonly type: string };
  invalidMessage: { readonly detail: string };
  /** A server message nested deeper than `limit` objects and arrays; not parsed at all. */
  messageTooDeep: { readonly limit: number };
  /** A text field from the server (`field`: stt, sentence, alert, …) was cut to `limit`. */
  serverTextTruncated: { readonly field: string; readonly limit: number };
  /** A reply grew past `limit` characters; what followed was not kept. */
  replyTruncated: { readonly limit: number };
  /** The server's `error` message; `text` is the server's words. */
  serverError: { readonly text: string };
  /** The server's `error` message without any text. */
  serverErrorUnspecified: Record<never, never>;
  realtimeDisabled: Record<never, never>;
  noMicrophone: Record<never, never>;
  handsFreeEnded: Record<never, never>;
  /** A reply packet the decoder refused. */
  undecodableAudio: { readonly detail: string };

  // --- audio devices -------------------------------------------------------------------------
  audioUnavailable: { readonly detail: string };
  defaultDeviceOpenFailed: { readonly detail: string };
  deviceOpenFailed: { readonly device: string; readonly detail: string };
  deviceFailed: { readonly device: string; readonly detail: string };
  deviceClosed: { readonly device: string };
  /** The device opened but never delivered (or accepted) audio. */
  deviceSilent: { readonly device: string; readonly ms: number };
  /** The device delivered audio, then stopped. */
  deviceStalled: { readonly device: string; readonly ms: number };

  // --- the app's own files -------------------------------------------------------------------
  settingsRecovered: { readonly movedTo: string };
  /** A stored secret was encrypted with another keystore than the one available now. */
  secretUnreadable: {
    readonly secret: string;
    readonly profile: string;
    readonly savedWith: string;
    readonly now: string;
    readonly detail: string;
  };
  /** `secrets.json` was damaged: saved tokens and device keys are gone. */
  secretsRecovered: { readonly movedTo: string };
  /** `identities.json` was damaged: the device identities were made anew. */
  identitiesRecovered: { readonly movedTo: string };
  /** `history.sqlite` was damaged and a fresh one started. */
  historyRecovered: { readonly movedTo: string };
  /** The history cannot be kept (a read-only folder, a newer Lumi's file): nothing is saved. */
  historyUnavailable: { readonly path: string; readonly detail: string };

  // --- requests from the window (IPC `Result` failures) ---------------------------------------
  /** A request came from a frame that is not Lumi's window. */
  requestForbidden: Record<never, never>;
  /** A request did not match its channel's schema; `detail` is the schema's (English) issue. */
  badRequest: { readonly channel: string; readonly detail: string };
  /** A handler failed unexpectedly; the details went to the log. */
  internalError: Record<never, never>;
  /** The browser preview's page lost its host (the call was not answered). */
  previewHostGone: Record<never, never>;
  unknownProfile: { readonly id: string };
  /** `detail`: the schema's (English) issues, as the log has them. */
  invalidProfile: { readonly detail: string };
  duplicateProfileIds: Record<never, never>;
  lastProfile: Record<never, never>;
  /** `names`: the unknown setting names, comma-separated. */
  unknownSettings: { readonly names: string };
  invalidSetting: { readonly detail: string };
  importNotJson: Record<never, never>;
  importNotLumi: Record<never, never>;
  emptyMessage: Record<never, never>;
  outboxFull: Record<never, never>;
  /** Editing, resending or taking back a typed message that has left or is gone. */
  messageUnchangeable: Record<never, never>;
  linkNotUrl: { readonly url: string };
  linkNotHttps: { readonly scheme: string };
  linkHasCredentials: Record<never, never>;
  /** The server answered typed text with an `alert` instead of a reply; `text` is its words. */
  messageRefused: { readonly text: string };

  // --- lines Lumi writes into the conversation (ChatMessage.notice) -------------------------
  /** The server's `system` `reboot` (the line; the notice is `sessionRestarted`). */
  sessionRestartAsked: Record<never, never>;
  /** A device tool ran; `call` is its name with its summarised arguments, `result` its summary. */
  toolCalled: { readonly call: string; readonly result: string };
  /** A tool read text (the clipboard): how many characters, never the text itself. */
  toolCalledCharacters: { readonly call: string; readonly count: number };
  /** A vision tool ran; `answer` is the vision model's words. */
  toolLookedAtScreen: { readonly call: string; readonly answer: string };
  toolTookPhoto: { readonly call: string; readonly answer: string };
  /** A tool failed; `result` is the system's text. */
  toolFailed: { readonly call: string; readonly result: string };
  /** The server called a tool Lumi does not have. */
  toolUnknown: { readonly call: string };
  /** The user set the tool to "Deny" in the settings. */
  toolNotAllowed: { readonly call: string };
  /** A picture tool, in a session whose server named no vision endpoint. */
  toolNoVision: { readonly call: string };
  /** The desktop cannot do it now (no camera, no screen capture). */
  toolUnavailable: { readonly call: string };
  /** The server's arguments did not match the tool's schema. */
  toolBadArguments: { readonly call: string };
  toolPictureTooLarge: { readonly call: string };
  /** The server's vision address is not one Lumi sends a picture to (docs/protocol.md §4.5). */
  toolVisionRefused: { readonly call: string };
  /** The vision endpoint did not answer with an explanation; its reason went to the log. */
  toolVisionFailed: { readonly call: string };
  /** A link that is not https, not a URL or carries credentials was not opened. */
  toolLinkRefused: { readonly call: string };
  /** The user did not allow the call. */
  toolDenied: { readonly call: string };
  /** Not run: the user was already being asked about another call. */
  toolBusy: { readonly call: string };
  /** Not run or not finished: the server cancelled it, the session ended or time ran out. */
  toolAbandoned: { readonly call: string };
  /** A server task ended; `title` (and `text`, when the server gave one) are its words. */
  taskCompleted: { readonly title: string };
  taskFailed: { readonly title: string };
  taskCompletedWith: { readonly title: string; readonly text: string };
  taskFailedWith: { readonly title: string; readonly text: string };

  // --- global hotkeys ------------------------------------------------------------------------
  hotkeyWayland: Record<never, never>;
  hotkeyNoDisplay: Record<never, never>;
  hotkeyHookFailed: { readonly detail: string };
  holdKeyUnknown: { readonly key: string };
  hotkeysSameKey: { readonly key: string };
  shortcutInvalid: { readonly shortcut: string; readonly detail: string };
  shortcutTaken: { readonly shortcut: string };

  /** Something failed with an error we have no words for: its text as the system gave it. */
  unexpected: { readonly detail: string };
}

export type ProblemCode = keyof ProblemParams;

/** One problem: `{ code: 'refused', host, port }`. */
export type Problem = {
  [C in ProblemCode]: { readonly code: C } & ProblemParams[C];
}[ProblemCode];

/** The problem with code `C`. */
export type ProblemOf<C extends ProblemCode> = Extract<Problem, { readonly code: C }>;

/** Every parameter is a string or a number, so any table can fill it in. */
export type ProblemParamValue = string | number;

/**
 * Every code once, for tests and tools that enumerate them. A `Record` so that a code added to
 * ProblemParams without being listed here fails the type check.
 */
const EVERY_CODE: Readonly<Record<ProblemCode, true>> = {
  refused: true,
  dnsFailed: true,
  dnsUnavailable: true,
  connectTimedOut: true,
  connectionReset: true,
  hostUnreachable: true,
  networkUnreachable: true,
  certSelfSigned: true,
  certUntrusted: true,
  certExpired: true,
  certHostMismatch: true,
  certRejected: true,
  messageTooLarge: true,
  handshakeTimedOut: true,
  helloTimedOut: true,
  pongTimedOut: true,
  heartbeatLost: true,
  closed: true,
  upgradeFailed: true,
  notWebSocket: true,
  tokenRejected: true,
  authRefused: true,
  invalidUrl: true,
  brokerRefused: true,
  udpMissing: true,
  udpBlocked: true,
  fellBackToWebSocket: true,
  socketError: true,
  otaRefused: true,
  otaDnsFailed: true,
  otaCertRejected: true,
  otaUnreachable: true,
  otaTimedOut: true,
  otaNotFound: true,
  otaHttpStatus: true,
  otaNotJson: true,
  otaRejected: true,
  otaUnusable: true,
  otaMqttOnly: true,
  otaNoWebSocket: true,
  otaNoMqtt: true,
  otaCancelled: true,
  activationTimedOut: true,
  activationRepeated: true,
  caFileUnreadable: true,
  otaRedirectRefused: true,
  otaTooManyRedirects: true,
  otaInsecureWebSocket: true,
  turnTimedOut: true,
  helloNeverAnswered: true,
  timedOut: true,
  sessionRestarted: true,
  unknownMessage: true,
  invalidMessage: true,
  messageTooDeep: true,
  serverTextTruncated: true,
  replyTruncated: true,
  serverError: true,
  serverErrorUnspecified: true,
  realtimeDisabled: true,
  noMicrophone: true,
  handsFreeEnded: true,
  undecodableAudio: true,
  audioUnavailable: true,
  defaultDeviceOpenFailed: true,
  deviceOpenFailed: true,
  deviceFailed: true,
  deviceClosed: true,
  deviceSilent: true,
  deviceStalled: true,
  settingsRecovered: true,
  secretUnreadable: true,
  secretsRecovered: true,
  identitiesRecovered: true,
  historyRecovered: true,
  historyUnavailable: true,
  requestForbidden: true,
  badRequest: true,
  internalError: true,
  previewHostGone: true,
  unknownProfile: true,
  invalidProfile: true,
  duplicateProfileIds: true,
  lastProfile: true,
  unknownSettings: true,
  invalidSetting: true,
  importNotJson: true,
  importNotLumi: true,
  emptyMessage: true,
  outboxFull: true,
  messageUnchangeable: true,
  linkNotUrl: true,
  linkNotHttps: true,
  linkHasCredentials: true,
  messageRefused: true,
  sessionRestartAsked: true,
  toolCalled: true,
  toolCalledCharacters: true,
  toolLookedAtScreen: true,
  toolTookPhoto: true,
  toolFailed: true,
  toolUnknown: true,
  toolNotAllowed: true,
  toolNoVision: true,
  toolUnavailable: true,
  toolBadArguments: true,
  toolPictureTooLarge: true,
  toolVisionRefused: true,
  toolVisionFailed: true,
  toolLinkRefused: true,
  toolDenied: true,
  toolBusy: true,
  toolAbandoned: true,
  taskCompleted: true,
  taskFailed: true,
  taskCompletedWith: true,
  taskFailedWith: true,
  hotkeyWayland: true,
  hotkeyNoDisplay: true,
  hotkeyHookFailed: true,
  holdKeyUnknown: true,
  hotkeysSameKey: true,
  shortcutInvalid: true,
  shortcutTaken: true,
  unexpected: true,
};

export const PROBLEM_CODES = Object.keys(EVERY_CODE) as readonly ProblemCode[];

/** The parameters of a problem, without its code, for filling `{name}` placeholders. */
export function problemParams(problem: Problem): Readonly<Record<string, ProblemParamValue>> {
  const { code: _code, ...params } = problem;
  return params;
}

/** Whether two problems are the same: the same code with the same parameters. */
export function sameProblem(a: Problem, b: Problem): boolean {
  return a.code === b.code && stableJson(problemParams(a)) === stableJson(problemParams(b));
}

function stableJson(params: Readonly<Record<string, ProblemParamValue>>): string {
  return JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The text of something thrown, for the `detail` of a problem we have no words for. */
export function errorDetail(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Fills `{name}` placeholders of `template` from `params`; unknown names stay as they are. */
export function fillPlaceholders(
  template: string,
  params: Readonly<Record<string, ProblemParamValue>>,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
