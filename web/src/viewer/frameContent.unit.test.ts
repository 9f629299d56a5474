import { describe, expect, it } from 'vitest';
import { framePixelsShowContent, SAMPLE_HEIGHT, SAMPLE_WIDTH } from './frameContent.ts';

const N = SAMPLE_WIDTH * SAMPLE_HEIGHT;

function frame(pixel: (i: number) => [number, number, number]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(N * 4);
  for (let i = 0; i < N; i++) out.set([...pixel(i), 255], i * 4);
  return out;
}

/** A small deterministic wobble, like a codec's on a flat area. */
const noise = (i: number) => ((i * 7919) % 5) - 2;

describe('framePixelsShowContent', () => {
  it('calls a flat frame blank, coding noise included', () => {
    expect(framePixelsShowContent(frame((i) => [253 + noise(i), 253 - noise(i), 252]))).toBe(false);
    expect(framePixelsShowContent(frame(() => [0, 0, 0]))).toBe(false);
    expect(framePixelsShowContent(new Uint8ClampedArray(0))).toBe(false);
  });

  it('calls a page with a little on it content, a speck not', () => {
    // Text lines: every 6th row has dark runs over a third of its width.
    const page = frame((i) =>
      Math.floor(i / SAMPLE_WIDTH) % 6 === 3 && i % SAMPLE_WIDTH < 22 ? [40, 40, 40] : [255, 255, 255],
    );
    expect(framePixelsShowContent(page)).toBe(true);
    const speck = frame((i) => (i < 3 ? [0, 0, 0] : [255, 255, 255]));
    expect(framePixelsShowContent(speck)).toBe(false);
  });
});
