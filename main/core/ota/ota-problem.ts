/** What an OTA round or an activation failure means for the user, as a problem. */
import { problemOf } from '../../../shared/problem-english.ts';
import type { Problem } from '../../../shared/problems.ts';
import { ActivationError } from './activation.ts';
import { MAX_REDIRECTS, OTA_TIMEOUT_MS, OtaError } from './ota-client.ts';

/** The problem behind an error of `resolveViaOta` for the OTA address `otaUrl`. */
export function otaProblem(error: unknown, otaUrl: string): Problem {
  if (error instanceof ActivationError) {
    return error.kind === 'timeout' ? { code: 'activationTimedOut' } : { code: 'otaCancelled' };
  }
  if (!(error instanceof OtaError)) return problemOf(error);
  const host = URL.parse(otaUrl)?.host ?? otaUrl;
  switch (error.kind) {
    case 'refused':
      return { code: 'otaRefused', host };
    case 'dns':
      return { code: 'otaDnsFailed', host };
    case 'tls':
      return { code: 'otaCertRejected', host, detail: error.code ?? error.message };
    case 'network':
      return { code: 'otaUnreachable', host, detail: error.detail ?? error.code ?? error.message };
    case 'timeout':
      return { code: 'otaTimedOut', host, seconds: Math.round(OTA_TIMEOUT_MS / 1000) };
    case 'aborted':
      return { code: 'otaCancelled' };
    case 'http':
      return error.status === 404
        ? { code: 'otaNotFound', url: otaUrl }
        : { code: 'otaHttpStatus', url: otaUrl, status: error.status ?? 0 };
    case 'badJson':
      return { code: 'otaNotJson', url: otaUrl };
    case 'rejected':
      return { code: 'otaRejected', text: error.detail ?? error.message };
    case 'badResponse':
      return { code: 'otaUnusable', url: otaUrl, detail: error.detail ?? error.message };
    case 'redirect':
      return { code: 'otaRedirectRefused', url: otaUrl, location: error.detail ?? '' };
    case 'tooManyRedirects':
      return { code: 'otaTooManyRedirects', url: otaUrl, count: MAX_REDIRECTS };
  }
}
