/**
 * Maps pointer positions on a `<video style="object-fit: contain">` element to coordinates on
 * the remote X display. The display size is the video's intrinsic size (videoWidth/videoHeight);
 * the element may be larger or smaller in either direction, so the picture is scaled uniformly
 * and centred, leaving black bars (letterbox or pillarbox) that belong to no display pixel.
 */

export interface Size {
  width: number;
  height: number;
}

/** Where the picture is drawn inside the element, in CSS pixels relative to the element. */
export interface ContentBox {
  left: number;
  top: number;
  width: number;
  height: number;
  /** CSS pixels per display pixel. */
  scale: number;
}

export interface DisplayPoint {
  x: number;
  y: number;
}

/** The rectangle `object-fit: contain` paints the picture into, or null while sizes are unknown. */
export function containBox(element: Size, intrinsic: Size): ContentBox | null {
  if (!(element.width > 0 && element.height > 0 && intrinsic.width > 0 && intrinsic.height > 0)) {
    return null;
  }
  const scale = Math.min(element.width / intrinsic.width, element.height / intrinsic.height);
  const width = intrinsic.width * scale;
  const height = intrinsic.height * scale;
  return {
    left: (element.width - width) / 2,
    top: (element.height - height) / 2,
    width,
    height,
    scale,
  };
}

// Sub-pixel tolerance so a point exactly on the picture's edge (rounding of layout) still counts.
const EDGE_EPSILON = 0.5;

export interface MapOptions {
  /**
   * When true, points over the bars or outside the element are clamped onto the nearest display
   * pixel instead of being rejected. Used while a button is held (pointer capture), so a drag that
   * leaves the picture still ends with a button-up at the edge.
   */
  clampOutside?: boolean;
}

/**
 * Maps a point given relative to the element's top-left corner (CSS pixels) to display pixels.
 * Returns null when the point is over the black bars (unless `clampOutside`), or when the video
 * has no intrinsic size yet. Results are integers within [0, size - 1].
 */
export function mapToDisplay(
  point: { x: number; y: number },
  element: Size,
  intrinsic: Size,
  options: MapOptions = {},
): DisplayPoint | null {
  const box = containBox(element, intrinsic);
  if (!box) return null;
  if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) return null;
  const rx = point.x - box.left;
  const ry = point.y - box.top;
  if (!options.clampOutside) {
    const outside =
      rx < -EDGE_EPSILON || ry < -EDGE_EPSILON || rx > box.width + EDGE_EPSILON || ry > box.height + EDGE_EPSILON;
    if (outside) return null;
  }
  return {
    x: clamp(Math.floor(rx / box.scale), 0, Math.floor(intrinsic.width) - 1),
    y: clamp(Math.floor(ry / box.scale), 0, Math.floor(intrinsic.height) - 1),
  };
}

/** Convenience wrapper for DOM events: client coordinates → display coordinates for a video element. */
export function mapClientToDisplay(
  clientX: number,
  clientY: number,
  video: HTMLVideoElement,
  options: MapOptions = {},
): DisplayPoint | null {
  const rect = video.getBoundingClientRect();
  return mapToDisplay(
    { x: clientX - rect.left, y: clientY - rect.top },
    { width: rect.width, height: rect.height },
    { width: video.videoWidth, height: video.videoHeight },
    options,
  );
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}
