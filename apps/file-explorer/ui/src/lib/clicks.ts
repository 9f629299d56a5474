// Double clicks on the file list, counted by the list itself.

/** Two clicks on the same row this close in time (ms) and place (px) open it. */
export const DOUBLE_CLICK_MS = 500;
export const DOUBLE_CLICK_SLOP = 4;

/**
 * Whether a click completes a double click: the same row, soon enough, close enough. Counted here
 * rather than read from the browser's `dblclick`: clicks injected into the session's display can
 * reach it in one burst with equal X timestamps, and Chromium then never counts a second click
 * (seen as "the first double-click only selects").
 */
export function isSecondClick(
  previous: { path: string; at: number; x: number; y: number } | null,
  next: { path: string; at: number; x: number; y: number },
): boolean {
  return (
    previous !== null &&
    previous.path === next.path &&
    next.at - previous.at <= DOUBLE_CLICK_MS &&
    Math.abs(next.x - previous.x) <= DOUBLE_CLICK_SLOP &&
    Math.abs(next.y - previous.y) <= DOUBLE_CLICK_SLOP
  );
}
