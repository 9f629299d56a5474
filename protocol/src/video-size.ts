/**
 * The size of a session's picture when it follows the viewer: the viewer asks for the device
 * pixels of its video area, the server grants the nearest size it can encode. Both sides round
 * the same way, so a viewer can tell when the picture it gets is the one it asked for.
 */

export interface VideoSize {
  width: number;
  height: number;
}

/** Smallest picture a resizable session shrinks to (a phone held upright still gets this much). */
export const MIN_VIDEO_SIZE: VideoSize = { width: 320, height: 240 };

/** Largest size a viewer may ask for at all; anything above is refused as hostile, not clamped. */
export const MAX_REQUESTED_SIDE = 16384;

/**
 * Widths are multiples of 8 (encoder macroblock alignment, and what Xorg modes use), heights
 * multiples of 2 (yuv420p needs even sizes). Rounded down, so the picture never exceeds the
 * viewer's area and can be shown 1:1 in it.
 */
export function roundVideoSize(size: VideoSize): VideoSize {
  return { width: Math.floor(size.width / 8) * 8, height: Math.floor(size.height / 2) * 2 };
}

/**
 * The picture size granted for a requested one: scaled down uniformly (keeping the viewer's
 * aspect) until it fits `max`, raised to at least `min` on each side, then rounded. Throws on
 * sizes that are not positive finite numbers (callers validate first; this is a last guard).
 */
export function fitVideoSize(requested: VideoSize, max: VideoSize, min: VideoSize = MIN_VIDEO_SIZE): VideoSize {
  const { width, height } = requested;
  if (!(Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0)) {
    throw new RangeError(`not a picture size: ${width}x${height}`);
  }
  const limit = roundVideoSize(max);
  const scale = Math.min(1, limit.width / width, limit.height / height);
  const w = Math.min(limit.width, Math.max(min.width, Math.floor(width * scale)));
  const h = Math.min(limit.height, Math.max(min.height, Math.floor(height * scale)));
  return roundVideoSize({ width: w, height: h });
}

/**
 * The whole device pixels inside a CSS box at a device pixel ratio, as a viewer reports them:
 * rounded down (with a hair of tolerance for 853.33 × 1.5), so a picture of that size fits.
 */
export function devicePixels(css: VideoSize, devicePixelRatio: number): VideoSize {
  const dpr = Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
  const whole = (v: number) => Math.max(0, Math.floor(v * dpr + 0.01));
  return { width: whole(css.width), height: whole(css.height) };
}
