/**
 * The release bench needs a real microphone: without one (naudiodon fails to load, as on a
 * machine without PortAudio) it must say so at once instead of waiting for audio that never
 * comes.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('naudiodon', () => {
  throw new Error('libportaudio.so.2: cannot open shared object file');
});

describe('latency.release_to_stop without audio', () => {
  it('reports an error naming the cause instead of a figure, without waiting', async () => {
    const { default: run } = await import('../../../bench/release.bench.ts');
    const started = Date.now();
    const outcomes = await run();
    expect(outcomes).toEqual([
      {
        name: 'latency.release_to_stop',
        // vitest words the failed import its own way; the bench names what is missing.
        error: expect.stringMatching(
          /^no microphone to measure with: Audio is unavailable: /,
        ) as string,
      },
    ]);
    expect(outcomes[0]).not.toHaveProperty('value');
    // No turn was attempted: a turn alone takes over a second.
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
