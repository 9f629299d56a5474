import { describe, expect, it } from 'vitest';
import { lumaOfBgr0, lumaOfRgba, medianNotReached, psnr, psnrAt, timeToReach } from './sharpness.ts';

describe('sharpness helpers', () => {
  it('computes PSNR from the mean squared error, capped for identical planes', () => {
    expect(psnr([10, 20, 30, 40], [10, 20, 30, 40])).toBe(99);
    // One of four values off by 255: MSE = 255² / 4 → 10·log10(4) ≈ 6.02 dB.
    expect(psnr([0, 0, 0, 0], [255, 0, 0, 0])).toBeCloseTo(6.0206, 3);
    // Every value off by 1: MSE = 1 → 20·log10(255) ≈ 48.13 dB.
    expect(psnr(new Uint8Array(100).fill(7), new Uint8Array(100).fill(8))).toBeCloseTo(48.1308, 3);
    expect(() => psnr([1, 2], [1])).toThrow();
  });

  it('takes the same luma from bgr0 and RGBA pixels', () => {
    const bgr0 = Buffer.from([30, 20, 10, 0, 255, 255, 255, 0]);
    const rgba = [10, 20, 30, 255, 255, 255, 255, 255];
    expect(Array.from(lumaOfBgr0(bgr0, 8, 2, 1))).toEqual(Array.from(lumaOfRgba(rgba)));
    expect(Array.from(lumaOfRgba(rgba))).toEqual([18, 255]);
  });

  it('reads the picture at a time and the time to a level', () => {
    const s = [0, 100, 200, 300].map((t, i) => ({ t, psnr: 30 + 5 * i, width: 2, height: 2 }));
    expect(psnrAt(s, 250)).toBe(40);
    expect(psnrAt(s, 180)).toBe(40);
    expect(psnrAt(s, 160)).toBe(35);
    expect(timeToReach(s, 40)).toBe(200);
    expect(timeToReach(s, 50)).toBeNull();
    expect(medianNotReached([100, null, 300])).toBe(300);
    expect(medianNotReached([null, null, 300])).toBeNull();
  });
});
