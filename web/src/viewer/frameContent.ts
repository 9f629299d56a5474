import { showsMoreThanOneColour } from '@vitrine/protocol';

/**
 * Whether a decoded video frame shows a picture or one flat colour. The server says `app-ready`
 * once the app has drawn, but a window resized to the viewer's size can repaint through a flat
 * frame (Chromium clears to white before it lays the page out again; on a loaded host that lasts
 * a few frames): the viewer keeps its cover over such frames instead of uncovering a blank page.
 */

/** The frame is looked at this small: enough to tell a page from a flat colour, and cheap. */
export const SAMPLE_WIDTH = 64;
export const SAMPLE_HEIGHT = 36;
/** Colours are compared by their top 4 bits per channel: coding noise on a flat frame is below that. */
const QUANT_SHIFT = 4;

/** RGBA samples (as `getImageData` gives them): more than a sliver differs from the dominant colour. */
export function framePixelsShowContent(rgba: Uint8ClampedArray): boolean {
  const n = Math.floor(rgba.length / 4);
  const keys = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    keys[i] = ((rgba[o]! >> QUANT_SHIFT) << 8) | ((rgba[o + 1]! >> QUANT_SHIFT) << 4) | (rgba[o + 2]! >> QUANT_SHIFT);
  }
  // The server's own rule for "more than one flat colour", on colours coarsened against coding noise.
  return showsMoreThanOneColour(keys);
}

/** Looks at what a video element shows now; a browser that cannot read it back counts as content. */
export function videoFrameReader(): (video: HTMLVideoElement) => boolean {
  const canvas = document.createElement('canvas');
  canvas.width = SAMPLE_WIDTH;
  canvas.height = SAMPLE_HEIGHT;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return (video) => {
    if (!ctx) return true;
    try {
      ctx.drawImage(video, 0, 0, SAMPLE_WIDTH, SAMPLE_HEIGHT);
      return framePixelsShowContent(ctx.getImageData(0, 0, SAMPLE_WIDTH, SAMPLE_HEIGHT).data);
    } catch {
      return true;
    }
  };
}
