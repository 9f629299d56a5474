import { describe, expect, it } from 'vitest';
import { clampIndex, rowsPerPage, scrollToReveal, visibleRange } from './windowing.ts';

describe('visibleRange', () => {
  it('mounts the rows in view plus overscan, within bounds', () => {
    expect(visibleRange(0, 360, 36, 5000, 4)).toEqual({ start: 0, end: 14 });
    expect(visibleRange(3600, 360, 36, 5000, 4)).toEqual({ start: 96, end: 114 });
    expect(visibleRange(5000 * 36 - 360, 360, 36, 5000, 4)).toEqual({ start: 4986, end: 5000 });
  });

  it('handles partial rows, empty lists and odd input', () => {
    expect(visibleRange(10, 100, 36, 100, 0)).toEqual({ start: 0, end: 4 });
    expect(visibleRange(0, 500, 36, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 100, 36, 10, 0)).toEqual({ start: 0, end: 3 });
  });

  it('keeps the mounted count small for 5,000 rows', () => {
    const r = visibleRange(123456, 560, 36, 5000, 6);
    expect(r.end - r.start).toBeLessThanOrEqual(30);
  });
});

describe('scrollToReveal', () => {
  it('scrolls the least needed', () => {
    expect(scrollToReveal(5, 0, 360, 36)).toBe(0); // already in view
    expect(scrollToReveal(10, 0, 360, 36)).toBe(36); // just below: bottom-aligned
    expect(scrollToReveal(2, 200, 360, 36)).toBe(72); // above: top-aligned
  });
});

describe('paging', () => {
  it('counts whole rows per page, at least one', () => {
    expect(rowsPerPage(360, 36)).toBe(10);
    expect(rowsPerPage(370, 36)).toBe(10);
    expect(rowsPerPage(10, 36)).toBe(1);
  });

  it('clamps indexes', () => {
    expect(clampIndex(-3, 10)).toBe(0);
    expect(clampIndex(12, 10)).toBe(9);
    expect(clampIndex(0, 0)).toBe(-1);
  });
});
