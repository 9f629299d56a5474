import { useLayoutEffect, useRef, useState } from 'react';
import { scrollToReveal } from '../lib/windowing.ts';

/**
 * A windowed list's scrolling box: tracks its scroll position and height (for `visibleRange`) and
 * scrolls the active row into view whenever it changes (keyboard navigation moves it off-screen).
 */
export function useRevealingScroller(activeIndex: number, rowSize: number, initialHeight: number) {
  const scrollerRef = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(initialHeight);

  useLayoutEffect(() => {
    const el = scrollerRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = scrollerRef.current;
    if (!el) return;
    const next = scrollToReveal(activeIndex, el.scrollTop, el.clientHeight, rowSize);
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
  }, [activeIndex, rowSize]);

  return { scrollerRef, scrollTop, height, setScrollTop };
}
