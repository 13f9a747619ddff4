import { describe, expect, it } from 'vitest';
import { parseServerText } from '../../../main/core/protocol/parse.ts';

describe('parseServerText', () => {
  it('parses a server hello', () => {
    const frame = parseServerText(
      '{"type":"hello","version":1,"transport":"websocket","audio_params":{"format":"opus","sample_rate":24000,"channels":1,"frame_duration":60},"session_id":"f307991a"}',
    );
    expect(frame.kind).toBe('message');
    if (frame.kind === 'message' && frame.message.type === 'hello') {
      expect(frame.message.session_id).toBe('f307991a');
      expect(frame.message.audio_params?.sample_rate).toBe(24000);
    }
  });

  it('turns the auth-failure text into a text frame', () => {
    expect(parseServerText('认证失败')).toEqual({ kind: 'text', text: '认证失败' });
  });
});
