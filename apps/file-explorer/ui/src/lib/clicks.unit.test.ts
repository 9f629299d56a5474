import { describe, expect, it } from 'vitest';
import { DOUBLE_CLICK_MS, isSecondClick } from './clicks.ts';

describe('isSecondClick', () => {
  const first = { path: '/files/a.txt', at: 1000, x: 400, y: 200 };

  it('counts a second click on the same row, even in the same millisecond (clicks injected in a burst)', () => {
    expect(isSecondClick(first, { ...first })).toBe(true);
    expect(isSecondClick(first, { ...first, at: 1000 + DOUBLE_CLICK_MS, x: 403, y: 197 })).toBe(true);
  });

  it('does not count a first click, another row, a slow or a distant click', () => {
    expect(isSecondClick(null, first)).toBe(false);
    expect(isSecondClick(first, { ...first, path: '/files/b.txt' })).toBe(false);
    expect(isSecondClick(first, { ...first, at: 1001 + DOUBLE_CLICK_MS })).toBe(false);
    expect(isSecondClick(first, { ...first, x: 410 })).toBe(false);
  });
});
