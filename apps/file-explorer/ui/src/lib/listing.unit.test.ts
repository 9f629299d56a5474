import { describe, expect, it } from 'vitest';
import { cycleSortKey, matchesNameFilter, nextSort, sortEntries, visibleEntries } from './listing.ts';
import type { Entry } from './types.ts';

const f = (name: string, size = 0, modifiedAt = '2026-01-01T00:00:00Z'): Entry => ({
  name,
  path: `/files/R/${name}`,
  kind: 'file',
  size,
  modifiedAt,
  type: 'other',
});
const d = (name: string, modifiedAt = '2026-01-01T00:00:00Z'): Entry => ({
  name,
  path: `/files/R/${name}`,
  kind: 'folder',
  modifiedAt,
  type: 'folder',
});

const names = (es: Entry[]) => es.map((e) => e.name);

describe('sortEntries', () => {
  const entries = [f('b.txt', 30), d('Zeta'), f('a10.pdf', 10), f('a2.pdf', 20), d('alpha'), f('C.png', 5)];

  it('puts folders first and sorts names naturally and case-insensitively', () => {
    expect(names(sortEntries(entries, { key: 'name', dir: 'asc' }))).toEqual([
      'alpha',
      'Zeta',
      'a2.pdf',
      'a10.pdf',
      'b.txt',
      'C.png',
    ]);
  });

  it('keeps folders first when descending', () => {
    expect(names(sortEntries(entries, { key: 'name', dir: 'desc' }))).toEqual([
      'Zeta',
      'alpha',
      'C.png',
      'b.txt',
      'a10.pdf',
      'a2.pdf',
    ]);
  });

  it('sorts by size, then by name', () => {
    const es = [f('x', 5), f('b', 1), f('a', 5)];
    expect(names(sortEntries(es, { key: 'size', dir: 'asc' }))).toEqual(['b', 'a', 'x']);
    // Ties stay in name order whichever the direction.
    expect(names(sortEntries(es, { key: 'size', dir: 'desc' }))).toEqual(['a', 'x', 'b']);
  });

  it('sorts by modification date, unknown dates first', () => {
    const es = [
      f('new', 0, '2026-05-01T00:00:00Z'),
      f('old', 0, '2020-01-01T00:00:00Z'),
      { ...f('none'), modifiedAt: null },
    ];
    expect(names(sortEntries(es, { key: 'modified', dir: 'asc' }))).toEqual(['none', 'old', 'new']);
  });

  it('sorts by type label', () => {
    const es = [{ ...f('v.mp4'), type: 'video' as const }, { ...f('r.pdf'), type: 'pdf' as const }, f('a.png')];
    expect(names(sortEntries(es, { key: 'type', dir: 'asc' }))).toEqual(['a.png', 'r.pdf', 'v.mp4']);
  });

  it('does not modify its input', () => {
    const copy = entries.slice();
    sortEntries(entries, { key: 'size', dir: 'desc' });
    expect(entries).toEqual(copy);
  });
});

describe('filters', () => {
  it('matches every word of the name filter, ignoring case', () => {
    expect(matchesNameFilter('Quarterly Report 2024.pdf', 'report')).toBe(true);
    expect(matchesNameFilter('Quarterly Report 2024.pdf', 'REP 2024')).toBe(true);
    expect(matchesNameFilter('Quarterly Report 2024.pdf', 'rep 2023')).toBe(false);
    expect(matchesNameFilter('anything', '   ')).toBe(true);
  });

  it('combines the name filter, the type filter and the sort', () => {
    const es = [
      { ...f('b.pdf'), type: 'pdf' as const },
      { ...f('a.pdf'), type: 'pdf' as const },
      { ...f('a.png'), type: 'image' as const },
      d('archive'),
    ];
    expect(names(visibleEntries(es, 'a', 'documents', { key: 'name', dir: 'asc' }))).toEqual(['archive', 'a.pdf']);
    expect(names(visibleEntries(es, '', 'images', { key: 'name', dir: 'asc' }))).toEqual(['archive', 'a.png']);
  });

  it('stays fast on 5,000 entries', () => {
    const many = Array.from({ length: 5000 }, (_, i) => f(`file ${i}.txt`, i));
    const t = performance.now();
    for (let i = 0; i < 10; i++) visibleEntries(many, '4', 'all', { key: 'name', dir: 'asc' });
    expect((performance.now() - t) / 10).toBeLessThan(100);
  });
});

describe('sort changes', () => {
  it('flips the direction on the same column and starts a new one ascending (dates newest first)', () => {
    expect(nextSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(nextSort({ key: 'name', dir: 'desc' }, 'size')).toEqual({ key: 'size', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'modified')).toEqual({ key: 'modified', dir: 'desc' });
  });

  it('cycles through the columns', () => {
    let s = { key: 'name' as const, dir: 'asc' as const } as Parameters<typeof cycleSortKey>[0];
    const seen = [];
    for (let i = 0; i < 4; i++) {
      s = cycleSortKey(s);
      seen.push(s.key);
    }
    expect(seen).toEqual(['size', 'modified', 'type', 'name']);
  });
});
