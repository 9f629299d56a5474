import type { SearchResponse, SkipReason } from './searchApi.ts';

// What the status line of the search says about an answer: how many results, whether there were
// more, and what was not searched (never hidden: a search that skipped files says so).

const REASONS: Record<SkipReason, string> = {
  'too-large': 'too large',
  partly: 'only partly (long)',
  unreadable: 'unreadable',
  'not-converted': 'without page numbers (not laid out)',
  time: 'not reached in time',
};

export function resultsLine(r: SearchResponse): string {
  const n = r.results.length;
  if (n === 0) return r.in === 'names' ? `No name contains “${r.query}”.` : `No file contains “${r.query}”.`;
  const count = `${n} result${n === 1 ? '' : 's'}`;
  return r.more ? `${count} shown; there are more: make the search longer.` : `${count}.`;
}

/** The files not searched (or partly) and folders not walked, as one sentence; null when none. */
export function skippedLine(r: SearchResponse): string | null {
  const parts = (Object.keys(REASONS) as SkipReason[])
    .filter((k) => r.skipped[k] > 0)
    .map((k) => `${r.skipped[k]} ${REASONS[k]}`);
  const walk =
    r.walk === 'complete'
      ? null
      : r.walk === 'time'
        ? 'the walk through the folders ran out of time'
        : r.walk === 'entries'
          ? 'the share has more entries than are searched'
          : 'folders nested too deep were not looked at';
  if (!parts.length && !walk) return null;
  const files = parts.length ? `Not fully searched: ${parts.join(', ')}.` : '';
  return [files, walk ? `Incomplete: ${walk}.` : ''].filter(Boolean).join(' ');
}
