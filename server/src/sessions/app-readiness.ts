import fs from 'node:fs';
import { MIN_CONTENT_SHARE, showsMoreThanOneColour } from '@vitrine/protocol';
import type { FramebufferLayout } from '../media/framebuffer.ts';

/**
 * When a session's app has drawn its first real picture. Until then the display shows nothing
 * but its empty background (one colour, maybe the pointer): a viewer would see a blank stream for
 * the seconds an app like Chromium takes to start, so the viewer says "Opening…" instead.
 *
 * "Drawn" is read from the pixels, for any app: a few rows of the picture are sampled after each
 * change of the screen (X damage) and the picture counts as drawn once more than a sliver of it
 * differs from its most common colour. A window that maps as one flat colour (Chromium's before
 * its page paints) is not enough; a small window on the background (xclock) is.
 */

/** Rows sampled over the picture's height, and every how many pixels along each row. */
export const SAMPLE_ROWS = 24;
export const SAMPLE_STEP = 4;
/** At most one look at the pixels this often while the screen keeps changing (ms). */
export const CHECK_INTERVAL_MS = 150;
/**
 * Content must still be there this long after it was first seen (ms): a window being resized can
 * flash half black, half white for a frame or two before the app paints (Chromium does).
 */
export const STABLE_MS = 400;

/**
 * Whether sampled pixels (32-bit words, as the framebuffer stores them) show more than one flat
 * colour. Pure: the policy is tested without a display.
 */
export function showsContent(pixels: Uint32Array, minShare = MIN_CONTENT_SHARE): boolean {
  // Ignore the unused fourth byte (bgr0): only the colour counts.
  return showsMoreThanOneColour(
    Array.from(pixels, (p) => p & 0xffffff),
    minShare,
  );
}

/** Reads the sample rows of the picture's top-left `size` region from Xvfb's screen file. */
export function samplePicture(
  file: string,
  layout: FramebufferLayout,
  size: { width: number; height: number },
): Uint32Array {
  const width = Math.min(size.width, layout.width);
  const height = Math.min(size.height, layout.height);
  const perRow = Math.ceil(width / SAMPLE_STEP);
  const out = new Uint32Array(perRow * SAMPLE_ROWS);
  const row = Buffer.alloc(width * 4);
  let n = 0;
  const fd = fs.openSync(file, 'r');
  try {
    for (let i = 0; i < SAMPLE_ROWS; i++) {
      const y = Math.min(height - 1, Math.floor(((i + 0.5) * height) / SAMPLE_ROWS));
      // The file is written inside the sandbox: a short read (truncated file) is just fewer samples.
      const got = fs.readSync(fd, row, 0, row.length, layout.offset + y * layout.bytesPerLine);
      for (let x = 0; x + 4 <= got; x += SAMPLE_STEP * 4) out[n++] = row.readUInt32LE(x);
    }
  } finally {
    fs.closeSync(fd);
  }
  return out.subarray(0, n);
}

/**
 * Watches for the first real picture: call `changed()` on every screen change; `onReady` runs
 * once, when looks at the pixels find content for STABLE_MS (or `ready()` is called: the app said
 * so itself).
 */
export class FirstPictureWatch {
  private readonly look: () => boolean;
  private readonly onReady: () => void;
  private done = false;
  private lastLook = -Infinity;
  /** When content was first seen in a row of looks that all saw it; null: the last look saw none. */
  private contentSince: number | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(look: () => boolean, onReady: () => void) {
    this.look = look;
    this.onReady = onReady;
  }

  get isReady(): boolean {
    return this.done;
  }

  /** The screen changed: look now, or once the interval has passed (the latest change is never missed). */
  changed(): void {
    if (this.done || this.timer) return;
    const wait = this.lastLook + CHECK_INTERVAL_MS - performance.now();
    if (wait <= 0) this.check();
    else this.timer = setTimeout(() => this.check(), wait);
  }

  /** The app reported its first screen (a control-channel claim): ready whatever the pixels say. */
  ready(): void {
    if (this.done) return;
    this.done = true;
    this.stop();
    this.onReady();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (this.done) return;
    const now = performance.now();
    this.lastLook = now;
    let drawn = false;
    try {
      drawn = this.look();
    } catch {
      // The file went away (the session is ending) or is not readable: no news.
    }
    if (!drawn) {
      this.contentSince = null;
      return;
    }
    this.contentSince ??= now;
    if (now - this.contentSince >= STABLE_MS) {
      this.ready();
      return;
    }
    // Look again once it has had time to prove stable, changes or not.
    this.timer = setTimeout(() => this.check(), this.contentSince + STABLE_MS - now);
  }
}
