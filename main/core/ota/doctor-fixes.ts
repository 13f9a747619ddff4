/**
 * The plain fixes "Test connection" offers for the usual failures. Self-hosted setup is the
 * most common support question among xiaozhi clients (py-xiaozhi has more issues on it than on
 * anything else), and most answers are one
 * of these: wrong port, wrong path, server not running, stale token, unbound device, TLS.
 * Fixes are notes (shared/doctor-notes.ts) that the window and the CLI word.
 */
import type { DoctorNote } from '../../../shared/doctor-notes.ts';
import type { OtaError } from './ota-client.ts';

/** A fix for a failed OTA check. */
export function otaFix(error: OtaError): DoctorNote {
  switch (error.kind) {
    case 'refused':
      return { code: 'fixOtaNothingListening' };
    case 'dns':
      return { code: 'fixHostName' };
    case 'network':
      return { code: 'fixReachability' };
    case 'tls':
      return { code: 'fixOtaCertificate' };
    case 'timeout':
      return { code: 'fixOtaNoAnswer' };
    case 'aborted':
      return { code: 'fixCancelled' };
    case 'http':
      if (error.status === 404) return { code: 'fixOtaPath' };
      if (error.status !== null && error.status >= 500) return { code: 'fixServerFailed' };
      return { code: 'fixOtaRequestRefused' };
    case 'badJson':
      return { code: 'fixNotOta' };
    case 'rejected':
      return { code: 'fixDeviceRefused' };
    case 'badResponse':
      return { code: 'fixNotXiaozhiOta' };
    case 'redirect':
      // ota-client.ts always sets it to where the redirect pointed.
      return { code: 'fixOtaRedirect', location: error.detail ?? '' };
    case 'tooManyRedirects':
      return { code: 'fixOtaRedirectLoop' };
  }
}

/** A fix for an OTA answer without a WebSocket address. */
export function noWebSocketFix(mqttOnly: boolean): DoctorNote {
  return { code: mqttOnly ? 'fixMqttOnly' : 'fixNoWebSocket' };
}

/** A fix for a pending activation. */
export function activationFix(code: string, consoleUrl: string | null): DoctorNote {
  return consoleUrl === null
    ? { code: 'fixActivation', activationCode: code }
    : { code: 'fixActivationAt', console: consoleUrl, activationCode: code };
}

/** Why a WebSocket could not be opened, as a problem and a fix. */
export type SocketProblem =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string };

const TLS_CODE = /CERT|SSL|TLS|SIGNATURE/;

export function webSocketFix(problem: SocketProblem): DoctorNote {
  if (problem.kind === 'status') {
    if (problem.status === 404) return { code: 'fixWebSocketPath' };
    if (problem.status === 401 || problem.status === 403) return { code: 'fixUpgradeToken' };
    return { code: 'fixUpgradeRefused' };
  }
  if (problem.code === 'ECONNREFUSED') return { code: 'fixWebSocketNothingListening' };
  if (problem.code === 'ENOTFOUND' || problem.code === 'EAI_AGAIN') return { code: 'fixHostName' };
  if (problem.code !== null && TLS_CODE.test(problem.code)) {
    return { code: 'fixWebSocketCertificate' };
  }
  if (/handshake has timed out/i.test(problem.message)) return { code: 'fixHandshake' };
  return { code: 'fixCheckAddress' };
}

/** Why no hello came back. */
export type HelloProblem = 'authFailed' | 'closed' | 'timeout' | 'text';

export function helloFix(problem: HelloProblem, viaOta: boolean): DoctorNote {
  switch (problem) {
    case 'authFailed':
      return { code: viaOta ? 'fixTokenRefusedOta' : 'fixTokenRefusedDirect' };
    case 'closed':
      return { code: 'fixClosedBeforeHello' };
    case 'timeout':
      return { code: 'fixNoHello' };
    case 'text':
      return { code: 'fixTextInsteadOfHello' };
  }
}

export const MCP_FIX: DoctorNote = { code: 'fixNoMcp' };
