import { describe, expect, it } from 'vitest';
import { GrabTimes } from './grab-times.ts';

describe('grab times', () => {
  it('finds each frame by the number in its timestamp, whatever FFmpeg started from', () => {
    const g = new GrabTimes(30);
    const first = 2 ** 32 - 3000; // wraps on the second frame
    for (const at of [10, 45, 80]) g.grabbed(at);
    expect(g.of(first)).toBe(10);
    expect(g.of((first + 3000) >>> 0)).toBe(45);
    expect(g.of((first + 6000) >>> 0)).toBe(80);
    expect(g.of((first + 9000) >>> 0)).toBeUndefined(); // never handed over
  });

  it('a frame the encoder dropped does not shift the later ones', () => {
    const g = new GrabTimes(24); // 3750 per frame
    for (const at of [0, 40, 80, 120]) g.grabbed(at);
    expect(g.of(500)).toBe(0);
    expect(g.of(500 + 2 * 3750)).toBe(80); // frame 1 never came out
    expect(g.of(500 + 3750)).toBeUndefined(); // and is forgotten
    expect(g.of(500 + 3 * 3750)).toBe(120);
  });

  it('remembers a bounded number of frames an encoder never answered for', () => {
    const g = new GrabTimes(30);
    for (let i = 0; i < 1000; i++) g.grabbed(i);
    expect(g.of(0)).toBeUndefined(); // frame 0 was let go
    expect(g.of(400 * 3000)).toBe(400); // the oldest kept
    expect(g.of(999 * 3000)).toBe(999);
  });
});
