/**
 * "Test connection": OTA → activation → WebSocket → hello → MCP, each step reported with its
 * time, what was seen, and a plain fix when it failed. Steps that do not apply are skipped (a
 * direct ws:// profile has no OTA and no activation); steps after a failure are not run.
 */
import { readFileSync } from 'node:fs';
import type { DoctorNote } from '../../../shared/doctor-notes.ts';
import type { DoctorStep } from '../../../shared/ipc.ts';
import { errorDetail } from '../../../shared/problems.ts';
import type { ProfileTransport, ServerProfile } from '../../../shared/settings.ts';
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
import { mqttSteps } from './doctor-mqtt.ts';
import { SocketProbe } from './doctor-socket.ts';
import type { MqttEndpoint } from './mqtt-section.ts';
import { OtaError, requestOta, type OtaResult } from './ota-client.ts';
import { otaProblem } from './ota-problem.ts';

/** Firmware limits: 10 s for the handshake and 10 s for the hello (docs/protocol.md §2.3). */
export const DOCTOR_HANDSHAKE_TIMEOUT_MS = 10 * SECOND;
export const DOCTOR_HELLO_TIMEOUT_MS = 10 * SECOND;
/** XS sends `initialize` right after its hello; a few seconds is plenty. */
export const DOCTOR_MCP_TIMEOUT_MS = 5 * SECOND;

type StepName = DoctorStep['name'];
const WEBSOCKET_ORDER: readonly StepName[] = ['ota', 'activation', 'websocket', 'hello', 'mcp'];
/** Over MQTT + UDP the broker takes the WebSocket's place and the first datagram follows the hello. */
const MQTT_ORDER: readonly StepName[] = ['ota', 'activation', 'broker', 'hello', 'udp', 'mcp'];

export interface DoctorOptions {
  readonly profile: Pick<ServerProfile, 'endpoint' | 'caFile' | 'transport'>;
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

type Target =
  | {
      readonly kind: 'websocket';
      readonly url: string;
      readonly token: string | null;
      readonly protocolVersion: ProtocolVersion;
    }
  | { readonly kind: 'mqtt'; readonly endpoint: MqttEndpoint };

class Report {
  readonly steps: DoctorStep[] = [];
  order = WEBSOCKET_ORDER;
  readonly #onStep: ((step: DoctorStep) => void) | undefined;

  constructor(onStep: ((step: DoctorStep) => void) | undefined) {
    this.#onStep = onStep;
  }

  add(step: DoctorStep): void {
    this.steps.push(step);
    this.#onStep?.(step);
  }

  ok(name: StepName, ms: number, detail: DoctorNote): void {
    this.add({ name, ok: true, skipped: false, ms, detail, fix: null });
  }

  fail(name: StepName, ms: number, detail: DoctorNote, fix: DoctorNote): void {
    this.add({ name, ok: false, skipped: false, ms, detail, fix });
  }

  skip(name: StepName, detail: DoctorNote): void {
    this.add({ name, ok: true, skipped: true, ms: 0, detail, fix: null });
  }

