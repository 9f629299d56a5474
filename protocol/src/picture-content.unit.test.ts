import { describe, expect, it } from 'vitest';
import { showsMoreThanOneColour } from './picture-content.ts';

describe('showsMoreThanOneColour', () => {
  it('a flat picture, or one with a pointer’s few pixels on it, shows nothing', () => {
    expect(showsMoreThanOneColour([])).toBe(false);
    expect(showsMoreThanOneColour(new Array(1000).fill(7))).toBe(false);
    expect(showsMoreThanOneColour([...new Array(1000).fill(7), 1, 2, 3, 4, 5])).toBe(false);
  });

  it('more than a sliver of other colours is content', () => {
    expect(showsMoreThanOneColour([...new Array(1000).fill(7), ...new Array(6).fill(1)])).toBe(true);
    expect(showsMoreThanOneColour([1, 2, 3, 4])).toBe(true);
  });
});
