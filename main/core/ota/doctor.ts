/**
 * "Test connection": OTA → activation → WebSocket → hello → MCP, each step reported with its
 * time, what was seen, and a plain fix when it failed. Steps that do not apply are skipped (a
 * direct ws:// profile has no OTA and no activation); steps after a failure are not run.
 */
import { readFileSync } from 'node:fs';
import type { DoctorStep } from '../../../shared/ipc.ts';
import type { ServerProfile } from '../../../shared/settings.ts';
import type { ProtocolVersion } from '../protocol/client-messages.ts';
import type { DeviceIdentity } from '../store/identity.ts';
import { SECOND, systemClock, type Clock } from '../util/clock.ts';
import { activationPrompt } from './activation.ts';
import {
  activationFix,
  helloFix,
  MCP_FIX,
  noWebSocketFix,
  otaFix,
  webSocketFix,
} from './doctor-fixes.ts';
import { SocketProbe } from './doctor-socket.ts';
import { OtaError, requestOta, type OtaResult } from './ota-client.ts';

/** Firmware limits: 10 s for the handshake and 10 s for the hello (docs/protocol.md §2.3). */
export const DOCTOR_HANDSHAKE_TIMEOUT_MS = 10 * SECOND;
export const DOCTOR_HELLO_TIMEOUT_MS = 10 * SECOND;
/** XS sends `initialize` right after its hello; a few seconds is plenty. */
export const DOCTOR_MCP_TIMEOUT_MS = 5 * SECOND;

type StepName = DoctorStep['name'];
const ORDER: readonly StepName[] = ['ota', 'activation', 'websocket', 'hello', 'mcp'];

export interface DoctorOptions {
  readonly profile: Pick<ServerProfile, 'endpoint' | 'caFile'>;
  readonly identity: DeviceIdentity;
  /** The stored token, used by direct WebSocket profiles (OTA profiles get a fresh one). */
  readonly token: string | null;
  readonly appVersion: string;
  readonly language?: string;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly otaTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly helloTimeoutMs?: number;
  readonly mcpTimeoutMs?: number;
  /** Each step as soon as it is known, for a live checklist. */
  readonly onStep?: (step: DoctorStep) => void;
}

interface Target {
  readonly url: string;
  readonly token: string | null;
  readonly protocolVersion: ProtocolVersion;
}

class Report {
  readonly steps: DoctorStep[] = [];
  readonly #onStep: ((step: DoctorStep) => void) | undefined;

  constructor(onStep: ((step: DoctorStep) => void) | undefined) {
    this.#onStep = onStep;
  }

  add(step: DoctorStep): void {
    this.steps.push(step);
    this.#onStep?.(step);
  }

  ok(name: StepName, ms: number, detail: string): void {
    this.add({ name, ok: true, skipped: false, ms, detail, fix: null });
  }

  fail(name: StepName, ms: number, detail: string, fix: string): void {
    this.add({ name, ok: false, skipped: false, ms, detail, fix });
  }

  skip(name: StepName, detail: string): void {
    this.add({ name, ok: true, skipped: true, ms: 0, detail, fix: null });
  }

  /** Mark every step not reported yet as not run, because `after` failed. */
  notRun(after: StepName): DoctorStep[] {
    for (const name of ORDER.slice(ORDER.indexOf(after) + 1)) {
      this.add({
        name,
        ok: false,
        skipped: true,
        ms: 0,
        detail: `Not run: the ${after} step failed.`,
        fix: null,
      });
    }
    return this.steps;
  }
}