  /** Mark every step not reported yet as not run, because `after` failed. */
  notRun(after: StepName): DoctorStep[] {
    for (const name of this.order.slice(this.order.indexOf(after) + 1)) {
      this.add({
        name,
        ok: false,
        skipped: true,
        ms: 0,
        detail: { code: 'notRun', after },
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
    report.skip('ota', { code: 'directNoOta' });
    report.skip('activation', { code: 'directNoActivation' });
    return {
      kind: 'websocket',
      url: options.profile.endpoint.url,
      token: options.token,
      protocolVersion: 1,
    };
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
    const detail: DoctorNote = { code: 'problem', problem: otaProblem(failure, url) };
    report.fail('ota', clock.now() - started, detail, otaFix(failure));
    report.notRun('ota');
    return null;
  }
  const ms = clock.now() - started;
  const choice = options.profile.transport ?? 'auto';
  const target = transportOf(result, choice);
  if (target === null) {
    if (choice === 'mqtt') {
      report.fail('ota', ms, { code: 'otaAnswerNoMqtt' }, { code: 'fixNoMqttGateway' });
    } else {
      const detail: DoctorNote = { code: 'problem', problem: { code: 'otaNoWebSocket' } };
      report.fail('ota', ms, detail, noWebSocketFix(result.mqtt !== null));
    }
    report.notRun('ota');
    return null;
  }
  if (target.kind === 'mqtt') {
    report.order = MQTT_ORDER;
    const { host, port } = target.endpoint;
    report.ok('ota', ms, { code: 'otaHandsOutMqtt', host, port });
  } else {
    const code = target.token === null ? 'otaHandsOutNoToken' : 'otaHandsOutToken';
    report.ok('ota', ms, { code, url: target.url });
  }
  if (result.activation === null) {
    report.skip('activation', { code: 'activationNotAsked' });
  } else {
    const prompt = activationPrompt(result.activation);
    report.fail(
      'activation',
      0,
      { code: 'activationPending', activationCode: prompt.code },
      activationFix(prompt.code, prompt.consoleUrl),
    );
  }
  return target;
}

/** The transport the profile would use with this answer (as ota-endpoint.ts chooses). */
function transportOf(result: OtaResult, choice: ProfileTransport): Target | null {
  if (result.mqtt && choice !== 'websocket') return { kind: 'mqtt', endpoint: result.mqtt };
  const websocket = result.websocket;
  if (websocket === null || choice === 'mqtt') return null;
  return { kind: 'websocket', ...websocket };
}

/** The MQTT + UDP steps (doctor-mqtt.ts), reported with the plain fixes. */
async function brokerSteps(
  endpoint: MqttEndpoint,
  ca: Buffer | null,
  options: DoctorOptions,
  clock: Clock,
  report: Report,
): Promise<void> {
  await mqttSteps(
    {
      endpoint,
      ca: ca === null ? null : ca.toString('utf8'),
      identity: options.identity,
      clock,
      helloTimeoutMs: options.helloTimeoutMs ?? DOCTOR_HELLO_TIMEOUT_MS,
      mcpTimeoutMs: options.mcpTimeoutMs ?? DOCTOR_MCP_TIMEOUT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    (name, started, outcome) => {
      const ms = clock.now() - started;
      if (outcome === null) {
        report.fail(name, ms, { code: 'mcpMissing' }, MCP_FIX);
      } else if (outcome.ok) {
        report.ok(name, ms, outcome.detail);
      } else {
        report.fail(name, ms, outcome.detail, outcome.fix);
        report.notRun(name);
      }
    },
  );
}

/** Run every step; the list always has every step of the transport, in order. */
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
        {
          code: 'problem',
          problem: { code: 'caFileUnreadable', path: caFile, detail: errorDetail(error) },
        },
        { code: 'fixCaFile' },
      );
      return report.notRun('websocket');
    }
  }

  if (target.kind === 'mqtt') {
    await brokerSteps(target.endpoint, ca, options, clock, report);
    return report.steps;
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
    const detail: DoctorNote =
      problem.kind === 'status'
        ? { code: 'upgradeStatus', status: problem.status }
        : { code: 'socketOpenFailed', url: target.url, detail: problem.message };
    report.fail('websocket', clock.now() - started, detail, webSocketFix(problem));
    return report.notRun('websocket');
  }
  const probe = opened.probe;
  const onAbort = () => probe.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    report.ok('websocket', clock.now() - started, { code: 'webSocketConnected', url: target.url });

    started = clock.now();
    const hello = await probe.hello(options.helloTimeoutMs ?? DOCTOR_HELLO_TIMEOUT_MS);
    if (!hello.ok) {
      const viaOta = options.profile.endpoint.kind === 'ota';
      report.fail('hello', clock.now() - started, hello.detail, helloFix(hello.problem, viaOta));
      return report.notRun('hello');
    }
    const session: DoctorNote =
      hello.sessionId === null
        ? { code: 'sessionStartedNoId' }
        : { code: 'sessionStarted', sessionId: hello.sessionId };
    report.ok('hello', clock.now() - started, session);

    started = clock.now();
    if (await probe.mcp(options.mcpTimeoutMs ?? DOCTOR_MCP_TIMEOUT_MS)) {
      report.ok('mcp', clock.now() - started, { code: 'mcpStarted' });
    } else {
      report.fail('mcp', clock.now() - started, { code: 'mcpMissing' }, MCP_FIX);
    }
    return report.steps;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    probe.close();
  }
}
