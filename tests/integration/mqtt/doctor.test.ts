import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../../main/core/ota/doctor.ts';
import { describeDoctorNote, type DoctorNote } from '../../../shared/doctor-notes.ts';
import {
  randomMac,
  serialFromMac,
  type DeviceIdentity,
} from '../../../main/core/store/identity.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';

let server: ReferenceServer;
let identity: DeviceIdentity;
beforeEach(async () => {
  server = await startReferenceServer({ otaTransport: 'mqtt' });
  const mac = randomMac();
  identity = {
    deviceId: mac,
    clientId: crypto.randomUUID(),
    serialNumber: serialFromMac(mac),
    createdAt: Date.now(),
  };
});
afterEach(async () => {
  await server.stop();
});

/** A note as `lumi-cli doctor` prints it. */
const english = (note: DoctorNote | null): string =>
  note === null ? '' : describeDoctorNote(note);

const doctor = () =>
  runDoctor({
    profile: { endpoint: { kind: 'ota', url: server.otaUrl }, caFile: null },
    identity,
    token: null,
    appVersion: '0.1.0',
  });

describe('Test connection over MQTT + UDP', () => {
  it('checks the broker, the hello over MQTT, the first datagram and MCP', async () => {
    const steps = await doctor();
    expect(steps.map((s) => [s.name, s.ok, s.skipped])).toEqual([
      ['ota', true, false],
      ['activation', true, true],
      ['broker', true, false],
      ['hello', true, false],
      ['udp', true, false],
      ['mcp', true, false],
    ]);
    // The datagram really reached the gateway.
    expect(server.udpSessions[0]?.receivedSequences[0]).toBe(1);
  });

  it('a broker that refuses the credentials: a plain fix, the later steps not run', async () => {
    server.setKnobs({ mqttRefusePassword: 'always' });
    const steps = await doctor();
    const broker = steps.find((s) => s.name === 'broker');
    expect(broker).toMatchObject({ ok: false, skipped: false });
    expect(broker?.fix).toEqual({ code: 'fixBrokerCredentials' });
    expect(english(broker?.fix ?? null)).toMatch(/credentials/);
    expect(steps.filter((s) => s.skipped && !s.ok).map((s) => s.name)).toEqual([
      'hello',
      'udp',
      'mcp',
    ]);
  });
});
