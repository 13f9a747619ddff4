import { describe, expect, it } from 'vitest';
import {
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  parseServerText,
  RAW_TEXT_LIMIT,
} from '../../../main/core/protocol/parse.ts';

/** One real-shaped example of every server message (docs/protocol.md §2.2, §3.3, seeds). */
const EXAMPLES: Record<string, string> = {
  hello:
    '{"type":"hello","version":1,"transport":"websocket","audio_params":{"format":"opus","sample_rate":24000,"channels":1,"frame_duration":60},"session_id":"f307991a"}',
  stt: '{"type":"stt","text":"你好","session_id":"s"}',
  llm: '{"type":"llm","text":"😀","emotion":"happy","session_id":"s"}',
  'tts start': '{"type":"tts","state":"start","session_id":"s"}',
  'tts sentence_start':
    '{"type":"tts","state":"sentence_start","text":"第一句。","session_id":"s"}',
  'tts stop': '{"type":"tts","state":"stop","session_id":"s"}',
  'tts sentence_end': '{"type":"tts","state":"sentence_end","text":"x"}',
  mcp: '{"type":"mcp","payload":{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}}',
  system: '{"type":"system","command":"reboot","session_id":"s"}',
  alert:
    '{"type":"alert","emotion":"sad","status":"ERROR","message":"detect 仅用于唤醒词","session_id":"e74ad482"}',
  custom: '{"type":"custom","payload":{"a":1},"session_id":"s"}',
  goodbye: '{"type":"goodbye","session_id":null}',
  pong: '{"type":"pong","timestamp":"2026-11-21 10:00:00"}',
  error: '{"type":"error","message":"rejected"}',
  iot: '{"type":"iot","commands":[{"name":"Speaker","method":"SetVolume","parameters":{"volume":50}}]}',
  server: '{"type":"server","status":"success","message":"ok"}',
  'message.new': '{"type":"message.new","channel":"c1","message":{"id":"m1","content":"hi"}}',
  'task.progress': '{"type":"task.progress","task_id":"t1","progress":40,"title":"Export"}',
  'task.completed': '{"type":"task.completed","task_id":"t1","result":{"url":"x"}}',
  'task.failed': '{"type":"task.failed","task_id":"t1","error":"disk full"}',
  subscribed: '{"type":"subscribed","channels":["c1","t1"]}',
  unsubscribed: '{"type":"unsubscribed","channels":["c1"]}',
  response: '{"id":"abc","type":"response","content":"回答","session_id":"s"}',
};

describe('parseServerText: every message type', () => {
  it.each(Object.entries(EXAMPLES))('parses %s', (_name, raw) => {
    const frame = parseServerText(raw);
    expect(frame.kind).toBe('message');
    if (frame.kind === 'message') {
      expect(frame.message.type).toBe(JSON.parse(raw).type);
      expect(frame.raw).toBe(raw);
    }
  });

  it('keeps the server hello audio params as numbers', () => {
    const frame = parseServerText(EXAMPLES.hello!);
    expect(
      frame.kind === 'message' && frame.message.type === 'hello' && frame.message.audio_params,
    ).toMatchObject({ sample_rate: 24000, frame_duration: 60 });
  });

  it('keeps unknown tts states typed, so callers can ignore them', () => {
    const frame = parseServerText(EXAMPLES['tts sentence_end']!);
    expect(frame.kind === 'message' && frame.message.type === 'tts' && frame.message.state).toBe(
      'sentence_end',
    );
  });
});

describe('parseServerText: malformed input never throws', () => {
  it('turns plain text (the auth failure) into a text frame', () => {
    expect(parseServerText('认证失败')).toEqual({ kind: 'text', text: '认证失败' });
    expect(parseServerText('端口正常，如需测试连接，请启动digital-human测试').kind).toBe('text');
  });

  it('reports broken JSON as invalid with the raw text', () => {
    const frame = parseServerText('{"type":"stt",');
    expect(frame).toMatchObject({ kind: 'invalid', reason: 'json', raw: '{"type":"stt",' });
  });

  it('reports JSON without a type', () => {
    expect(parseServerText('{"text":"hi"}')).toMatchObject({ kind: 'invalid', reason: 'no_type' });
    expect(parseServerText('{"type":42}')).toMatchObject({ kind: 'invalid', reason: 'no_type' });
  });

  it('reports arrays and null as not objects, bare numbers as text (XS echoes them)', () => {
    expect(parseServerText('[1,2]')).toMatchObject({ kind: 'invalid', reason: 'not_object' });
    expect(parseServerText('null')).toMatchObject({ kind: 'invalid', reason: 'not_object' });
    expect(parseServerText('42')).toEqual({ kind: 'text', text: '42' });
  });

  it('keeps unknown types as unknown with their name', () => {
    expect(parseServerText('{"type":"vision","x":1}')).toEqual({
      kind: 'unknown',
      type: 'vision',
      raw: '{"type":"vision","x":1}',
    });
  });

  it('does not mistake inherited property names for message types', () => {
    expect(parseServerText('{"type":"constructor"}').kind).toBe('unknown');
    expect(parseServerText('{"type":"toString"}').kind).toBe('unknown');
  });

  it('reports schema mismatches with the path', () => {
    const frame = parseServerText('{"type":"stt"}');
    expect(frame).toMatchObject({ kind: 'invalid', reason: 'schema' });
    expect(frame.kind === 'invalid' && frame.detail).toContain('text');
    expect(parseServerText('{"type":"alert","status":"x"}').kind).toBe('invalid');
    expect(parseServerText('{"type":"tts","state":"sentence_start"}').kind).toBe('invalid');
    expect(parseServerText('{"type":"task.progress","task_id":"t","progress":140}').kind).toBe(
      'invalid',
    );
  });

  it('clips huge raw text kept for the log', () => {
    const huge = `{"type":"padding","data":"${'x'.repeat(10_000)}"}`;
    const frame = parseServerText(huge);
    expect(frame.kind).toBe('unknown');
    expect(frame.kind === 'unknown' && frame.raw.length).toBeLessThanOrEqual(RAW_TEXT_LIMIT + 1);
  });
});

describe('nesting depth', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('refuses a frame nested deeper than MAX_JSON_DEPTH before parsing it', () => {
    const raw = `{"type":"custom","payload":${nested(200_000)}}`;
    const frame = parseServerText(raw);
    expect(frame).toMatchObject({ kind: 'invalid', reason: 'too_deep' });
    expect(frame.kind === 'invalid' && frame.raw.length).toBeLessThanOrEqual(RAW_TEXT_LIMIT + 1);
  });

  it('takes a frame exactly at the limit, and brackets inside strings do not count', () => {
    const atLimit = `{"type":"custom","payload":${nested(MAX_JSON_DEPTH - 1)}}`;
    expect(parseServerText(atLimit).kind).toBe('message');
    const quoted = `{"type":"stt","text":"${'['.repeat(1_000)}\\"{{"}`;
    expect(parseServerText(quoted).kind).toBe('message');
    expect(nestsDeeperThan('[[[]]]', 2)).toBe(true);
    expect(nestsDeeperThan('[[[]]]', 3)).toBe(false);
  });
});
