import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactText } from '../../../main/core/log/redact.ts';

const HMAC_TOKEN = 'Zk3nP0q9wXv8s7T6u5R4e3W2q1A0b9C8d7E6f5G4h3I.1745249872';
const DEVICE_KEY = 'a3f1c9e27b604d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a';

describe('redactText', () => {
  it('masks bearer tokens and Authorization headers in free text', () => {
    expect(redactText('Authorization: Bearer secret-token-123')).not.toContain('secret-token-123');
    expect(redactText('sent header Bearer abc.def')).toBe(`sent header Bearer ${REDACTED}`);
    expect(redactText('authorization=Bearer%20abc123')).not.toContain('abc123');
  });

  it('masks xiaozhi HMAC tokens and 64-hex keys wherever they appear', () => {
    const text = `token ${HMAC_TOKEN} for key ${DEVICE_KEY}`;
    const out = redactText(text);
    expect(out).not.toContain(HMAC_TOKEN.slice(0, 20));
    expect(out).not.toContain(DEVICE_KEY);
  });

  it('masks secret values inside a raw JSON body and in query strings', () => {
    const body = '{"websocket":{"url":"ws://h/xiaozhi/v1/","token":"tok-\\"quoted\\"-1"},"x":1}';
    const out = redactText(body);
    expect(out).not.toContain('tok-');
    expect(out).toContain('"url":"ws://h/xiaozhi/v1/"');
    expect(redactText('wss://h/v1/?device-id=aa&token=s3cr3t&x=1')).not.toContain('s3cr3t');
  });

  it('masks the MQTT credentials of an OTA answer and the UDP key of a server hello', () => {
    const ota =
      '{"mqtt":{"endpoint":"h:8883","client_id":"GID_x","username":"eyJpcCI6InVua25vd24ifQ==","password":"pw-77"}}';
    const out = redactText(ota);
    expect(out).not.toContain('eyJpcCI6');
    expect(out).not.toContain('pw-77');
    expect(out).toContain('"client_id":"GID_x"');
    const hello =
      '{"type":"hello","udp":{"server":"1.2.3.4","key":"00112233445566778899aabbccddeeff"}}';
    expect(redactText(hello)).not.toContain('00112233');
    expect(redact({ username: 'dev', password: 'pw' })).toEqual({
      username: REDACTED,
      password: REDACTED,
    });
  });

  const JWT =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZXZpY2UiLCJleHAiOjE3NDUyNDk4NzJ9.' +
    'c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1pcy1oZXJl';
  it.each([
    ['a key= query parameter', 'https://h/api?key=AIzaSyA-k3y_Value&x=1', 'AIzaSyA-k3y_Value'],
    ['an api_key= parameter', 'GET /v1/tts?api_key=sk-live-9f8e7d6c5b4a', 'sk-live-9f8e7d6c5b4a'],
    ['an apikey= parameter', 'apikey=abcdef0123456789', 'abcdef0123456789'],
    ['an X-Api-Key header', 'X-Api-Key: ak_12345678', 'ak_12345678'],
    ['a bare JWT', `the server handed out ${JWT} for this device`, JWT.split('.')[1] ?? ''],
    ['a JWT without signature', `token ${JWT.split('.').slice(0, 2).join('.')}.`, 'eyJzdWIi'],
  ])('masks %s', (_name, text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('leaves a key: in plain text and a hotkey name alone', () => {
    const text = 'sort key: name; hotkey F9 pressed';
    expect(redactText(text)).toBe(text);
  });

  it('masks the vision token of MCP initialize, a JWT, in a logged payload and in free text', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJkYXRhIjoiZ0FBQUFBQm4xMjM0In0.c2lnbmF0dXJlLXBhcnQtMTIzNDU2';
    const initialize = JSON.stringify({
      method: 'initialize',
      params: { capabilities: { vision: { url: 'http://h:8003/mcp/vision/explain', token: jwt } } },
    });
    expect(redactText(initialize)).not.toContain('c2lnbmF0dXJl');
    expect(redactText(`vision endpoint with ${jwt} named`)).toBe(
      `vision endpoint with ${REDACTED} named`,
    );
    expect(JSON.stringify(redact({ vision: { url: 'http://h/', token: jwt } }))).not.toContain(
      'eyJ',
    );
  });

  it('leaves ordinary text alone', () => {
    const text = 'Connected to ws://192.168.1.5:8000/xiaozhi/v1/ in 120 ms (hasToken: true)';
    expect(redactText(text)).toBe(text);
  });
});

describe('redact', () => {
  it('masks secret-named keys at any depth, in arrays and Maps', () => {
    const value = {
      profile: { name: 'home', auth: { token: 'abc', deviceKey: 'k1', hmac_key: 'k2' } },
      list: [{ password: 'p' }, { Secret: 's' }],
      headers: new Map([['Authorization', 'Bearer zzz']]),
      hasToken: true,
    };
    const out = JSON.stringify(redact(value));
    for (const secret of ['"abc"', '"k1"', '"k2"', '"p"', '"s"', 'zzz']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('"name":"home"');
    expect(out).toContain('"hasToken":true');
  });

  it('redacts error messages, stacks and causes', () => {
    const cause = new Error(`upgrade failed with Authorization: Bearer ${HMAC_TOKEN}`);
    const error = new Error(`OTA said ${DEVICE_KEY}`, { cause });
    const out = JSON.stringify(redact({ error }));
    expect(out).not.toContain(DEVICE_KEY);
    expect(out).not.toContain(HMAC_TOKEN.slice(0, 20));
    expect(out).toContain('OTA said');
  });

  it('cuts cycles instead of throwing', () => {
    const node: { name: string; self?: unknown } = { name: 'n' };
    node.self = node;
    expect(redact(node)).toEqual({ name: 'n', self: '[circular]' });
  });
});
