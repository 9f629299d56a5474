// Layout of a PDF as a vertical strip of pages on a grey background: page sizes, zoom, which pages
// are visible, which page is "current", where to scroll. Pure maths; the viewer mounts canvases
// only for the visible pages.

export interface Size {
  width: number;
  height: number;
}

export type ZoomMode = 'fit-width' | 'fit-page' | 'custom';

/** Grey margin around and between pages, in CSS pixels. */
export const PAGE_GAP = 16;
export const ZOOM_STEPS = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4];
export const MIN_ZOOM = ZOOM_STEPS[0]!;
export const MAX_ZOOM = ZOOM_STEPS[ZOOM_STEPS.length - 1]!;

export function fitScale(mode: 'fit-width' | 'fit-page', page: Size, viewport: Size): number {
  if (page.width <= 0 || page.height <= 0) return 1;
  const w = Math.max(1, viewport.width - 2 * PAGE_GAP) / page.width;
  if (mode === 'fit-width') return clampZoom(w);
  const h = Math.max(1, viewport.height - 2 * PAGE_GAP) / page.height;
  return clampZoom(Math.min(w, h));
}

/**
 * The scale of every page: one for all at a chosen zoom; at "fit width"/"fit page" each page is fitted
 * on its own, so a landscape page in a portrait document fits too.
 */
export function pageScales(sizes: readonly Size[], mode: ZoomMode, custom: number, viewport: Size): number[] {
  if (mode === 'custom' || viewport.width === 0) return sizes.map(() => custom);
  return sizes.map((s) => fitScale(mode, s, viewport));
}

export function clampZoom(scale: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, scale));
}

export function zoomIn(scale: number): number {
  return ZOOM_STEPS.find((s) => s > scale * 1.01) ?? MAX_ZOOM;
}

export function zoomOut(scale: number): number {
  for (let i = ZOOM_STEPS.length - 1; i >= 0; i--) {
    const s = ZOOM_STEPS[i]!;
    if (s < scale / 1.01) return s;
  }
  return MIN_ZOOM;
}

export interface Layout {
  /** Top of each page's slot. */
  slotTops: number[];
  slotHeights: number[];
  /** Top of each page itself (inside its slot). */
  pageTops: number[];
  widths: number[];
  heights: number[];
  /** Height of the whole strip. */
  total: number;
  /** Width of the strip (at least the viewport's): pages are centred in it. */
  contentWidth: number;
  /** Width the pages need (widest page plus margins): the strip may be narrower than the viewport. */
  pagesWidth: number;
}

/**
 * In "fit page" each page gets a slot exactly as tall as the viewport and sits centred in it, so
 * every page, the first and last included, can be shown centred on the grey. Otherwise pages are
 * stacked with a PAGE_GAP margin above each and below the last.
 */
export function computeLayout(
  sizes: readonly Size[],
  scale: number | readonly number[],
  mode: ZoomMode,
  viewport: Size,
): Layout {
  const n = sizes.length;
  const slotTops = new Array<number>(n);
  const slotHeights = new Array<number>(n);
  const pageTops = new Array<number>(n);
  const widths = new Array<number>(n);
  const heights = new Array<number>(n);
  let y = 0;
  let maxWidth = 0;
  for (let i = 0; i < n; i++) {
    const s = sizes[i]!;
    const k = typeof scale === 'number' ? scale : (scale[i] ?? 1);
    const w = Math.max(1, Math.floor(s.width * k));
    const h = Math.max(1, Math.floor(s.height * k));
    widths[i] = w;
    heights[i] = h;
    maxWidth = Math.max(maxWidth, w);
    slotTops[i] = y;
    if (mode === 'fit-page') {
      const slot = Math.max(viewport.height, h + 2 * PAGE_GAP);
      slotHeights[i] = slot;
      pageTops[i] = y + Math.floor((slot - h) / 2);
    } else {
      slotHeights[i] = h + PAGE_GAP;
      pageTops[i] = y + PAGE_GAP;
    }
    y += slotHeights[i]!;
  }
  const total = mode === 'fit-page' ? y : y + PAGE_GAP;
  return {
    slotTops,
    slotHeights,
    pageTops,
    widths,
    heights,
    total,
    contentWidth: Math.max(viewport.width, maxWidth + 2 * PAGE_GAP),
    pagesWidth: maxWidth + 2 * PAGE_GAP,
  };
}

/** Left edge of page `i`: centred in the strip. */
export function pageLeft(layout: Layout, i: number): number {
  return Math.max(PAGE_GAP, Math.floor((layout.contentWidth - (layout.widths[i] ?? 0)) / 2));
}

/** Index of the slot containing y (clamped to the first/last page). */
export function slotAt(layout: Layout, y: number): number {
  const tops = layout.slotTops;
  if (tops.length === 0) return -1;
  let lo = 0;
  let hi = tops.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tops[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Pages intersecting the viewport, plus `overscan` on each side: [start, end). */
export function visiblePages(
  layout: Layout,
  scrollTop: number,
  viewportHeight: number,
  overscan = 1,
): { start: number; end: number } {
  const n = layout.slotTops.length;
  if (n === 0) return { start: 0, end: 0 };
  const first = slotAt(layout, scrollTop);
  const last = slotAt(layout, scrollTop + Math.max(0, viewportHeight - 1));
  return { start: Math.max(0, first - overscan), end: Math.min(n, last + 1 + overscan) };
}

/**
 * The page being read (0-based): the one under the middle of the viewport; the first when scrolled
 * to the top and the last when scrolled to the bottom (a short last page may never reach the middle).
 */
export function currentPage(layout: Layout, scrollTop: number, viewportHeight: number): number {
  const n = layout.slotTops.length;
  if (n === 0) return -1;
  if (scrollTop <= 0) return 0;
  if (scrollTop + viewportHeight >= layout.total - 1) return n - 1;
  return slotAt(layout, scrollTop + viewportHeight / 2);
}

/** scrollTop that shows page i from its top (in "fit page": centred). */
export function scrollTopForPage(layout: Layout, i: number, viewportHeight: number): number {
  const n = layout.slotTops.length;
  if (n === 0) return 0;
  const idx = Math.max(0, Math.min(n - 1, i));
  const max = Math.max(0, layout.total - viewportHeight);
  return Math.max(0, Math.min(max, layout.slotTops[idx]!));
}

export interface Anchor {
  page: number;
  /** Position of the viewport's middle within the page, 0 = top, 1 = bottom. */
  fraction: number;
}

/** Where the reader is, so a zoom change can keep the same spot in the middle of the viewport. */
export function anchorAt(layout: Layout, scrollTop: number, viewportHeight: number): Anchor {
  const mid = scrollTop + viewportHeight / 2;
  const page = Math.max(0, slotAt(layout, mid));
  const h = layout.heights[page] ?? 1;
  const fraction = (mid - (layout.pageTops[page] ?? 0)) / h;
  return { page, fraction: Math.max(-0.5, Math.min(1.5, fraction)) };
}

export function scrollTopForAnchor(layout: Layout, anchor: Anchor, viewportHeight: number): number {
  if (layout.slotTops.length === 0) return 0;
  const page = Math.max(0, Math.min(layout.slotTops.length - 1, anchor.page));
  const y = layout.pageTops[page]! + anchor.fraction * layout.heights[page]! - viewportHeight / 2;
  return Math.max(0, Math.min(Math.max(0, layout.total - viewportHeight), Math.round(y)));
}
