import { describe, expect, it } from 'vitest';
import { parseClientSignal } from './signaling.ts';
import { devicePixels, fitVideoSize, roundVideoSize } from './video-size.ts';

const MAX = { width: 2560, height: 1440 };

describe('fitVideoSize', () => {
  it('keeps a size that fits, rounded down to a width of 8s and an even height', () => {
    expect(fitVideoSize({ width: 1920, height: 1080 }, MAX)).toEqual({ width: 1920, height: 1080 });
    expect(fitVideoSize({ width: 1439, height: 851 }, MAX)).toEqual({ width: 1432, height: 850 });
  });

  it('scales a larger size down uniformly to the maximum, keeping the viewer’s aspect', () => {
    expect(fitVideoSize({ width: 3840, height: 2160 }, MAX)).toEqual({ width: 2560, height: 1440 });
    // A very wide window: width is the limit, the height follows it.
    expect(fitVideoSize({ width: 5120, height: 1000 }, MAX)).toEqual({ width: 2560, height: 500 });
  });

  it('raises a tiny size to the minimum on each side', () => {
    expect(fitVideoSize({ width: 1, height: 1 }, MAX)).toEqual({ width: 320, height: 240 });
    expect(fitVideoSize({ width: 100, height: 900 }, MAX)).toEqual({ width: 320, height: 900 });
  });

  it('never exceeds a maximum that is itself not rounded', () => {
    expect(fitVideoSize({ width: 4000, height: 4000 }, { width: 1283, height: 721 })).toEqual({
      width: 720,
      height: 720,
    });
  });

  it('refuses what is not a size', () => {
    for (const bad of [NaN, 0, -5, Infinity]) {
      expect(() => fitVideoSize({ width: bad, height: 100 }, MAX)).toThrow(RangeError);
    }
  });
});

describe('devicePixels and roundVideoSize', () => {
  it('rounds device pixels down, tolerating float error', () => {
    expect(devicePixels({ width: 1920, height: 1031.5 }, 1)).toEqual({ width: 1920, height: 1031 });
    expect(devicePixels({ width: 853.3333333, height: 480 }, 1.5)).toEqual({ width: 1280, height: 720 });
    expect(devicePixels({ width: 100, height: 100 }, NaN)).toEqual({ width: 100, height: 100 });
  });

  it('rounds to the encoder’s alignment', () => {
    expect(roundVideoSize({ width: 1927, height: 1033 })).toEqual({ width: 1920, height: 1032 });
  });
});

describe('the viewport signal', () => {
  const parse = (v: unknown) => parseClientSignal(JSON.stringify(v));
  it('accepts whole positive sizes', () => {
    expect(parse({ type: 'viewport', width: 1920, height: 1032 })).toEqual({
      ok: true,
      message: { type: 'viewport', width: 1920, height: 1032 },
    });
  });

  it('refuses hostile sizes and extra fields', () => {
    for (const bad of [
      { type: 'viewport', width: 0, height: 100 },
      { type: 'viewport', width: -1920, height: 1080 },
      { type: 'viewport', width: 1920.5, height: 1080 },
      { type: 'viewport', width: 1e9, height: 1080 },
      { type: 'viewport', width: '1920', height: 1080 },
      { type: 'viewport', width: 1920 },
      { type: 'viewport', width: 1920, height: 1080, dpr: 2 },
    ]) {
      expect(parse(bad).ok).toBe(false);
    }
  });
});
