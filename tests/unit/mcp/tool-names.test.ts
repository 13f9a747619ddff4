import { describe, expect, it } from 'vitest';
import { desktopTools } from '../../../main/core/mcp/desktop-tools.ts';
import { assertToolNames, sameTool, serverToolName } from '../../../main/core/mcp/tool-names.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { MemoryDesktop } from './harness.ts';

describe('tool names', () => {
  it('renames like xiaozhi-esp32-server', () => {
    expect(serverToolName('self.audio_speaker.set_volume')).toBe('self_audio_speaker_set_volume');
    expect(serverToolName('self.a-b.c d/e')).toBe('self_a-b_c_d_e');
    expect(serverToolName('self.音量.设置')).toBe('self_音量_设置');
  });

  it('refuses names that collide after the renaming', () => {
    expect(() =>
      assertToolNames(['self.audio_speaker.set_volume', 'self.audio.speaker_set_volume']),
    ).toThrow(/both become "self_audio_speaker_set_volume"/);
    expect(() => assertToolNames(['self.a', 'self_a'])).toThrow(/both become/);
  });

  it('refuses characters the servers do not keep', () => {
    expect(() => assertToolNames(['self.screen shot'])).toThrow(/characters/);
    expect(() => assertToolNames(['.self'])).toThrow(/characters/);
    expect(() => assertToolNames(['self.' + 'x'.repeat(200)])).toThrow(/characters/);
  });

  it('accepts every desktop tool name', () => {
    const names = desktopTools(new MemoryDesktop(), new ManualClock(), () => null).map(
      (tool) => tool.name,
    );
    expect(() => assertToolNames(names)).not.toThrow();
    expect(new Set(names.map(serverToolName)).size).toBe(names.length);
  });

  it('matches a name in either spelling', () => {
    expect(sameTool('self.notify', 'self_notify')).toBe(true);
    expect(sameTool('self.notify', 'self.time.now')).toBe(false);
  });
});
