/**
 * The one rule for "a picture shows something, not one flat colour", used by the server (has the
 * app drawn its first picture: server/src/sessions/app-readiness.ts) and by the viewer (is this
 * decoded frame more than a flat repaint: web/src/viewer/frameContent.ts). Each side reduces its
 * samples to colour keys its own way (exact, or coarsened against coding noise); this decides.
 */

/** Share of samples that must differ from the most common colour: above a pointer's few pixels. */
export const MIN_CONTENT_SHARE = 0.005;

/** More than a sliver of `colours` (and more than 2 of them) differ from the most common one. */
export function showsMoreThanOneColour(colours: Iterable<number>, minShare = MIN_CONTENT_SHARE): boolean {
  const counts = new Map<number, number>();
  let total = 0;
  let dominant = 0;
  for (const colour of colours) {
    total++;
    const n = (counts.get(colour) ?? 0) + 1;
    counts.set(colour, n);
    if (n > dominant) dominant = n;
  }
  return total > 0 && total - dominant > Math.max(2, total * minShare);
}
