import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { videoLayout, ViewportReporter } from './viewport.ts';

describe('ViewportReporter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the size known at open at once, later ones only after they settle', () => {
    const sent: string[] = [];
    const r = new ViewportReporter((s) => sent.push(`${s.width}x${s.height}`) > 0, 300);
    r.update({ width: 1920, height: 1032 });
    expect(sent).toEqual([]); // not open yet
    r.open();
    expect(sent).toEqual(['1920x1032']);
    // A window being dragged: many sizes, one message 300 ms after the last.
    for (let w = 1900; w > 1400; w -= 20) {
      r.update({ width: w, height: 900 });
      vi.advanceTimersByTime(50);
    }
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(300);
    expect(sent).toEqual(['1920x1032', '1420x900']);
    // Back to the same size: nothing new to say.
    r.update({ width: 1420, height: 900 });
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(2);
  });

  it('sends the first size as soon as it is known when already open; retries if it could not send', () => {
    let accept = false;
    const sent: number[] = [];
    const r = new ViewportReporter((s) => accept && sent.push(s.width) > 0, 300);
    r.open();
    r.update({ width: 800, height: 600 });
    expect(sent).toEqual([]);
    accept = true;
    r.update({ width: 808, height: 600 });
    expect(sent).toEqual([808]);
    r.dispose();
    r.update({ width: 1000, height: 600 });
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([808]);
  });

  it('ignores empty sizes (an area not laid out yet)', () => {
    const sent: number[] = [];
    const r = new ViewportReporter((s) => sent.push(s.width) > 0);
    r.open();
    r.update({ width: 0, height: 0 });
    expect(sent).toEqual([]);
  });
});

describe('videoLayout', () => {
  it('shows a picture made for the area unscaled, centred on whole device pixels', () => {
    expect(videoLayout({ width: 1920, height: 1031 }, { width: 1920, height: 1030 }, 1)).toEqual({
      kind: 'native',
      left: 0,
      top: 0,
      width: 1920,
      height: 1030,
    });
    // HiDPI: 2 device pixels per CSS pixel; 7 spare device pixels → 3 on the left.
    expect(videoLayout({ width: 2887, height: 1800 }, { width: 2880, height: 1800 }, 2)).toEqual({
      kind: 'native',
      left: 1.5,
      top: 0,
      width: 1440,
      height: 900,
    });
  });

  it('fits any other picture: larger, much smaller, or not decoded yet', () => {
    expect(videoLayout({ width: 1440, height: 851 }, { width: 1920, height: 1030 }, 1)).toEqual({ kind: 'fit' });
    expect(videoLayout({ width: 1920, height: 1031 }, { width: 1280, height: 720 }, 1)).toEqual({ kind: 'fit' });
    expect(videoLayout({ width: 1920, height: 1031 }, { width: 0, height: 0 }, 1)).toEqual({ kind: 'fit' });
  });
});
