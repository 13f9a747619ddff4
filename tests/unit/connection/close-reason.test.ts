import { describe, expect, it } from 'vitest';
import { classifyClose, type CloseFacts } from '../../../main/core/connection/close-reason.ts';

const base: CloseFacts = {
  initiatedByUs: false,
  authRejected: false,
  httpStatus: null,
  code: 1006,
  wasReady: true,
  saidGoodbye: false,
  error: null,
};

describe('classifyClose', () => {
  it('never retries our own close', () => {
    expect(classifyClose({ ...base, initiatedByUs: true, code: 1006 }).kind).toBe('ours');
  });

  it.each([1000, 1001, 1005])('treats a clean server close (%i) of a session as idle', (code) => {
    expect(classifyClose({ ...base, code }).kind).toBe('idle');
  });

  it('treats a close after the farewell as idle whatever the code', () => {
    expect(classifyClose({ ...base, code: 1006, saidGoodbye: true }).kind).toBe('idle');
  });

  it('recognises the auth-failure text even though the close is a clean 1000', () => {
    const verdict = classifyClose({ ...base, authRejected: true, code: 1000, wasReady: false });
    expect(verdict.kind).toBe('auth');
  });

  it.each([401, 403])('treats HTTP %i on the upgrade as an auth failure', (status) => {
    expect(classifyClose({ ...base, httpStatus: status, wasReady: false }).kind).toBe('auth');
  });

  it('backs off on 5xx, dead sockets and restarts', () => {
    expect(classifyClose({ ...base, httpStatus: 503, wasReady: false }).kind).toBe('retry');
    expect(classifyClose({ ...base, code: 1006 }).kind).toBe('retry');
    expect(classifyClose({ ...base, code: 1012 }).kind).toBe('retry');
    expect(classifyClose({ ...base, code: 1000, wasReady: false }).kind).toBe('retry');
  });

  it('gives up on other HTTP answers with a hint about the path', () => {
    const verdict = classifyClose({ ...base, httpStatus: 404, wasReady: false });
    expect(verdict).toMatchObject({ kind: 'fatal' });
    expect(verdict.kind === 'fatal' && verdict.reason).toContain('path');
  });
});
