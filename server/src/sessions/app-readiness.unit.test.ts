import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHECK_INTERVAL_MS,
  FirstPictureWatch,
  samplePicture,
  SAMPLE_ROWS,
  showsContent,
  STABLE_MS,
} from './app-readiness.ts';

const BLACK = 0x00000000;
const WHITE = 0x00ffffff;

function picture(width: number, height: number, draw: (x: number, y: number) => number): Buffer {
  const buf = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) buf.writeUInt32LE(draw(x, y), (y * width + x) * 4);
  return buf;
}

describe('showsContent', () => {
  it('sees nothing in one flat colour, whatever the unused byte holds', () => {
    expect(showsContent(new Uint32Array(1000).fill(WHITE))).toBe(false);
    const noisyPad = new Uint32Array(1000).map((_, i) => (i % 256) << 24);
    expect(showsContent(noisyPad)).toBe(false);
    expect(showsContent(new Uint32Array(0))).toBe(false);
  });

  it('ignores a pointer’s few pixels and sees a small window', () => {
    const pointer = new Uint32Array(7680).fill(BLACK);
    pointer.fill(WHITE, 100, 104);
    expect(showsContent(pointer)).toBe(false);
    const window = new Uint32Array(7680).fill(BLACK);
    window.fill(WHITE, 0, 200); // ~2.6 %: a 164x164 xclock on 1280x720
    expect(showsContent(window)).toBe(true);
  });
});

describe('samplePicture', () => {
  it('reads sampled rows of the top-left region from an XWD-like file, tolerating a short file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readiness-'));
    const file = path.join(dir, 'fb');
    const width = 64;
    const height = 48;
    const offset = 100;
    // A white block at the right of the region of interest (x 16..31), black elsewhere.
    const pixels = picture(width, height, (x) => (x >= 16 && x < 32 ? WHITE : BLACK));
    fs.writeFileSync(file, Buffer.concat([Buffer.alloc(offset), pixels]));
    const layout = { width, height, offset, bytesPerLine: width * 4 };
    const left = samplePicture(file, layout, { width: 16, height: 48 });
    expect(left.length).toBe(SAMPLE_ROWS * 4);
    expect(showsContent(left)).toBe(false);
    expect(showsContent(samplePicture(file, layout, { width: 32, height: 48 }))).toBe(true);
    fs.truncateSync(file, offset + width * 4 * 10);
    expect(samplePicture(file, layout, { width: 32, height: 48 }).length).toBeLessThan(SAMPLE_ROWS * 8);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('FirstPictureWatch', () => {
  afterEach(() => vi.useRealTimers());

  it('looks at most once per interval, never misses the last change, and reports once content stays', () => {
    vi.useFakeTimers();
    let drawn = false;
    let looks = 0;
    const ready = vi.fn();
    const watch = new FirstPictureWatch(() => {
      looks++;
      return drawn;
    }, ready);
    watch.changed();
    expect(looks).toBe(1);
    for (let i = 0; i < 10; i++) watch.changed();
    expect(looks).toBe(1);
    drawn = true;
    vi.advanceTimersByTime(CHECK_INTERVAL_MS);
    expect(looks).toBe(2);
    expect(ready).not.toHaveBeenCalled();
    // Still there once it had time to prove stable, with no further change: ready.
    vi.advanceTimersByTime(STABLE_MS);
    expect(ready).toHaveBeenCalledTimes(1);
    watch.changed();
    watch.ready();
    expect(ready).toHaveBeenCalledTimes(1);
  });

  it('does not take a flash of content for the app (a window resized black and white, then blank)', () => {
    vi.useFakeTimers();
    let drawn = true;
    const ready = vi.fn();
    const watch = new FirstPictureWatch(() => drawn, ready);
    watch.changed();
    drawn = false;
    vi.advanceTimersByTime(CHECK_INTERVAL_MS);
    watch.changed();
    vi.advanceTimersByTime(STABLE_MS * 2);
    expect(ready).not.toHaveBeenCalled();
  });

  it('is made ready by the app’s own word, and survives a look that throws', () => {
    const ready = vi.fn();
    const watch = new FirstPictureWatch(() => {
      throw new Error('gone');
    }, ready);
    watch.changed();
    expect(ready).not.toHaveBeenCalled();
    watch.ready();
    expect(ready).toHaveBeenCalledTimes(1);
    expect(watch.isReady).toBe(true);
  });
});
