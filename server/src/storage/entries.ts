import type { Stats } from 'node:fs';
import type { FileEntry } from '@vitrine/protocol';
import {
  kindOf,
  needsRef,
  shownName,
  shownPath,
  specialOf,
  storageRefOf,
  type DiskName,
  type EntryKind,
} from './paths.ts';

/** Entries as the owner sees them, whatever an app named or made them. */

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const KIND_ORDER: Record<EntryKind, number> = { folder: 0, file: 1, special: 2 };

/** Folders, then files, then special entries; each by name, in natural order. */
export const byKindAndName = (a: FileEntry, b: FileEntry) =>
  a.kind === b.kind ? collator.compare(a.name, b.name) : KIND_ORDER[a.kind] - KIND_ORDER[b.kind];

/** A folder's path as entries below it need it: shown, and whether a path can address them. */
export interface Parent {
  segments: DiskName[];
  shown: string;
  odd: boolean;
}

export function parentOf(segments: DiskName[]): Parent {
  return { segments, shown: shownPath(segments), odd: needsRef(segments) };
}

export function entryOf(segments: DiskName[], stats: Stats): FileEntry {
  return entryIn(parentOf(segments.slice(0, -1)), segments.at(-1)!, stats);
}

/**
 * An entry as the owner sees it. A name the product would refuse (not UTF-8, control, bidi or
 * invisible characters) is shown escaped and marked, never as it is, and the entry carries the
 * exact bytes of its path (`ref`) to address it by; so does every entry below such a folder.
 */
export function entryIn(parent: Parent, name: DiskName, stats: Stats): FileEntry {
  const kind = kindOf(stats);
  const { shown, issues } = shownName(name);
  const special = specialOf(stats);
  return {
    name: shown,
    path: parent.shown === '' ? shown : `${parent.shown}/${shown}`,
    kind,
    size: kind === 'file' ? stats.size : 0,
    modifiedAt: stats.mtime.toISOString(),
    ...(special ? { special } : {}),
    ...(issues.length > 0 ? { nameIssues: issues } : {}),
    ...(parent.odd || issues.length > 0 ? { ref: storageRefOf([...parent.segments, name]) } : {}),
  };
}
