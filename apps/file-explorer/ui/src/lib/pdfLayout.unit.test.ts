import { describe, expect, it } from 'vitest';
import {
  anchorAt,
  computeLayout,
  currentPage,
  fitScale,
  pageScales,
  PAGE_GAP,
  pageLeft,
  scrollTopForAnchor,
  scrollTopForPage,
  visiblePages,
  zoomIn,
  zoomOut,
} from './pdfLayout.ts';

const LETTER = { width: 612, height: 792 };
const VIEW = { width: 1100, height: 650 };
const pages = (n: number) => Array.from({ length: n }, () => LETTER);

describe('zoom', () => {
  it('fits the width or the whole page inside the margins', () => {
    expect(fitScale('fit-width', LETTER, VIEW)).toBeCloseTo((1100 - 2 * PAGE_GAP) / 612);
    expect(fitScale('fit-page', LETTER, VIEW)).toBeCloseTo((650 - 2 * PAGE_GAP) / 792);
  });

  it('steps through the zoom levels', () => {
    expect(zoomIn(1)).toBe(1.1);
    expect(zoomOut(1)).toBe(0.9);
    expect(zoomIn(0.78)).toBe(0.9);
    expect(zoomOut(0.78)).toBe(0.75);
    expect(zoomIn(4)).toBe(4);
    expect(zoomOut(0.25)).toBe(0.25);
  });
});

describe('layout', () => {
  it('centres each page in a viewport-tall slot at "fit page"', () => {
    const scale = fitScale('fit-page', LETTER, VIEW);
    const l = computeLayout(pages(3), scale, 'fit-page', VIEW);
    expect(l.slotHeights).toEqual([650, 650, 650]);
    expect(l.total).toBe(1950);
    const h = l.heights[1]!;
    // Page 2 shown: equal grey above and below it (±1 px of rounding).
    const top = scrollTopForPage(l, 1, VIEW.height);
    const above = l.pageTops[1]! - top;
    const below = top + VIEW.height - (l.pageTops[1]! + h);
    expect(Math.abs(above - below)).toBeLessThanOrEqual(1);
    // And left/right.
    const left = pageLeft(l, 1);
    expect(Math.abs(left - (VIEW.width - left - l.widths[1]!))).toBeLessThanOrEqual(1);
  });

  it('stacks pages with gaps otherwise', () => {
    const l = computeLayout(pages(2), 1, 'custom', VIEW);
    expect(l.pageTops).toEqual([PAGE_GAP, PAGE_GAP + 792 + PAGE_GAP]);
    expect(l.total).toBe(2 * (792 + PAGE_GAP) + PAGE_GAP);
  });

  it('mounts only the visible pages of a 300-page document', () => {
    const l = computeLayout(pages(300), fitScale('fit-width', LETTER, VIEW), 'fit-width', VIEW);
    const top = scrollTopForPage(l, 150, VIEW.height);
    const v = visiblePages(l, top, VIEW.height, 1);
    expect(v.start).toBe(149);
    expect(v.end - v.start).toBeLessThanOrEqual(4);
  });

  it('tells the current page', () => {
    const l = computeLayout(pages(10), 1, 'custom', VIEW);
    expect(currentPage(l, 0, VIEW.height)).toBe(0);
    expect(currentPage(l, scrollTopForPage(l, 4, VIEW.height), VIEW.height)).toBe(4);
    expect(currentPage(l, l.total - VIEW.height, VIEW.height)).toBe(9);
    const fp = computeLayout(pages(10), fitScale('fit-page', LETTER, VIEW), 'fit-page', VIEW);
    for (let i = 0; i < 10; i++) expect(currentPage(fp, scrollTopForPage(fp, i, VIEW.height), VIEW.height)).toBe(i);
  });

  it('keeps the reading position across a zoom change', () => {
    const a = computeLayout(pages(20), 1, 'custom', VIEW);
    const top = scrollTopForPage(a, 7, VIEW.height) + 200;
    const anchor = anchorAt(a, top, VIEW.height);
    expect(anchor.page).toBe(7);
    const b = computeLayout(pages(20), 2, 'custom', VIEW);
    const top2 = scrollTopForAnchor(b, anchor, VIEW.height);
    expect(anchorAt(b, top2, VIEW.height).page).toBe(7);
    expect(anchorAt(b, top2, VIEW.height).fraction).toBeCloseTo(anchor.fraction, 2);
  });
});

describe('mixed page sizes', () => {
  it('fits every page on its own at "fit width" and "fit page", one zoom for all otherwise', () => {
    const LANDSCAPE = { width: 792, height: 612 };
    const sizes = [LETTER, LANDSCAPE];
    const fw = pageScales(sizes, 'fit-width', 1, VIEW);
    const l = computeLayout(sizes, fw, 'fit-width', VIEW);
    expect(l.widths[0]).toBe(l.widths[1]);
    expect(l.pagesWidth).toBeLessThanOrEqual(VIEW.width);
    const fp = computeLayout(sizes, pageScales(sizes, 'fit-page', 1, VIEW), 'fit-page', VIEW);
    for (let i = 0; i < 2; i++) {
      expect(fp.widths[i]!).toBeLessThanOrEqual(VIEW.width - 2 * PAGE_GAP);
      expect(fp.heights[i]!).toBeLessThanOrEqual(VIEW.height - 2 * PAGE_GAP);
    }
    expect(pageScales(sizes, 'custom', 1.5, VIEW)).toEqual([1.5, 1.5]);
  });
});
