/**
 * The viewer's side of a picture that follows its window: how big the video area is in device
 * pixels (what the server is asked for), when to tell the server (at once at the start, then
 * after a resize has settled), and how to show a picture of that size without scaling it.
 */
import type { VideoSize } from '@vitrine/protocol';

/** A window being dragged sends dozens of sizes a second: only the one it settles on is sent. */
export const VIEWPORT_DEBOUNCE_MS = 300;

/**
 * Tells the server the latest size of the video area: the first one as soon as it can be sent
 * (so the first picture already has it), later ones once no new size came for `debounceMs`.
 * A size equal to the last one sent is not sent again.
 */
export class ViewportReporter {
  #send: (size: VideoSize) => boolean;
  #debounceMs: number;
  #latest: VideoSize | null = null;
  #sent: VideoSize | null = null;
  #open = false;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(send: (size: VideoSize) => boolean, debounceMs = VIEWPORT_DEBOUNCE_MS) {
    this.#send = send;
    this.#debounceMs = debounceMs;
  }

  /** The video area has this size now (device pixels). */
  update(size: VideoSize): void {
    if (!(size.width > 0 && size.height > 0)) return;
    this.#latest = { width: size.width, height: size.height };
    if (!this.#open) return;
    if (!this.#sent) {
      this.#flush();
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#flush(), this.#debounceMs);
  }

  /** The channel to the server is open: the size known so far goes out now. */
  open(): void {
    this.#open = true;
    this.#flush();
  }

  dispose(): void {
    this.#open = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #flush(): void {
    this.#timer = null;
    const size = this.#latest;
    if (!size || !this.#open) return;
    if (this.#sent && this.#sent.width === size.width && this.#sent.height === size.height) return;
    if (this.#send(size)) this.#sent = size;
  }
}

/** How the `<video>` sits in its area: at its own size (one video pixel per screen pixel), or fitted. */
export type VideoLayout =
  { kind: 'native'; left: number; top: number; width: number; height: number } | { kind: 'fit' };

/**
 * Device pixels of slack within which a picture counts as made for this area: widths are
 * rounded down to a multiple of 8 and heights to 2 (video-size.ts), so the picture the server
 * sends for an area may be a few pixels smaller than it.
 */
const NATIVE_SLACK = 16;

/**
 * Native when the picture fits the area and is at most a few device pixels smaller: then it is
 * shown unscaled (CSS size = video size / devicePixelRatio), centred on whole device pixels.
 * Anything else (a fixed-size app, a picture still of the old size during a resize, one capped
 * by the server's maximum) is fitted with `object-fit: contain`.
 */
export function videoLayout(areaDevice: VideoSize, video: VideoSize, dpr: number): VideoLayout {
  if (!(video.width > 0 && video.height > 0 && dpr > 0)) return { kind: 'fit' };
  const spareX = areaDevice.width - video.width;
  const spareY = areaDevice.height - video.height;
  if (spareX < 0 || spareY < 0 || spareX > NATIVE_SLACK || spareY > NATIVE_SLACK) return { kind: 'fit' };
  return {
    kind: 'native',
    left: Math.floor(spareX / 2) / dpr,
    top: Math.floor(spareY / 2) / dpr,
    width: video.width / dpr,
    height: video.height / dpr,
  };
}
