import { describe, expect, it } from 'vitest';
import {
  LumiDialect,
  MAX_PENDING_CHATS,
  nodeDeviceInfo,
} from '../../../main/core/events/lumi-dialect.ts';
import {
  buildHello,
  encodeClientMessage,
  listenStart,
} from '../../../main/core/protocol/client-messages.ts';
import type { ServerHello } from '../../../main/core/protocol/server-messages.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

function dialect() {
  let next = 0;
  const clock = new ManualClock(Date.UTC(2025, 6, 22, 10, 30, 0));
  return new LumiDialect({
    deviceId: 'lumi_desktop_001',
    deviceInfo: { platform: 'linux', model: 'x86_64', os_version: '6.1.0' },
    clock,
    newId: () => `uuid-${++next}`,
  });
}

const serverHello = (id?: string): ServerHello => ({
  type: 'hello',
  transport: 'websocket',
  session_id: 'session-uuid',
  ...(id === undefined ? {} : { id }),
});

describe('LumiDialect', () => {
  it('gives the hello an id, the device identity and a timestamp', () => {
    const lumi = dialect();
    expect(lumi.decorateHello(buildHello())).toEqual({
      id: 'uuid-1',
      ...buildHello(),
      device_id: 'lumi_desktop_001',
      device_info: { platform: 'linux', model: 'x86_64', os_version: '6.1.0' },
      timestamp: '2025-07-22T10:30:00.000Z',
    });
  });

  it('accepts the server hello that echoes our id, or none, and no other', () => {
    const lumi = dialect();
    lumi.decorateHello(buildHello());
    expect(lumi.acceptHello(serverHello('uuid-1'))).toBe(true);
    expect(lumi.acceptHello(serverHello())).toBe(true);
    expect(lumi.acceptHello(serverHello('someone-else'))).toBe(false);
    expect(lumi.acceptHello({ ...serverHello('uuid-1'), transport: 'udp' })).toBe(false);
    lumi.decorateHello(buildHello()); // a reconnect: a new hello, a new id
    expect(lumi.acceptHello(serverHello('uuid-1'))).toBe(false);
    expect(lumi.acceptHello(serverHello('uuid-2'))).toBe(true);
  });

  it('wraps every other message with a fresh id and a timestamp', () => {
    const lumi = dialect();
    const encoded = JSON.parse(encodeClientMessage(listenStart('auto'), 'session-uuid')) as Record<
      string,
      unknown
    >;
    expect(lumi.decorateMessage(encoded)).toEqual({
      id: 'uuid-1',
      session_id: 'session-uuid',
      type: 'listen',
      state: 'start',
      mode: 'auto',
      device_id: 'lumi_desktop_001',
      timestamp: '2025-07-22T10:30:00.000Z',
    });
    expect(lumi.decorateMessage({ type: 'ping' })['id']).toBe('uuid-2');
  });

  it('sends typed text as chat and matches the response by id', () => {
    const lumi = dialect();
    const chat = lumi.chat('你好', 'outbox-7');
    // The id survives the protocol encoder and the decoration.
    const wire = lumi.decorateMessage(
      JSON.parse(encodeClientMessage(chat, 'session-uuid')) as Record<string, unknown>,
    );
    expect(wire).toMatchObject({
      id: 'outbox-7',
      type: 'chat',
      content: '你好',
      device_id: 'lumi_desktop_001',
    });
    expect(lumi.matchResponse({ type: 'response', id: 'other', content: 'x' })).toBeNull();
    expect(lumi.matchResponse({ type: 'response', id: 'outbox-7', content: '你好呀' })).toEqual({
      chatId: 'outbox-7',
      content: '你好呀',
    });
    expect(lumi.matchResponse({ type: 'response', id: 'outbox-7', content: 'again' })).toBeNull();
  });

  it('gives a chat its own id when none is passed, and forgets the oldest beyond the limit', () => {
    const lumi = dialect();
    const first = lumi.chat('one');
    expect(first).toEqual({ type: 'chat', id: 'uuid-1', content: 'one' });
    for (let i = 0; i < MAX_PENDING_CHATS; i++) lumi.chat(`more ${i}`);
    expect(lumi.matchResponse({ type: 'response', id: 'uuid-1', content: 'late' })).toBeNull();
    expect(lumi.matchResponse({ type: 'response', id: 'uuid-2', content: 'ok' })).not.toBeNull();
  });

  it('describes this machine', () => {
    const info = nodeDeviceInfo();
    expect(info.platform).toBe(process.platform);
    expect(info.os_version).not.toBe('');
    expect(info.model).not.toBe('');
  });
});
