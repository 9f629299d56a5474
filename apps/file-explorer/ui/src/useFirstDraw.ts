import { useEffect, useLayoutEffect, useState } from 'react';

/** How long the explorer stays blank at most, waiting for its first listing: then "Loading…" shows. */
export const STARTING_BLANK_MS = 4000;

/**
 * Whether the explorer has drawn its first real screen. It becomes true, for good, once `ready`
 * (the roots and the first folder are listed) or after STARTING_BLANK_MS. `onDrawn` runs in the
 * same commit, before any key can arrive: a person (or a test) may type the moment the list shows,
 * and a focus given a frame later would take it from a dialog that key has just opened.
 */
export function useFirstDraw(ready: boolean, onDrawn: () => void): boolean {
  const [drawn, setDrawn] = useState(false);
  // Set while rendering, not in an effect: the first listing is painted in the same commit as it
  // arrives, so nothing reported about it (folder-opened) comes before it is on screen.
  if (ready && !drawn) setDrawn(true);
  useEffect(() => {
    if (drawn) return;
    const t = setTimeout(() => setDrawn(true), STARTING_BLANK_MS);
    return () => clearTimeout(t);
  }, [drawn]);
  useLayoutEffect(() => {
    if (drawn) onDrawn();
  }, [drawn, onDrawn]);
  return drawn;
}
