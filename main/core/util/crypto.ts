/**
 * node:crypto, loaded at its first use instead of at start: loading it is ~15 ms of the core's
 * start-up (bench `core.boot`, CPU profile), and a start that opens no new conversation, creates
 * no identity and asks no OTA server never needs it.
 */
import type * as NodeCrypto from 'node:crypto';

export function nodeCrypto(): typeof NodeCrypto {
  return process.getBuiltinModule('node:crypto');
}

export function randomUUID(): string {
  return nodeCrypto().randomUUID();
}
