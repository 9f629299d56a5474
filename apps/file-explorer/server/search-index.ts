import fs from 'node:fs';
import path from 'node:path';
import { FILES, type FileRoot, openNoFollow } from './paths.ts';
import type { WalkState } from './search-contract.ts';
import { fold } from './search-fold.ts';

// The names of everything the session's grants show, kept for the session and brought up to date
// on each search: a folder's listing is read again only when the folder itself changed (its ctime
// and inode: adding, removing or renaming inside a folder changes its times), so a warm search
// costs one lstat per folder. The walk never follows a link and lists only files and folders,
// and it is bounded (depth, entries, time); a walk cut short resumes at the next search.

/** Deeper folders are not walked (a tree this deep is either generated or hostile). */
export const MAX_DEPTH = 32;
/** Entries kept at most (names of 200,000 files: a few tens of MB). */
export const MAX_ENTRIES = 200_000;
/** Folders read at once: the disk and the thread pool overlap the work. */
const CONCURRENCY = 8;

export interface IndexedEntry {
  name: string;
  /** `fold(name)`, computed once. */
  folded: string;
  kind: 'file' | 'folder';
}

interface Folder {
  /** Sandbox path. */
  path: string;
  depth: number;
  ctimeMs: number;
  ino: number;
  entries: IndexedEntry[];
}

export interface IndexView {
  /** Every folder reached, with what is in it. */
  folders: Array<{ path: string; entries: readonly IndexedEntry[] }>;
  /** Grants that are a single file rather than a folder. */
  files: Array<{ path: string; entry: IndexedEntry }>;
  walk: WalkState;
  /** Folders that could not be read (the kernel refused, or gone while walking). */
  unreadable: string[];
}

export class NameIndex {
  readonly #root: FileRoot;
  readonly #grants: readonly string[];
  readonly #folders = new Map<string, Folder>();
  #refreshing: Promise<IndexView> | null = null;

  constructor(root: FileRoot, grants: readonly string[]) {
    this.#root = root;
    this.#grants = grants;
  }

  /** The index, brought up to date first; searches arriving meanwhile share the same refresh. */
  refresh(budgetMs: number): Promise<IndexView> {
    this.#refreshing ??= this.#walk(budgetMs).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #walk(budgetMs: number): Promise<IndexView> {
    const deadline = Date.now() + budgetMs;
    const seen = new Set<string>();
    const view: IndexView = { folders: [], files: [], walk: 'complete', unreadable: [] };
    let entries = 0;
    const queue: Array<{ path: string; depth: number }> = [];

    for (const grant of this.#grants) {
      const st = await fs.promises.lstat(this.#root.toReal(grant)).catch(() => null);
      if (st?.isDirectory()) queue.push({ path: grant, depth: 0 });
      else if (st?.isFile()) {
        const name = grant === FILES ? 'Files' : path.posix.basename(grant);
        view.files.push({ path: grant, entry: { name, folded: fold(name), kind: 'file' } });
      } else view.unreadable.push(grant);
    }

    const visit = async (item: { path: string; depth: number }) => {
      const folder = await this.#folder(item.path, item.depth);
      if (!folder) {
        view.unreadable.push(item.path);
        return;
      }
      seen.add(item.path);
      view.folders.push(folder);
      entries += folder.entries.length;
      for (const e of folder.entries) {
        if (e.kind !== 'folder') continue;
        if (item.depth + 1 > MAX_DEPTH) {
          if (view.walk === 'complete') view.walk = 'depth';
          continue;
        }
        queue.push({ path: path.posix.join(item.path, e.name), depth: item.depth + 1 });
      }
    };

    // A pool of workers taking folders off one queue (breadth first: a walk cut short has seen
    // the shallow folders, where people keep most things).
    const worker = async () => {
      for (;;) {
        const item = queue.shift();
        if (!item) return;
        if (Date.now() > deadline) {
          view.walk = 'time';
          queue.length = 0;
          return;
        }
        if (entries >= MAX_ENTRIES) {
          view.walk = 'entries';
          queue.length = 0;
          return;
        }
        await visit(item);
      }
    };
    // Workers stop when the queue is empty for a moment, though a folder being read may add to
    // it: start them again until nothing is left.
    while (queue.length > 0) await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Folders no longer reached (removed, renamed, now behind a link) are forgotten, unless the
    // walk was cut short: then they may simply not have been visited this time.
    if (view.walk === 'complete' || view.walk === 'depth') {
      for (const p of this.#folders.keys()) if (!seen.has(p)) this.#folders.delete(p);
    }
    return view;
  }

  /** A folder's entries: the cached ones if it did not change, else read again (never through a link). */
  async #folder(sandboxPath: string, depth: number): Promise<Folder | null> {
    const real = this.#root.toReal(sandboxPath);
    const st = await fs.promises.lstat(real).catch(() => null);
    if (!st?.isDirectory()) {
      this.#folders.delete(sandboxPath);
      return null;
    }
    const cached = this.#folders.get(sandboxPath);
    if (cached && cached.ctimeMs === st.ctimeMs && cached.ino === st.ino) {
      cached.depth = depth;
      return cached;
    }
    let dir: fs.promises.FileHandle;
    try {
      dir = await openNoFollow(real, fs.constants.O_DIRECTORY);
    } catch {
      this.#folders.delete(sandboxPath);
      return null;
    }
    try {
      // Through the descriptor checked above: what is listed is what was opened. The entry types
      // come from the directory itself (no stat, no link followed).
      const dirents = await fs.promises.readdir(`/proc/self/fd/${dir.fd}`, { withFileTypes: true });
      const entries: IndexedEntry[] = [];
      for (const d of dirents) {
        const kind = d.isDirectory() ? 'folder' : d.isFile() ? 'file' : null;
        if (kind) entries.push({ name: d.name, folded: fold(d.name), kind });
      }
      const folder: Folder = { path: sandboxPath, depth, ctimeMs: st.ctimeMs, ino: st.ino, entries };
      this.#folders.set(sandboxPath, folder);
      return folder;
    } catch {
      this.#folders.delete(sandboxPath);
      return null;
    } finally {
      await dir.close();
    }
  }
}
