import { describe, expect, it } from 'vitest';
import {
  abortSpeaking,
  appPing,
  buildHello,
  encodeClientMessage,
  listenDetect,
  listenStart,
  listenStop,
  mcpReply,
  type ClientMessage,
} from '../../../main/core/protocol/client-messages.ts';

describe('client messages', () => {
  it('builds the hello of docs/protocol.md §2.1 without glyphs', () => {
    expect(buildHello()).toEqual({
      type: 'hello',
      version: 1,
      features: { mcp: true, glyph_push: false },
      transport: 'websocket',
      audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
    });
    expect(buildHello({ frameDuration: 20, protocolVersion: 3, mcp: false })).toMatchObject({
      version: 3,
      features: { mcp: false },
      audio_params: { frame_duration: 20 },
    });
  });

  it('puts the session id first, as the firmware does', () => {
    const wire = encodeClientMessage(listenStart('manual'), 'abc');
    expect(wire).toBe('{"session_id":"abc","type":"listen","state":"start","mode":"manual"}');
    expect(encodeClientMessage(appPing(), 'abc')).toBe('{"type":"ping"}');
    expect(encodeClientMessage(listenStop(), null)).toBe('{"type":"listen","state":"stop"}');
  });

  it('encodes every message kind the client sends', () => {
    const messages: ClientMessage[] = [
      listenStart('auto'),
      listenStart('realtime'),
      listenStop(),
      listenDetect('你好'),
      abortSpeaking(),
      abortSpeaking('wake_word_detected'),
      mcpReply({ jsonrpc: '2.0', id: 1, result: {} }),
      appPing(),
      { type: 'goodbye' },
      { type: 'subscribe', channels: ['a', 'b'] },
      { type: 'chat', content: 'hi' },
    ];
    for (const message of messages) {
      expect(JSON.parse(encodeClientMessage(message, 's'))).toMatchObject(message);
    }
  });

  it('refuses malformed outgoing messages (xiaozhi-esp32-server drops the connection on them)', () => {
    expect(() => encodeClientMessage(listenDetect(''), null)).toThrow();
    expect(() =>
      encodeClientMessage({ type: 'listen', state: 'start' } as unknown as ClientMessage, null),
    ).toThrow();
    expect(() =>
      encodeClientMessage({ type: 'subscribe', channels: [] } as unknown as ClientMessage, null),
    ).toThrow();
  });
});
