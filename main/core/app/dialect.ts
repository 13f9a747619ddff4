/**
 * The per-profile message dialect as session options: xiaozhi's own (nothing to add), or the
 * original Lumi design's (ids and timestamps on every message, device info in the hello,
 * typed text as `chat`).
 */
import { LumiDialect, nodeDeviceInfo } from '../events/lumi-dialect.ts';
import type { Clock } from '../util/clock.ts';
import type { SessionSetup } from './create-session.ts';

export function dialectSetup(
  dialect: 'xiaozhi' | 'lumi',
  deviceId: string,
  clock: Clock,
): Pick<SessionSetup, 'connection' | 'textMessage'> {
  if (dialect === 'xiaozhi') return {};
  const lumi = new LumiDialect({ deviceId, deviceInfo: nodeDeviceInfo(), clock });
  return {
    connection: {
      decorateHello: lumi.decorateHello,
      acceptHello: lumi.acceptHello,
      decorateMessage: lumi.decorateMessage,
    },
    // The outbox item's id: a re-send after a reconnect carries the same id (outbox.ts).
    textMessage: (text, id) => lumi.chat(text, id),
  };
}
