import { describe, expect, it } from 'vitest';
import { resolveKey } from '../lib/keymap.ts';
import type { SearchResponse } from './searchApi.ts';
import { resolveSearchKey } from './searchKeys.ts';
import { resultsLine, skippedLine } from './searchSummary.ts';

describe('search keys', () => {
  it('opens the search with Ctrl+Shift+F from the list, the tree and the filter; Ctrl+F still filters', () => {
    for (const ctx of ['list', 'tree', 'filter'] as const) {
      expect(resolveKey(ctx, { key: 'F', ctrl: true, shift: true })).toBe('open-search');
      expect(resolveKey(ctx, { key: 'f', ctrl: true })).toBe('focus-filter');
    }
    expect(resolveKey('list', { key: '/' })).toBe('focus-filter');
    // In a viewer the browser's find stays swallowed.
    expect(resolveKey('pdf', { key: 'F', ctrl: true, shift: true })).toBe('block');
    // In the panel, only browser shortcuts are caught; the panel has its own keys.
    expect(resolveKey('search', { key: 'ArrowDown', inInput: true })).toBeNull();
    expect(resolveKey('search', { key: 'r', ctrl: true, inInput: true })).toBe('block');
  });

  it('drives the results from the field', () => {
    expect(resolveSearchKey({ key: 'ArrowDown' })).toBe('result-next');
    expect(resolveSearchKey({ key: 'ArrowUp' })).toBe('result-prev');
    expect(resolveSearchKey({ key: 'Enter' })).toBe('result-open');
    expect(resolveSearchKey({ key: 'Escape' })).toBe('close-search');
    expect(resolveSearchKey({ key: 'Tab' })).toBe('toggle-scope');
    expect(resolveSearchKey({ key: 'End', ctrl: true })).toBe('result-last');
    expect(resolveSearchKey({ key: 'End' })).toBeNull(); // moves in the field
    expect(resolveSearchKey({ key: 'a' })).toBeNull();
  });
});

describe('search status', () => {
  const base: SearchResponse = {
    query: 'tax',
    in: 'contents',
    results: [],
    more: false,
    scanned: 10,
    walk: 'complete',
    skipped: { 'too-large': 0, partly: 0, unreadable: 0, 'not-converted': 0, time: 0 },
    skippedFiles: [],
    tookMs: 5,
  };
  it('says how many, and that there are more', () => {
    expect(resultsLine(base)).toBe('No file contains “tax”.');
    const one = { ...base, results: [{} as SearchResponse['results'][number]] };
    expect(resultsLine(one)).toBe('1 result.');
    expect(resultsLine({ ...one, more: true })).toMatch(/^1 result shown; there are more/);
  });
  it('never hides what was not searched', () => {
    expect(skippedLine(base)).toBeNull();
    expect(skippedLine({ ...base, skipped: { ...base.skipped, 'too-large': 2, time: 5 } })).toBe(
      'Not fully searched: 2 too large, 5 not reached in time.',
    );
    expect(skippedLine({ ...base, walk: 'time' })).toMatch(/Incomplete: .*ran out of time/);
  });
});
