/**
 * The plain fixes "Test connection" offers for the usual failures. Self-hosted setup is the
 * most common support question among xiaozhi clients (py-xiaozhi has more issues on it than on
 * anything else), and most answers are one
 * of these: wrong port, wrong path, server not running, stale token, unbound device, TLS.
 */
import type { OtaError } from './ota-client.ts';

const OTA_PORTS =
  'xiaozhi-esp32-server answers OTA on port 8003 (8002 with the control panel); 8000 is its WebSocket port';

/** A fix for a failed OTA check. */
export function otaFix(error: OtaError): string {
  switch (error.kind) {
    case 'refused':
      return `Nothing is listening there: start the server, or check the port (${OTA_PORTS}).`;
    case 'dns':
      return 'Check the host name, or use the server’s IP address.';
    case 'network':
      return 'Check that this computer can reach the server (same network, no firewall in between).';
    case 'tls':
      return (
        'The server’s certificate is not trusted. For a self-signed certificate, add its CA to ' +
        'the system’s trusted certificates (or NODE_EXTRA_CA_CERTS), or use http:// on a home network.'
      );
    case 'timeout':
      return 'The server did not answer: check the address and that the server is not overloaded.';
    case 'aborted':
      return 'The test was cancelled.';
    case 'http':
      if (error.status === 404) {
        return 'The path is wrong: the OTA address ends in /xiaozhi/ota/ (e.g. http://192.168.1.5:8003/xiaozhi/ota/).';
      }
      if (error.status !== null && error.status >= 500) {
        return 'The server failed. Its log says why; restarting it often helps.';
      }
      return 'The server refused the request: check the address.';
    case 'badJson':
      return `This address does not serve OTA: check the path (it ends in /xiaozhi/ota/) and the port (${OTA_PORTS}).`;
    case 'rejected':
      return 'The server refused this device. Check that the address is the server’s OTA endpoint and look at the server’s log.';
    case 'badResponse':
      return 'This does not look like a xiaozhi OTA endpoint: check the address.';
    case 'redirect':
      return `The server redirected to ${error.detail ?? 'another scheme'}; Lumi follows redirects only within http or https. Use that address if you trust it.`;
    case 'tooManyRedirects':
      return 'The server keeps redirecting: check the address.';
  }
}

/** A fix for an OTA answer without a WebSocket address. */
export function noWebSocketFix(mqttOnly: boolean): string {
  return mqttOnly
    ? 'This server hands out MQTT + UDP only, and the profile’s transport is WebSocket: choose Auto or MQTT + UDP.'
    : 'The server gave no WebSocket address. Set server.websocket in the server’s configuration.';
}

/** A fix for a pending activation. */
export function activationFix(code: string, consoleUrl: string | null): string {
  const where = consoleUrl ?? 'the server’s console (xiaozhi.me, or the control panel)';
  return `Bind this device: open ${where}, add a device with the code ${code}, then test again.`;
}

/** Why a WebSocket could not be opened, as a problem and a fix. */
export type SocketProblem =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string };

const TLS_CODE = /CERT|SSL|TLS|SIGNATURE/;

export function webSocketFix(problem: SocketProblem): string {
  if (problem.kind === 'status') {
    if (problem.status === 404) {
      return 'The path is wrong: the WebSocket address ends in /xiaozhi/v1/ (e.g. ws://192.168.1.5:8000/xiaozhi/v1/).';
    }
    if (problem.status === 401 || problem.status === 403) {
      return 'The server refused the token: run the OTA check again to get a fresh one, or check the token in the profile.';
    }
    return 'The server refused the WebSocket. Check the address; its log says why.';
  }
  if (problem.code === 'ECONNREFUSED') {
    return 'Nothing is listening there: start the server, or check the port (xiaozhi-esp32-server’s WebSocket port is 8000).';
  }
  if (problem.code === 'ENOTFOUND' || problem.code === 'EAI_AGAIN') {
    return 'Check the host name, or use the server’s IP address.';
  }
  if (problem.code !== null && TLS_CODE.test(problem.code)) {
    return 'The server’s certificate is not trusted: set its CA certificate (PEM file) in the profile.';
  }
  if (/handshake has timed out/i.test(problem.message)) {
    return 'The server did not complete the WebSocket handshake: wrong port (an HTTP-only port?) or a proxy in the way.';
  }
  return 'Check the address and that the server is running.';
}

/** Why no hello came back. */
export type HelloProblem = 'authFailed' | 'closed' | 'timeout' | 'text';

export function helloFix(problem: HelloProblem, viaOta: boolean): string {
  switch (problem) {
    case 'authFailed':
      return viaOta
        ? 'The token was refused (认证失败). Test again to get a fresh token from OTA; if it persists, the server’s auth_key changed or the device is not allowed.'
        : 'The token was refused (认证失败). Enter the token from the server in the profile, or use the server’s OTA address instead.';
    case 'closed':
      return 'The server closed the connection before answering: usually a bad token (older servers say nothing) or a device the server does not allow.';
    case 'timeout':
      return 'No answer to the hello within 10 s: this is not a xiaozhi server, or the path is wrong (it ends in /xiaozhi/v1/).';
    case 'text':
      return 'The server answered with text instead of a hello: this is probably not a xiaozhi WebSocket endpoint.';
  }
}

export const MCP_FIX =
  'The server did not start MCP, so device tools (volume, screen, …) will not be offered. ' +
  'Chat still works; update the server to get tools.';
