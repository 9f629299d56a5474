/** The order of a folder's entries in the Files table. */
import type { FileEntry } from './filesApi.ts';

export type SortKey = 'name' | 'size' | 'modified';

export interface SortOrder {
  key: SortKey;
  asc: boolean;
}

const KIND_ORDER: Record<FileEntry['kind'], number> = { folder: 0, file: 1, special: 2 };

/**
 * Folders first whatever the order, then files, then special entries (links, pipes) an app left;
 * each by `key`; names break ties, in natural order ("2" before "10").
 */
export function sortEntries(entries: readonly FileEntry[], key: SortKey, asc: boolean): FileEntry[] {
  const dir = asc ? 1 : -1;
  const byName = (a: FileEntry, b: FileEntry) =>
    a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  return [...entries].sort((a, b) => {
    if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
    let c = 0;
    if (key === 'size') c = a.size - b.size;
    else if (key === 'modified') c = Date.parse(a.modifiedAt) - Date.parse(b.modifiedAt);
    return (c || byName(a, b)) * dir;
  });
}

/** Clicking a column's header: that column ascending, or the other way round if it is already the one. */
export function nextSortOrder(current: SortOrder, key: SortKey): SortOrder {
  return { key, asc: current.key === key ? !current.asc : true };
}
