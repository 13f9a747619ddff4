/**
 * "Test connection" over MQTT + UDP (docs/protocol.md §1.4): the broker accepts the OTA's
 * credentials and the subscription, the server answers the hello over MQTT with UDP parameters,
 * the first datagram leaves, and the server starts MCP. It drives the real Connection with the
 * MQTT carrier, so what it checks is what a session does.
 */
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { DoctorNote } from '../../../shared/doctor-notes.ts';
import type { DoctorStep } from '../../../shared/ipc.ts';
import type { Problem } from '../../../shared/problems.ts';
import { Connection } from '../connection/connection.ts';
import { MqttCarriers } from '../connection/mqtt-carrier.ts';
import type { DeviceIdentity } from '../store/identity.ts';
import type { Clock } from '../util/clock.ts';
import type { MqttEndpoint } from './mqtt-section.ts';

export interface MqttDoctorOptions {
  readonly endpoint: MqttEndpoint;
  readonly ca: string | null;
  readonly identity: DeviceIdentity;
  readonly clock: Clock;
  readonly helloTimeoutMs: number;
  readonly mcpTimeoutMs: number;
  readonly signal?: AbortSignal;
}

/** What a step saw: ok with a detail, or a failure with its fix. */
type Outcome = { readonly ok: true; readonly detail: DoctorNote } | ProblemOutcome;
interface ProblemOutcome {
  readonly ok: false;
  readonly detail: DoctorNote;
  readonly fix: DoctorNote;
}

/** The steps broker → hello → udp → mcp, reported through `report` as each ends. */
export async function mqttSteps(
  options: MqttDoctorOptions,
  report: (name: DoctorStep['name'], started: number, outcome: Outcome | null) => void,
): Promise<void> {
  const { endpoint, clock } = options;
  const connection = new Connection({
    url: '',
    token: null,
    deviceId: options.identity.deviceId,
    clientId: options.identity.clientId,
    clock,
    helloTimeoutMs: options.helloTimeoutMs,
    carriers: (log) => new MqttCarriers({ endpoint, ca: options.ca, clock, log }),
  });
  let mcpSeen = false;
  let onMcp = (): void => undefined;
  connection.on('frame', (frame) => {
    if (frame.kind !== 'message' || frame.message.type !== 'mcp') return;
    mcpSeen = true;
    onMcp();
  });
  const abort = (): void => connection.dispose();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    let started = clock.now();
    connection.connect();
    const linked = await reached(connection, 'connected');
    if (linked !== null) return report('broker', started, failure(linked, brokerFix(linked)));
    const { host, port } = endpoint;
    report('broker', started, { ok: true, detail: { code: 'brokerSubscribed', host, port } });

    started = clock.now();
    const ready = await reached(connection, 'ready');
    if (ready !== null) {
      const udp = ready.code === 'udpMissing' || ready.code === 'udpBlocked';
      report('hello', started, udp ? helloOk() : failure(ready, HELLO_FIX));
      if (udp) report('udp', clock.now(), failure(ready, UDP_FIX));
      return;
    }
    report('hello', started, helloOk());
    report('udp', clock.now(), { ok: true, detail: { code: 'udpSent' } });

    started = clock.now();
    const mcp =
      mcpSeen ||
      (await new Promise<boolean>((resolve) => {
        const timer = clock.setTimeout(() => resolve(false), options.mcpTimeoutMs);
        onMcp = () => {
          clock.clearTimeout(timer);
          resolve(true);
        };
      }));
    report('mcp', started, mcp ? MCP_OK : null);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    connection.dispose();
  }
}

const HELLO_FIX: DoctorNote = { code: 'fixMqttHello' };
const UDP_FIX: DoctorNote = { code: 'fixUdp' };
const MCP_OK = { ok: true, detail: { code: 'mcpStarted' } } as const;

function helloOk(): Outcome {
  return { ok: true, detail: { code: 'helloUdp' } };
}

function failure(problem: Problem, fix: DoctorNote): ProblemOutcome {
  return { ok: false, detail: { code: 'problem', problem }, fix };
}

function brokerFix(problem: Problem): DoctorNote {
  switch (problem.code) {
    case 'brokerRefused':
      return { code: 'fixBrokerCredentials' };
    case 'refused':
      return { code: 'fixBrokerNothingListening' };
    case 'connectTimedOut':
      return { code: 'fixBrokerNoAnswer' };
    default:
      return { code: 'fixBroker' };
  }
}

/** Wait until the connection is in `kind` (null) or has given up this attempt (its cause). */
function reached(connection: Connection, kind: ConnectionState['kind']): Promise<Problem | null> {
  return new Promise((resolve) => {
    const check = (state: ConnectionState): boolean => {
      if (state.kind === kind || (kind === 'connected' && state.kind === 'handshaking')) {
        resolve(null);
        return true;
      }
      const cause = causeOf(state);
      if (cause !== null) resolve(cause);
      return cause !== null;
    };
    if (check(connection.state)) return;
    const off = connection.on('stateChanged', (_previous, next) => {
      if (check(next)) off();
    });
  });
}

function causeOf(state: ConnectionState): Problem | null {
  switch (state.kind) {
    case 'reconnecting':
    case 'failed':
    case 'authFailed':
      return state.cause;
    case 'disconnected':
      return { code: 'closed', closeCode: 1000 };
    default:
      return null;
  }
}
