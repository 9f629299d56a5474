/** Moving entries into a folder: which moves make sense, and doing them one by one. */
import { describeError, displayPath, isWithin, joinPath, parentPath } from '../shared/format.ts';
import type { FileEntry } from './filesApi.ts';
import { moveEntry } from './filesApi.ts';

/** Why `entry` cannot go into `folder`, or null when it can ("already there" is a reason too). */
export function moveProblem(entry: Pick<FileEntry, 'kind' | 'path' | 'name'>, folder: string): string | null {
  if (entry.kind === 'folder' && isWithin(folder, entry.path)) {
    return `${entry.name} cannot be moved into itself.`;
  }
  if (parentPath(entry.path) === joinPath(folder, '')) return `${entry.name} is already there.`;
  return null;
}

/** Whether dropping or moving `entries` into `folder` would move at least one and put none into itself. */
export function canMoveInto(entries: readonly Pick<FileEntry, 'kind' | 'path' | 'name'>[], folder: string): boolean {
  if (entries.some((e) => e.kind === 'folder' && isWithin(folder, e.path))) return false;
  return entries.some((e) => moveProblem(e, folder) === null);
}

export interface MoveOutcome {
  moved: FileEntry[];
  /** What could not be moved, and why, as sentences. */
  failed: string[];
}

/**
 * Moves each entry into `folder` (never replacing: a taken name fails for that entry only);
 * entries already there are left alone.
 */
export async function moveEntries(entries: readonly FileEntry[], folder: string): Promise<MoveOutcome> {
  const outcome: MoveOutcome = { moved: [], failed: [] };
  for (const entry of entries) {
    const problem = moveProblem(entry, folder);
    if (problem) {
      if (entry.kind === 'folder' && isWithin(folder, entry.path)) outcome.failed.push(problem);
      continue;
    }
    try {
      outcome.moved.push(await moveEntry(entry, joinPath(folder, entry.name)));
    } catch (err) {
      outcome.failed.push(`${entry.name} could not be moved to ${displayPath(folder)}: ${describeError(err)}`);
    }
  }
  return outcome;
}

/** "Moved Contract.pdf to /Reports", "Moved 3 items to All files". */
export function movedText(moved: readonly FileEntry[], folder: string): string {
  const what = moved.length === 1 ? moved[0]!.name : `${moved.length} items`;
  return `Moved ${what} to ${displayPath(folder)}`;
}
