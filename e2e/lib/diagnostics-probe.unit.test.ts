import { describe, expect, it } from 'vitest';
import { DIAGNOSTICS_LAYOUT, decodeDiagnosticsFrame } from './diagnostics-probe.ts';
import { mulberry32 } from '../../protocol/test/prng.ts';

type Rgb = readonly [number, number, number];

const BACKGROUND: Rgb = [40, 40, 40];
const BORDER: Rgb = [128, 128, 128];

/** Draws a frame the way apps/diagnostics does (only the parts the probe reads). */
function makeFrame(
  width: number,
  height: number,
  opts: { timestampMs: number; toggles: number; toggleColor?: Rgb; corruptCheck?: boolean },
): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  const fill = (x0: number, y0: number, w: number, h: number, c: Rgb): void => {
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) {
        const i = (y * width + x) * 4;
        rgba[i] = c[0];
        rgba[i + 1] = c[1];
        rgba[i + 2] = c[2];
        rgba[i + 3] = 255;
      }
    }
  };
  fill(0, 0, width, height, BACKGROUND);

  const bytes: number[] = [];
  let ts = opts.timestampMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ts % 256;
    ts = Math.floor(ts / 256);
  }
  bytes[6] = opts.toggles & 0xff;
  let check = DIAGNOSTICS_LAYOUT.checkXor;
  for (let i = 0; i < 7; i++) check ^= bytes[i] ?? 0;
  bytes[7] = opts.corruptCheck ? check ^ 0x10 : check;

  const g = DIAGNOSTICS_LAYOUT.grid;
  fill(g.x - g.border, g.y - g.border, g.cols * g.block + 2 * g.border, g.rows * g.block + 2 * g.border, BORDER);
  for (let i = 0; i < 64; i++) {
    const bit = ((bytes[Math.floor(i / 8)] ?? 0) >> (7 - (i % 8))) & 1;
    fill(
      g.x + (i % g.cols) * g.block,
      g.y + Math.floor(i / g.cols) * g.block,
      g.block,
      g.block,
      bit ? [255, 255, 255] : [0, 0, 0],
    );
  }

  const t = DIAGNOSTICS_LAYOUT.toggle;
  const color =
    opts.toggleColor ?? (opts.toggles & 1 ? DIAGNOSTICS_LAYOUT.toggleColorB : DIAGNOSTICS_LAYOUT.toggleColorA);
  fill(t.x0, t.y0, t.x1 - t.x0, t.y1 - t.y0, color);
  return rgba;
}

function addNoise(rgba: Uint8ClampedArray, amplitude: number, seed: number): void {
  const rand = mulberry32(seed);
  for (let i = 0; i < rgba.length; i++) {
    if (i % 4 === 3) continue;
    rgba[i] = (rgba[i] ?? 0) + Math.round((rand() * 2 - 1) * amplitude); // clamped by the array
  }
}

const W = 1280;
const H = 720;
const TS = 1_763_820_000_123; // a 2025 timestamp (41 bits)

describe('decodeDiagnosticsFrame', () => {
  it('decodes a clean frame', () => {
    const frame = makeFrame(W, H, { timestampMs: TS, toggles: 0 });
    expect(decodeDiagnosticsFrame(frame, W, H)).toEqual({ timestampMs: TS, toggles: 0, toggleColor: 'a' });
  });

  it('decodes the full 48-bit range and every toggle value', () => {
    for (const [timestampMs, toggles] of [
      [0, 1],
      [2 ** 48 - 1, 255],
      [2 ** 40 + 12345, 128],
      [TS, 77],
    ] as const) {
      const frame = makeFrame(W, H, { timestampMs, toggles });
      expect(decodeDiagnosticsFrame(frame, W, H)).toEqual({
        timestampMs,
        toggles,
        toggleColor: toggles & 1 ? 'b' : 'a',
      });
    }
  });

  it('works at 1920x1080 and on a plain Uint8Array', () => {
    const frame = makeFrame(1920, 1080, { timestampMs: TS, toggles: 3 });
    expect(decodeDiagnosticsFrame(new Uint8Array(frame.buffer), 1920, 1080)).toEqual({
      timestampMs: TS,
      toggles: 3,
      toggleColor: 'b',
    });
  });

  it('returns null when the check byte does not match', () => {
    const frame = makeFrame(W, H, { timestampMs: TS, toggles: 5, corruptCheck: true });
    expect(decodeDiagnosticsFrame(frame, W, H)).toBeNull();
  });

  it('returns null when a single data bit is flipped', () => {
    const frame = makeFrame(W, H, { timestampMs: TS, toggles: 5 });
    const g = DIAGNOSTICS_LAYOUT.grid;
    // Invert block 20 (a timestamp bit).
    const bx = g.x + 20 * g.block;
    for (let y = g.y; y < g.y + g.block; y++) {
      for (let x = bx; x < bx + g.block; x++) {
        const i = (y * W + x) * 4;
        for (let c = 0; c < 3; c++) frame[i + c] = 255 - (frame[i + c] ?? 0);
      }
    }
    expect(decodeDiagnosticsFrame(frame, W, H)).toBeNull();
  });

  it('returns null for blank, all-white and too-small frames', () => {
    expect(decodeDiagnosticsFrame(new Uint8ClampedArray(W * H * 4), W, H)).toBeNull();
    expect(decodeDiagnosticsFrame(new Uint8ClampedArray(W * H * 4).fill(255), W, H)).toBeNull();
    expect(decodeDiagnosticsFrame(new Uint8ClampedArray(320 * 240 * 4), 320, 240)).toBeNull();
    expect(decodeDiagnosticsFrame(new Uint8ClampedArray(16), W, H)).toBeNull();
  });

  it('tolerates +-40 random noise on every pixel', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const toggles = seed * 37;
      const frame = makeFrame(W, H, { timestampMs: TS + seed, toggles });
      addNoise(frame, 40, seed);
      expect(decodeDiagnosticsFrame(frame, W, H)).toEqual({
        timestampMs: TS + seed,
        toggles: toggles & 0xff,
        toggleColor: toggles & 1 ? 'b' : 'a',
      });
    }
  });

  it('classifies the toggle colour by nearest colour, null when neither is close', () => {
    const decodeColor = (c: Rgb): 'a' | 'b' | null | undefined =>
      decodeDiagnosticsFrame(makeFrame(W, H, { timestampMs: TS, toggles: 0, toggleColor: c }), W, H)?.toggleColor;
    expect(decodeColor([0, 200, 0])).toBe('a');
    expect(decodeColor([200, 0, 200])).toBe('b');
    expect(decodeColor([30, 170, 40])).toBe('a'); // shifted by compression
    expect(decodeColor([170, 30, 180])).toBe('b');
    expect(decodeColor([40, 40, 40])).toBeNull(); // background
    expect(decodeColor([255, 255, 255])).toBeNull();
    expect(decodeColor([0, 0, 255])).toBeNull();
  });

  it('is self-contained (survives toString() injection as a browser page would get it)', () => {
    const source = decodeDiagnosticsFrame.toString();
    // Evaluate in a scope where nothing from this module is visible.
    const injected = new Function(`"use strict"; return (${source});`)() as typeof decodeDiagnosticsFrame;
    const frame = makeFrame(W, H, { timestampMs: TS, toggles: 9 });
    addNoise(frame, 40, 42);
    expect(injected(frame, W, H)).toEqual({ timestampMs: TS, toggles: 9, toggleColor: 'b' });
    expect(injected(new Uint8ClampedArray(W * H * 4), W, H)).toBeNull();
  });
});
