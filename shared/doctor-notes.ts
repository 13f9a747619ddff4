/**
 * What "Test connection" says about each step, as data: a code and its parameters, never a
 * sentence (the doctor's `detail` and `fix`, shared/ipc.ts DoctorStep). The window words a note
 * in the user's language (`doctor.note.<code>`), `lumi-cli doctor` in English from the table
 * below. A step that failed the way a session fails carries that problem (`problem`), worded
 * from the problems' tables. Parameters are plain strings and numbers, as in shared/problems.ts.
 */
import { describeProblem } from './problem-english.ts';
import { fillPlaceholders, type Problem } from './problems.ts';

/** The steps of "Test connection", in the order they run. */
export type DoctorStepName =
  'ota' | 'activation' | 'websocket' | 'broker' | 'hello' | 'udp' | 'mcp';

/** The parameters of every note code. */
interface DoctorNoteParams {
  // --- what a step saw -----------------------------------------------------------------------
  /** A later step that was not run because `after` failed. */
  notRun: { readonly after: DoctorStepName };
  directNoOta: Record<never, never>;
  directNoActivation: Record<never, never>;
  otaAnswerNoMqtt: Record<never, never>;
  otaHandsOutMqtt: { readonly host: string; readonly port: number };
  otaHandsOutToken: { readonly url: string };
  otaHandsOutNoToken: { readonly url: string };
  activationNotAsked: Record<never, never>;
  activationPending: { readonly activationCode: string };
  upgradeStatus: { readonly status: number };
  /** `detail` is the system's text. */
  socketOpenFailed: { readonly url: string; readonly detail: string };
  webSocketConnected: { readonly url: string };
  /** `text` is what the server said. */
  helloAuthFailed: { readonly text: string };
  helloText: { readonly text: string };
  helloClosed: { readonly closeCode: number };
  helloNone: { readonly seconds: number };
  sessionStarted: { readonly sessionId: string };
  sessionStartedNoId: Record<never, never>;
  mcpStarted: Record<never, never>;
  mcpMissing: Record<never, never>;
  brokerSubscribed: { readonly host: string; readonly port: number };
  helloUdp: Record<never, never>;
  udpSent: Record<never, never>;

  // --- the fixes -----------------------------------------------------------------------------
  fixOtaNothingListening: Record<never, never>;
  fixHostName: Record<never, never>;
  fixReachability: Record<never, never>;
  fixOtaCertificate: Record<never, never>;
  fixOtaNoAnswer: Record<never, never>;
  fixCancelled: Record<never, never>;
  fixOtaPath: Record<never, never>;
  fixServerFailed: Record<never, never>;
  fixOtaRequestRefused: Record<never, never>;
  fixNotOta: Record<never, never>;
  fixDeviceRefused: Record<never, never>;
  fixNotXiaozhiOta: Record<never, never>;
  fixOtaRedirect: { readonly location: string };
  fixOtaRedirectLoop: Record<never, never>;
  fixMqttOnly: Record<never, never>;
  fixNoWebSocket: Record<never, never>;
  fixNoMqttGateway: Record<never, never>;
  fixActivationAt: { readonly activationCode: string; readonly console: string };
  fixActivation: { readonly activationCode: string };
  fixCaFile: Record<never, never>;
  fixWebSocketPath: Record<never, never>;
  fixUpgradeToken: Record<never, never>;
  fixUpgradeRefused: Record<never, never>;
  fixWebSocketNothingListening: Record<never, never>;
  fixWebSocketCertificate: Record<never, never>;
  fixHandshake: Record<never, never>;
  fixCheckAddress: Record<never, never>;
  fixTokenRefusedOta: Record<never, never>;
  fixTokenRefusedDirect: Record<never, never>;
  fixClosedBeforeHello: Record<never, never>;
  fixNoHello: Record<never, never>;
  fixTextInsteadOfHello: Record<never, never>;
  fixNoMcp: Record<never, never>;
  fixMqttHello: Record<never, never>;
  fixUdp: Record<never, never>;
  fixBrokerCredentials: Record<never, never>;
  fixBrokerNothingListening: Record<never, never>;
  fixBrokerNoAnswer: Record<never, never>;
  fixBroker: Record<never, never>;
}

