import { matchesTypeFilter, typeLabel, type TypeFilter } from './fileTypes.ts';
import { toMillis } from './format.ts';
import type { Entry } from './types.ts';

export type SortKey = 'name' | 'size' | 'modified' | 'type';
export type SortDir = 'asc' | 'desc';
export interface SortState {
  key: SortKey;
  dir: SortDir;
}

export const SORT_KEYS: SortKey[] = ['name', 'size', 'modified', 'type'];

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Sorted copy. Folders always come first (in either direction); within a group the chosen column
 * decides, ties broken by name ascending so the order is stable and predictable.
 */
export function sortEntries(entries: readonly Entry[], sort: SortState): Entry[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = entries.map((e) => ({
    e,
    size: e.kind === 'folder' ? -1 : (e.size ?? -1),
    modified: toMillis(e.modifiedAt) ?? -Infinity,
    type: sort.key === 'type' ? typeLabel(e) : '',
  }));
  keyed.sort((x, y) => {
    const fx = x.e.kind === 'folder' ? 0 : 1;
    const fy = y.e.kind === 'folder' ? 0 : 1;
    if (fx !== fy) return fx - fy;
    let c = 0;
    switch (sort.key) {
      case 'name':
        c = compareNames(x.e.name, y.e.name);
        break;
      case 'size':
        c = x.size - y.size;
        break;
      case 'modified':
        c = x.modified === y.modified ? 0 : x.modified < y.modified ? -1 : 1;
        break;
      case 'type':
        c = compareNames(x.type, y.type);
        break;
    }
    if (c !== 0) return c * sign;
    return compareNames(x.e.name, y.e.name);
  });
  return keyed.map((k) => k.e);
}

/** Case-insensitive substring match on the name; whitespace-separated words must all match. */
export function matchesNameFilter(name: string, filter: string): boolean {
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const n = name.toLowerCase();
  return words.every((w) => n.includes(w));
}

export function visibleEntries(
  entries: readonly Entry[],
  nameFilter: string,
  typeFilter: TypeFilter,
  sort: SortState,
): Entry[] {
  const kept = entries.filter((e) => matchesNameFilter(e.name, nameFilter) && matchesTypeFilter(e, typeFilter));
  return sortEntries(kept, sort);
}

/** Clicking a header: same column flips direction; a new column starts ascending (dates: newest first). */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'modified' ? 'desc' : 'asc' };
}

/** The keyboard's `s`: move to the next column, keeping its natural first direction. */
export function cycleSortKey(current: SortState): SortState {
  const i = SORT_KEYS.indexOf(current.key);
  const key = SORT_KEYS[(i + 1) % SORT_KEYS.length] ?? 'name';
  return { key, dir: key === 'modified' ? 'desc' : 'asc' };
}
