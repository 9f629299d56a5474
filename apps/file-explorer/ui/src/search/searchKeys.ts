// The search panel's keys (its field keeps the focus; the results follow the arrows). Pure, beside
// the app's key map (../lib/keymap.ts), documented in apps/file-explorer/README.md.

export type SearchAction =
  | 'result-next'
  | 'result-prev'
  | 'result-first'
  | 'result-last'
  | 'result-page-down'
  | 'result-page-up'
  | 'result-open'
  | 'toggle-scope'
  | 'close-search';

export function resolveSearchKey(k: {
  key: string;
  ctrl?: boolean;
  alt?: boolean;
  shift?: boolean;
}): SearchAction | null {
  if (k.alt) return null;
  if (k.ctrl) {
    // Home/End move in the field; with Ctrl, to the first or last result.
    if (k.key === 'Home') return 'result-first';
    if (k.key === 'End') return 'result-last';
    return null;
  }
  switch (k.key) {
    case 'ArrowDown':
      return 'result-next';
    case 'ArrowUp':
      return 'result-prev';
    case 'PageDown':
      return 'result-page-down';
    case 'PageUp':
      return 'result-page-up';
    case 'Enter':
      return 'result-open';
    case 'Tab':
      return 'toggle-scope';
    case 'Escape':
      return 'close-search';
  }
  return null;
}