export type DoctorNoteCode = keyof DoctorNoteParams;

/** One note: `{ code: 'upgradeStatus', status: 404 }`, or a problem a session would report. */
export type DoctorNote =
  | { [C in DoctorNoteCode]: { readonly code: C } & DoctorNoteParams[C] }[DoctorNoteCode]
  | { readonly code: 'problem'; readonly problem: Problem };

const OTA_PORTS =
  'xiaozhi-esp32-server answers OTA on port 8003 (8002 with the control panel); 8000 is its WebSocket port';

/** The English words of every note: `lumi-cli doctor` and the window's English locale. */
export const DOCTOR_ENGLISH: Readonly<Record<DoctorNoteCode, string>> = {
  notRun: 'Not run: the {after} step failed.',
  directNoOta: 'Direct WebSocket profile: no OTA step.',
  directNoActivation: 'Direct WebSocket profile: no activation.',
  otaAnswerNoMqtt: 'The OTA answer has no MQTT section.',
  otaHandsOutMqtt: 'The server hands out MQTT at {host}:{port} with credentials.',
  otaHandsOutToken: 'The server hands out {url} and a token.',
  otaHandsOutNoToken: 'The server hands out {url} and no token (auth off).',
  activationNotAsked:
    'No activation asked for: the device is bound, or the server does not use codes.',
  activationPending: 'Activation pending: code {activationCode}.',
  upgradeStatus: 'The server answered the upgrade with HTTP {status}.',
  socketOpenFailed: 'Could not open {url}: {detail}',
  webSocketConnected: 'Connected to {url}.',
  helloAuthFailed: 'The server said “{text}” (authentication failed).',
  helloText: 'The server answered “{text}”.',
  helloClosed: 'The server closed the connection (code {closeCode}) without a hello.',
  helloNone: 'No hello within {seconds} s.',
  sessionStarted: 'Session {sessionId} started.',
  sessionStartedNoId: 'Session (no id) started.',
  mcpStarted: 'The server started MCP; device tools will work.',
  mcpMissing: 'No MCP initialize from the server.',
  brokerSubscribed: 'Connected to {host}:{port} and subscribed.',
  helloUdp: 'The server answered the hello with a UDP address and key.',
  udpSent: 'The first audio datagram was sent.',

  fixOtaNothingListening: `Nothing is listening there: start the server, or check the port (${OTA_PORTS}).`,
  fixHostName: 'Check the host name, or use the server’s IP address.',
  fixReachability:
    'Check that this computer can reach the server (same network, no firewall in between).',
  fixOtaCertificate:
    'The server’s certificate is not trusted. For a self-signed certificate, add its CA to ' +
    'the system’s trusted certificates (or NODE_EXTRA_CA_CERTS), or use http:// on a home network.',
  fixOtaNoAnswer:
    'The server did not answer: check the address and that the server is not overloaded.',
  fixCancelled: 'The test was cancelled.',
  fixOtaPath:
    'The path is wrong: the OTA address ends in /xiaozhi/ota/ (e.g. http://192.168.1.5:8003/xiaozhi/ota/).',
  fixServerFailed: 'The server failed. Its log says why; restarting it often helps.',
  fixOtaRequestRefused: 'The server refused the request: check the address.',
  fixNotOta: `This address does not serve OTA: check the path (it ends in /xiaozhi/ota/) and the port (${OTA_PORTS}).`,
  fixDeviceRefused:
    'The server refused this device. Check that the address is the server’s OTA endpoint and look at the server’s log.',
  fixNotXiaozhiOta: 'This does not look like a xiaozhi OTA endpoint: check the address.',
  fixOtaRedirect:
    'The server redirected to {location}; Lumi follows redirects only within http or https. Use that address if you trust it.',
  fixOtaRedirectLoop: 'The server keeps redirecting: check the address.',
  fixMqttOnly:
    'This server hands out MQTT + UDP only, and the profile’s transport is WebSocket: choose Auto or MQTT + UDP.',
  fixNoWebSocket:
    'The server gave no WebSocket address. Set server.websocket in the server’s configuration.',
  fixNoMqttGateway: 'The server offers no MQTT gateway: choose Auto or WebSocket as the transport.',
  fixActivationAt:
    'Bind this device: open {console}, add a device with the code {activationCode}, then test again.',
  fixActivation:
    'Bind this device: open the server’s console (xiaozhi.me, or the control panel), add a device with the code {activationCode}, then test again.',
  fixCaFile: 'Choose the CA certificate (PEM) again in the profile.',
  fixWebSocketPath:
    'The path is wrong: the WebSocket address ends in /xiaozhi/v1/ (e.g. ws://192.168.1.5:8000/xiaozhi/v1/).',
  fixUpgradeToken:
    'The server refused the token: run the OTA check again to get a fresh one, or check the token in the profile.',
  fixUpgradeRefused: 'The server refused the WebSocket. Check the address; its log says why.',
  fixWebSocketNothingListening:
    'Nothing is listening there: start the server, or check the port (xiaozhi-esp32-server’s WebSocket port is 8000).',
  fixWebSocketCertificate:
    'The server’s certificate is not trusted: set its CA certificate (PEM file) in the profile.',
  fixHandshake:
    'The server did not complete the WebSocket handshake: wrong port (an HTTP-only port?) or a proxy in the way.',
  fixCheckAddress: 'Check the address and that the server is running.',
  fixTokenRefusedOta:
    'The token was refused (认证失败). Test again to get a fresh token from OTA; if it persists, the server’s auth_key changed or the device is not allowed.',
  fixTokenRefusedDirect:
    'The token was refused (认证失败). Enter the token from the server in the profile, or use the server’s OTA address instead.',
  fixClosedBeforeHello:
    'The server closed the connection before answering: usually a bad token (older servers say nothing) or a device the server does not allow.',
  fixNoHello:
    'No answer to the hello within 10 s: this is not a xiaozhi server, or the path is wrong (it ends in /xiaozhi/v1/).',
  fixTextInsteadOfHello:
    'The server answered with text instead of a hello: this is probably not a xiaozhi WebSocket endpoint.',
  fixNoMcp:
    'The server did not start MCP, so device tools (volume, screen, …) will not be offered. Chat still works; update the server to get tools.',
  fixMqttHello:
    'The server did not answer the hello over MQTT: check that the MQTT gateway is connected to the server (its log says why).',
  fixUdp:
    'UDP does not get through: open the gateway’s UDP port in the firewall, or choose WebSocket as the transport if the server offers it.',
  fixBrokerCredentials:
    'The broker refused the device’s credentials: test again for fresh ones from OTA; if it persists, the gateway’s signature key changed.',
  fixBrokerNothingListening:
    'Nothing is listening on the MQTT port: start the MQTT gateway, or check the port the OTA hands out.',
  fixBrokerNoAnswer:
    'The broker did not answer: a firewall may block its port (1883, or 8883 with TLS).',
  fixBroker: 'Check that the MQTT gateway is running and reachable from this computer.',
};

/** Every note code once, for the tables' tests. */
export const DOCTOR_NOTE_CODES = Object.keys(DOCTOR_ENGLISH) as readonly DoctorNoteCode[];

/** The parameters of a note, without its code, for filling `{name}` placeholders. */
export function noteParams(
  note: Exclude<DoctorNote, { readonly code: 'problem' }>,
): Readonly<Record<string, string | number>> {
  const { code: _code, ...params } = note;
  return params;
}

/** One English sentence for a note (the CLI, the logs). */
export function describeDoctorNote(note: DoctorNote): string {
  if (note.code === 'problem') return describeProblem(note.problem);
  return fillPlaceholders(DOCTOR_ENGLISH[note.code], noteParams(note));
}
