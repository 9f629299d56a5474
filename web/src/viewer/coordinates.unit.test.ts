import { describe, expect, it } from 'vitest';
import { containBox, mapToDisplay } from './coordinates.ts';

const display = { width: 1280, height: 720 }; // 16:9

describe('containBox', () => {
  it('pillarboxes a 16:9 picture in a wider element', () => {
    const box = containBox({ width: 2000, height: 720 }, display);
    expect(box).toEqual({ left: 360, top: 0, width: 1280, height: 720, scale: 1 });
  });

  it('letterboxes a 16:9 picture in a taller element', () => {
    const box = containBox({ width: 640, height: 1000 }, display);
    expect(box).toEqual({ left: 0, top: 320, width: 640, height: 360, scale: 0.5 });
  });

  it('returns null while the video has no intrinsic size', () => {
    expect(containBox({ width: 640, height: 480 }, { width: 0, height: 0 })).toBeNull();
    expect(containBox({ width: 0, height: 480 }, display)).toBeNull();
  });
});

describe('mapToDisplay', () => {
  it('maps 1:1 when the element matches the display', () => {
    expect(mapToDisplay({ x: 0, y: 0 }, display, display)).toEqual({ x: 0, y: 0 });
    expect(mapToDisplay({ x: 640.7, y: 360.2 }, display, display)).toEqual({ x: 640, y: 360 });
  });

  it('accounts for pillarbox bars in a wide element', () => {
    // Element 1920x540: scale 0.75, picture 960x540, bars of 480 px left and right.
    const el = { width: 1920, height: 540 };
    expect(mapToDisplay({ x: 480, y: 0 }, el, display)).toEqual({ x: 0, y: 0 });
    expect(mapToDisplay({ x: 960, y: 270 }, el, display)).toEqual({ x: 640, y: 360 });
    expect(mapToDisplay({ x: 1439.9, y: 539.9 }, el, display)).toEqual({ x: 1279, y: 719 });
  });

  it('accounts for letterbox bars in a tall element', () => {
    // Element 640x1000: scale 0.5, picture 640x360 starting at y=320.
    const el = { width: 640, height: 1000 };
    expect(mapToDisplay({ x: 0, y: 320 }, el, display)).toEqual({ x: 0, y: 0 });
    expect(mapToDisplay({ x: 320, y: 500 }, el, display)).toEqual({ x: 640, y: 360 });
    expect(mapToDisplay({ x: 639, y: 679 }, el, display)).toEqual({ x: 1278, y: 718 });
  });

  it('returns null for points on the bars', () => {
    const wide = { width: 1920, height: 540 };
    expect(mapToDisplay({ x: 100, y: 270 }, wide, display)).toBeNull(); // left bar
    expect(mapToDisplay({ x: 1800, y: 270 }, wide, display)).toBeNull(); // right bar
    const tall = { width: 640, height: 1000 };
    expect(mapToDisplay({ x: 320, y: 100 }, tall, display)).toBeNull(); // top bar
    expect(mapToDisplay({ x: 320, y: 900 }, tall, display)).toBeNull(); // bottom bar
  });

  it('clamps points on the exact edge to size - 1', () => {
    const el = { width: 1920, height: 540 };
    expect(mapToDisplay({ x: 1440, y: 540 }, el, display)).toEqual({ x: 1279, y: 719 });
    expect(mapToDisplay({ x: 1280, y: 720 }, display, display)).toEqual({ x: 1279, y: 719 });
    // Sub-pixel layout rounding just outside the picture still counts as the edge.
    expect(mapToDisplay({ x: 479.8, y: -0.2 }, el, display)).toEqual({ x: 0, y: 0 });
  });

  it('clamps points outside the picture when asked (drag with a button held)', () => {
    const el = { width: 1920, height: 540 };
    expect(mapToDisplay({ x: 100, y: 270 }, el, display, { clampOutside: true })).toEqual({ x: 0, y: 360 });
    expect(mapToDisplay({ x: 5000, y: -50 }, el, display, { clampOutside: true })).toEqual({ x: 1279, y: 0 });
  });

  it('scales up when the element is larger than the display', () => {
    const small = { width: 320, height: 200 };
    const el = { width: 1600, height: 1000 }; // scale 5, no bars
    expect(mapToDisplay({ x: 4.9, y: 4.9 }, el, small)).toEqual({ x: 0, y: 0 });
    expect(mapToDisplay({ x: 5, y: 10 }, el, small)).toEqual({ x: 1, y: 2 });
    expect(mapToDisplay({ x: 1599, y: 999 }, el, small)).toEqual({ x: 319, y: 199 });
  });

  it('returns null without an intrinsic size or with non-finite input', () => {
    expect(mapToDisplay({ x: 1, y: 1 }, display, { width: 0, height: 0 })).toBeNull();
    expect(mapToDisplay({ x: Number.NaN, y: 1 }, display, display)).toBeNull();
  });
});
