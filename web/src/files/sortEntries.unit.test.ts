import { describe, expect, it } from 'vitest';
import type { FileEntry } from './filesApi.ts';
import { nextSortOrder, sortEntries } from './sortEntries.ts';

const entry = (name: string, kind: FileEntry['kind'], size = 0, modifiedAt = '2025-01-01T00:00:00Z'): FileEntry => ({
  name,
  path: name,
  kind,
  size,
  modifiedAt,
});

const names = (list: FileEntry[]) => list.map((e) => e.name);

describe('sortEntries', () => {
  const entries = [
    entry('b10.txt', 'file', 5, '2025-03-01T00:00:00Z'),
    entry('Zed', 'folder'),
    entry('b2.txt', 'file', 50, '2025-01-01T00:00:00Z'),
    entry('alpha', 'folder'),
    entry('a.txt', 'file', 5, '2025-02-01T00:00:00Z'),
  ];

  it('puts folders first, names in natural order, case aside', () => {
    expect(names(sortEntries(entries, 'name', true))).toEqual(['alpha', 'Zed', 'a.txt', 'b2.txt', 'b10.txt']);
  });

  it('keeps folders first when descending', () => {
    expect(names(sortEntries(entries, 'name', false))).toEqual(['Zed', 'alpha', 'b10.txt', 'b2.txt', 'a.txt']);
  });

  it('sorts by size, names breaking ties', () => {
    expect(names(sortEntries(entries, 'size', true))).toEqual(['alpha', 'Zed', 'a.txt', 'b10.txt', 'b2.txt']);
  });

  it('sorts by modification time', () => {
    expect(names(sortEntries(entries, 'modified', false))).toEqual(['Zed', 'alpha', 'b10.txt', 'a.txt', 'b2.txt']);
  });

  it('leaves its input alone', () => {
    const copy = [...entries];
    sortEntries(entries, 'size', false);
    expect(entries).toEqual(copy);
  });
});

describe('nextSortOrder', () => {
  it('turns the current column round, and starts another ascending', () => {
    expect(nextSortOrder({ key: 'name', asc: true }, 'name')).toEqual({ key: 'name', asc: false });
    expect(nextSortOrder({ key: 'name', asc: false }, 'size')).toEqual({ key: 'size', asc: true });
  });
});
