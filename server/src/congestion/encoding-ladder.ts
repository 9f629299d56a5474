/**
 * From a target bitrate to what the encoder does with it. Below a point, fewer but sharper
 * frames read better than many smeared ones, and below another, fewer pixels do: the frame
 * rate drops first, then the resolution.
 */

export interface Encoding {
  bitrateKbps: number;
  framerate: number;
  /** Encoded size relative to the display (1, 3/4 or 1/2); input is mapped back by the server. */
  scale: number;
}

/** Bits per frame below which the frame rate gives way (kbit/s per frame/s). */
const KBPS_PER_FPS = 40;
const MIN_FRAMERATE = 10;
/** Below these targets, 3/4 and then 1/2 of the resolution. */
const THREE_QUARTERS_BELOW_KBPS = 350;
const HALF_BELOW_KBPS = 180;

/** The scales the encoder may use, largest first. */
export const SCALES = [1, 0.75, 0.5] as const;

/** `maxScale`: a cap on the scale, for content the encoder cannot fit into the target at full size. */
export function encodingFor(targetKbps: number, maxFramerate: number, maxScale = 1): Encoding {
  const framerate = Math.max(
    Math.min(MIN_FRAMERATE, maxFramerate),
    Math.min(maxFramerate, Math.floor(targetKbps / KBPS_PER_FPS)),
  );
  const byRate = targetKbps < HALF_BELOW_KBPS ? 0.5 : targetKbps < THREE_QUARTERS_BELOW_KBPS ? 0.75 : 1;
  return { bitrateKbps: Math.round(targetKbps), framerate, scale: Math.min(byRate, maxScale) };
}

/** A new encoder costs a keyframe: change only for a real difference, and not too often. */
const MIN_BITRATE_CHANGE = 0.15;
const MIN_INTERVAL_DOWN_MS = 400;
const MIN_INTERVAL_UP_MS = 1500;

export function worthReconfiguring(current: Encoding, next: Encoding, sinceLastChangeMs: number): boolean {
  const shape = current.framerate !== next.framerate || current.scale !== next.scale;
  const ratio = next.bitrateKbps / current.bitrateKbps;
  if (!shape && Math.abs(ratio - 1) < MIN_BITRATE_CHANGE) return false;
  const down = ratio < 1 || next.framerate < current.framerate || next.scale < current.scale;
  return sinceLastChangeMs >= (down ? MIN_INTERVAL_DOWN_MS : MIN_INTERVAL_UP_MS);
}

/** The encoded size for a display size and scale: even numbers, as 4:2:0 video needs. */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  const even = (n: number) => Math.max(2, Math.round((n * scale) / 2) * 2);
  return scale === 1 ? { width, height } : { width: even(width), height: even(height) };
}