/** OTA and activation; the WebSocket to test, or null after a reported failure. */
async function otaSteps(
  options: DoctorOptions,
  clock: Clock,
  report: Report,
): Promise<Target | null> {
  if (options.profile.endpoint.kind === 'websocket') {
    report.skip('ota', 'Direct WebSocket profile: no OTA step.');
    report.skip('activation', 'Direct WebSocket profile: no activation.');
    return { url: options.profile.endpoint.url, token: options.token, protocolVersion: 1 };
  }
  const url = options.profile.endpoint.url;
  const started = clock.now();
  let result: OtaResult;
  try {
    result = await requestOta({
      url,
      identity: options.identity,
      appVersion: options.appVersion,
      clock,
      ...(options.language ? { language: options.language } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.otaTimeoutMs ? { timeoutMs: options.otaTimeoutMs } : {}),
    });
  } catch (error) {
    const failure = error instanceof OtaError ? error : new OtaError('network', String(error));
    report.fail('ota', clock.now() - started, failure.message, otaFix(failure));
    report.notRun('ota');
    return null;
  }
  const ms = clock.now() - started;
  const websocket = result.websocket;
  if (websocket === null) {
    report.fail(
      'ota',
      ms,
      'The OTA answer has no WebSocket address.',
      noWebSocketFix(result.mqtt !== null),
    );
    report.notRun('ota');
    return null;
  }
  const token = websocket.token === null ? 'no token (auth off)' : 'a token';
  report.ok('ota', ms, `The server hands out ${websocket.url} and ${token}.`);
  if (result.activation === null) {
    report.skip(
      'activation',
      'No activation asked for: the device is bound, or the server does not use codes.',
    );
  } else {
    const prompt = activationPrompt(result.activation);
    report.fail(
      'activation',
      0,
      `Activation pending: code ${prompt.code}.`,
      activationFix(prompt.code, prompt.consoleUrl),
    );
  }
  return { url: websocket.url, token: websocket.token, protocolVersion: websocket.protocolVersion };
}

/** Run every step; the list always has the five steps in order. */
export async function runDoctor(options: DoctorOptions): Promise<readonly DoctorStep[]> {
  const clock = options.clock ?? systemClock;
  const report = new Report(options.onStep);
  const target = await otaSteps(options, clock, report);
  if (target === null) return report.steps;

  const caFile = options.profile.caFile;
  let ca: Buffer | null = null;
  if (caFile !== null) {
    try {
      ca = readFileSync(caFile);
    } catch (error) {
      report.fail(
        'websocket',
        0,
        `The CA file ${caFile} cannot be read (${String(error)}).`,
        'Choose the CA certificate (PEM) again in the profile.',
      );
      return report.notRun('websocket');
    }
  }

  let started = clock.now();
  const opened = await SocketProbe.open({
    ...target,
    identity: options.identity,
    ca,
    appVersion: options.appVersion,
    clock,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DOCTOR_HANDSHAKE_TIMEOUT_MS,
  });
  if (!opened.ok) {
    const problem = opened.problem;
    const detail =
      problem.kind === 'status'
        ? `The server answered the upgrade with HTTP ${problem.status}.`
        : `Could not open ${target.url}: ${problem.message}`;
    report.fail('websocket', clock.now() - started, detail, webSocketFix(problem));
    return report.notRun('websocket');
  }
  const probe = opened.probe;
  const onAbort = () => probe.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    report.ok('websocket', clock.now() - started, `Connected to ${target.url}.`);

    started = clock.now();
    const hello = await probe.hello(options.helloTimeoutMs ?? DOCTOR_HELLO_TIMEOUT_MS);
    if (!hello.ok) {
      const viaOta = options.profile.endpoint.kind === 'ota';
      report.fail('hello', clock.now() - started, hello.detail, helloFix(hello.problem, viaOta));
      return report.notRun('hello');
    }
    report.ok('hello', clock.now() - started, `Session ${hello.sessionId ?? '(no id)'} started.`);

    started = clock.now();
    if (await probe.mcp(options.mcpTimeoutMs ?? DOCTOR_MCP_TIMEOUT_MS)) {
      report.ok('mcp', clock.now() - started, 'The server started MCP; device tools will work.');
    } else {
      report.fail('mcp', clock.now() - started, 'No MCP initialize from the server.', MCP_FIX);
    }
    return report.steps;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    probe.close();
  }
}
