/** `lumi-cli doctor`: OTA → activation → WebSocket → hello → MCP, each step with time and fix. */
import { describeDoctorNote } from '../../shared/doctor-notes.ts';
import type { DoctorStep } from '../../shared/ipc.ts';
import type { ServerProfile } from '../../shared/settings.ts';
import { runDoctor } from '../core/ota/doctor.ts';
import { IdentityStore } from '../core/store/identity.ts';
import { createCliSecretStore } from '../core/store/secrets.ts';
import type { TalkOptions } from './args.ts';
import { terminalSafe } from './terminal-text.ts';
import { appVersion } from './version.ts';

export async function doctorCommand(options: TalkOptions, configDir: string): Promise<number> {
  const secrets = createCliSecretStore(configDir);
  const identities = new IdentityStore({ dir: configDir, secrets });
  const stored = identities.ensure(options.profile);
  const identity = {
    ...stored,
    deviceId: options.deviceId ?? stored.deviceId,
    clientId: options.clientId ?? stored.clientId,
  };
  const endpoint: ServerProfile['endpoint'] = options.ota
    ? { kind: 'ota', url: options.ota }
    : { kind: 'websocket', url: options.url ?? '' };
  const steps = await runDoctor({
    profile: { endpoint, caFile: options.caFile, transport: options.transport },
    identity,
    token: options.token ?? secrets.get(options.profile, 'token'),
    appVersion: appVersion(),
    onStep: (step) => print(step, options.json),
  });
  const failed = steps.some((step) => !step.ok && !step.skipped);
  return failed ? 3 : 0;
}

function print(step: DoctorStep, json: boolean): void {
  // The terminal reads English: the notes worded from the same table as the window's English.
  const detail = describeDoctorNote(step.detail);
  const fix = step.fix === null ? null : describeDoctorNote(step.fix);
  if (json) {
    process.stdout.write(`${JSON.stringify({ event: 'doctor_step', ...step, detail, fix })}\n`);
    return;
  }
  const mark = step.skipped ? '–' : step.ok ? '✓' : '✗';
  process.stdout.write(
    terminalSafe(`${mark} ${step.name.padEnd(10)} ${String(step.ms).padStart(5)} ms  ${detail}`) +
      '\n',
  );
  if (fix !== null && !step.ok) process.stdout.write(`  fix: ${terminalSafe(fix)}\n`);
}
