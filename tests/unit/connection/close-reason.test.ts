import { describe, expect, it } from 'vitest';
import {
  classifyClose,
  type CloseFacts,
  type CloseVerdict,
} from '../../../main/core/connection/close-reason.ts';

const base: CloseFacts = {
  initiatedByUs: false,
  authRejected: false,
  httpStatus: null,
  code: 1006,
  wasReady: true,
  saidGoodbye: false,
  turnInFlight: false,
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

  it('treats an explicit goodbye as idle even with a turn in flight', () => {
    const facts = { ...base, code: 1000, saidGoodbye: true, turnInFlight: true };
    expect(classifyClose(facts).kind).toBe('idle');
  });

  it('keeps the broker’s refusal as the cause of an MQTT auth failure', () => {
    const error = { code: 'brokerRefused', reason: 'Bad username or password' } as const;
    const verdict = classifyClose({ ...base, authRejected: true, wasReady: false, error });
    expect(verdict).toEqual({ kind: 'auth', cause: error });
  });

  it('stops on UDP that does not get through: retrying the same way cannot mend it', () => {
    const error = { code: 'udpBlocked', seconds: 3 } as const;
    expect(classifyClose({ ...base, error })).toEqual({ kind: 'fatal', cause: error });
    expect(classifyClose({ ...base, error: { code: 'udpMissing' } }).kind).toBe('fatal');
  });

  it('recognises the auth-failure text even though the close is a clean 1000', () => {
    const verdict = classifyClose({ ...base, authRejected: true, code: 1000, wasReady: false });
    expect(verdict).toEqual({ kind: 'auth', cause: { code: 'tokenRejected' } });
  });

  it.each([401, 403])('treats HTTP %i on the upgrade as an auth failure', (status) => {
    expect(classifyClose({ ...base, httpStatus: status, wasReady: false })).toEqual({
      kind: 'auth',
      cause: { code: 'authRefused', status },
    });
  });

  it.each<[string, Partial<CloseFacts>, CloseVerdict]>([
    [
      '5xx on the upgrade',
      { httpStatus: 503, wasReady: false },
      { kind: 'retry', cause: { code: 'upgradeFailed', status: 503 } },
    ],
    [
      'a dead socket',
      { code: 1006 },
      { kind: 'retry', cause: { code: 'closed', closeCode: 1006 } },
    ],
    ['a restart', { code: 1012 }, { kind: 'retry', cause: { code: 'closed', closeCode: 1012 } }],
    [
      'a clean close before the hello',
      { code: 1000, wasReady: false },
      { kind: 'retry', cause: { code: 'closed', closeCode: 1000 } },
    ],
    [
      'a normal close (1000) in the middle of a turn',
      { code: 1000, turnInFlight: true },
      { kind: 'retry', cause: { code: 'closed', closeCode: 1000 } },
    ],
    [
      'a going-away close (1001) in the middle of a turn',
      { code: 1001, turnInFlight: true },
      { kind: 'retry', cause: { code: 'closed', closeCode: 1001 } },
    ],
    [
      'a close without status (1005) in the middle of a turn',
      { code: 1005, turnInFlight: true },
      { kind: 'retry', cause: { code: 'closed', closeCode: 1005 } },
    ],
    [
      'a network error, which is the cause rather than the close code',
      { wasReady: false, error: { code: 'refused', host: 'example.test', port: 8000 } },
      { kind: 'retry', cause: { code: 'refused', host: 'example.test', port: 8000 } },
    ],
  ])('backs off on %s', (_name, facts, verdict) => {
    expect(classifyClose({ ...base, ...facts })).toEqual(verdict);
  });

  it('gives up on other HTTP answers (a wrong path)', () => {
    const verdict = classifyClose({ ...base, httpStatus: 404, wasReady: false });
    expect(verdict).toEqual({ kind: 'fatal', cause: { code: 'notWebSocket', status: 404 } });
  });
});
