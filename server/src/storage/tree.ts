import { randomUUID } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { DIR_FLAGS, ignore, isCode, SafeDir } from './paths.ts';

/**
 * Walking a tree an app may have shaped. A recursive walk holds one descriptor per level, and an
 * app can nest folders tens of thousands deep through a writable grant: the server ran out of
 * descriptors, and usage, uploads and deletes all failed. This walk is a loop over an explicit
 * stack in which only the deepest WINDOW levels keep their descriptor. A level whose descriptor
 * was closed is reopened on the way back up, through its child's "..", and must be the very
 * folder (device and inode) it was on the way down: a tree moved meanwhile is never followed
 * elsewhere, the part of it not walked yet is reported as changed instead. Every entry is still
 * reached only through its parent's descriptor and lstat, never through a path or a symlink.
 */

/** Descriptors a walk holds besides the folder it starts from (and closes still in flight). */
const WINDOW = 32;
/** Entries lstat'ed at once: one at a time leaves the thread pool idle, all at once floods it. */
const BATCH = 64;
/**
 * Levels a walk goes down. It bounds memory (a level costs a few hundred bytes while the walk is
 * below it), not descriptors; what is deeper is reported (`tooDeep`), never an error.
 */
export const MAX_WALK_DEPTH = 50_000;

export interface WalkVisitor {
  /** Anything but a folder (a file, link, FIFO…): `name` in `dir`; `stats` as lstat saw it, if asked for. */
  entry?(dir: SafeDir, name: Buffer, stats?: Stats): void | Promise<void>;
  /** The folder `name` in `dir` was walked to its end (its own descriptor is closed by now). */
  left?(dir: SafeDir, name: Buffer): void | Promise<void>;
  /** The folder `name` in `dir` is as deep as the walk goes: it is not entered. */
  tooDeep?(dir: SafeDir, name: Buffer): void | Promise<void>;
}

export interface WalkOptions {
  /** lstat every entry that is not a folder for `entry` (folders never need it: O_DIRECTORY|O_NOFOLLOW decides). */
  lstat?: boolean;
  maxDepth?: number;
}

export interface WalkReport {
  /** Folders not entered because they are deeper than the walk goes. */
  tooDeep: number;
  /** Times part of the tree was left out because it moved under the walk. */
  changed: number;
}

interface Frame {
  /** Null once closed to stay within WINDOW. */
  dir: SafeDir | null;
  /** Device and inode, found as it is closed: what it must still be when reopened. */
  id: Promise<{ dev: bigint; ino: bigint } | null> | null;
  /** Entries not handled yet (emptied once all are taken). */
  entries: Dirent<Buffer>[];
  next: number;
  /** Non-folders lstat'ed ahead, by entry index (made when first needed). */
  stats: Map<number, Stats | null> | null;
  /** Its name in the frame below, when the visitor has `left`. */
  name: Buffer | null;
}

/**
 * Visits everything below `top`, depth first, holding at most WINDOW descriptors besides it. The
 * steps that wait on each other are one open and one readdir per level down; the way back up
 * reopens closed levels WINDOW at a time, in parallel.
 */
export async function walkTree(top: SafeDir, visitor: WalkVisitor, options: WalkOptions = {}): Promise<WalkReport> {
  const { lstat = false, maxDepth = MAX_WALK_DEPTH } = options;
  const report: WalkReport = { tooDeep: 0, changed: 0 };
  const background = new Background();
  const stack: Frame[] = [await frameOf(top, null)];
  // Frames 1 … lowestOpen-1 are closed; lowestOpen … the last are open (as the top one always is).
  let lowestOpen = 1;
  try {
    for (;;) {
      const frame = stack.at(-1)!;
      const dir = frame.dir!;
      if (frame.next < frame.entries.length) {
        const index = frame.next++;
        const entry = frame.entries[index]!;
        if (!entry.isDirectory()) {
          if (lstat && !frame.stats?.has(index)) await lstatAhead(frame, dir, index);
          const stats = frame.stats?.get(index);
          frame.stats?.delete(index);
          // Gone meanwhile (stats null): nothing to visit.
          if (stats !== null) await visitor.entry?.(dir, entry.name, stats);
        } else if (stack.length > maxDepth) {
          report.tooDeep++;
          await visitor.tooDeep?.(dir, entry.name);
        } else {
          const child = await openChild(dir, entry.name);
          if (child) {
            // The name is kept only for `left`: a frame is what a level costs while the walk is below it.
            stack.push(await frameOf(child, visitor.left ? entry.name : null));
            if (stack.length - lowestOpen > WINDOW) background.add(retire(stack[lowestOpen++]!));
          }
        }
        if (frame.next >= frame.entries.length) frame.entries = [];
        continue;
      }
      if (stack.length === 1) return report;
      stack.pop();
      if (!stack.at(-1)!.dir) lowestOpen -= await reopen(stack, dir);
      background.add(dir.close());
      const parent = stack.at(-1)!;
      if (!parent.dir) {
        // Moved away (or replaced) while the walk was below it: what was not walked yet stays so.
        report.changed++;
        while (stack.length > 1 && !stack.at(-1)!.dir) stack.pop();
        lowestOpen = stack.length;
        continue;
      }
      await visitor.left?.(parent.dir, frame.name!);
    }
  } finally {
    for (const frame of stack.slice(1)) background.add(frame.dir?.close());
    await background.settled();
  }
}

/** Promises nobody waits for one by one (closing descriptors), settled before the walk returns. */
class Background {
  readonly #pending = new Set<Promise<unknown>>();
  #error: unknown = null;
  add(p: Promise<unknown> | undefined): void {
    if (!p) return;
    const tracked = p.catch((err: unknown) => (this.#error ??= err)).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }
  async settled(): Promise<void> {
    await Promise.all(this.#pending);
    if (this.#error) throw this.#error;
  }
}

async function frameOf(dir: SafeDir, name: Buffer | null): Promise<Frame> {
  const entries = await fs.readdir(dir.at(), { encoding: 'buffer', withFileTypes: true }).catch((err) => {
    ignore(err, 'ENOENT', 'ENOTDIR', 'EACCES');
    return [];
  });
  return { dir, id: null, entries, next: 0, stats: null, name };
}

/** lstat of the next BATCH non-folders from `index` on, at once. What vanished or cannot be seen is null. */
async function lstatAhead(frame: Frame, dir: SafeDir, index: number): Promise<void> {
  const batch: number[] = [];
  for (let i = index; i < frame.entries.length && batch.length < BATCH; i++) {
    if (!frame.entries[i]!.isDirectory()) batch.push(i);
  }
  const stats = await Promise.all(batch.map((i) => fs.lstat(dir.at(frame.entries[i]!.name)).catch(() => null)));
  const ahead = (frame.stats ??= new Map());
  batch.forEach((i, k) => ahead.set(i, stats[k]!));
}

/** The folder `name` of `dir`, or null if it is not a folder (any more): never through a symlink. */
async function openChild(dir: SafeDir, name: Buffer): Promise<SafeDir | null> {
  try {
    return new SafeDir(await fs.open(dir.at(name), DIR_FLAGS));
  } catch (err) {
    ignore(err, 'ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES');
    return null;
  }
}

/** Closes a frame's descriptor, noting first which folder it is. */
async function retire(frame: Frame): Promise<void> {
  const dir = frame.dir!;
  frame.dir = null;
  frame.id = dir.handle.stat({ bigint: true }).then(
    ({ dev, ino }) => ({ dev, ino }),
    () => null,
  );
  await frame.id;
  await dir.close();
}

/**
 * Reopens up to WINDOW closed frames below the top of `stack` through `child`'s "..", "../..", …
 * at once; each must be the folder it was when closed. Returns how many were reopened (the
 * nearest ones, up to the first that is not the same folder any more).
 */
async function reopen(stack: Frame[], child: SafeDir): Promise<number> {
  const count = Math.min(WINDOW, stack.length - 1);
  const frames = stack.slice(stack.length - count).reverse();
  const opened = await Promise.all(
    frames.map(async (frame, i) => {
      const handle = await fs.open(`${child.at()}${'/..'.repeat(i + 1)}`, DIR_FLAGS).catch(() => null);
      const [now, then] = await Promise.all([handle?.stat({ bigint: true }), frame.id]);
      return { handle, same: !!now && !!then && now.dev === then.dev && now.ino === then.ino };
    }),
  );
  let reopened = 0;
  for (const [i, { handle, same }] of opened.entries()) {
    if (same && reopened === i) {
      frames[i]!.dir = new SafeDir(handle!);
      frames[i]!.id = null;
      reopened++;
    } else await handle?.close();
  }
  return reopened;
}

/** Bytes of the regular files below an open folder (links are never followed; sizes as lstat says). */
export async function treeBytes(dir: SafeDir): Promise<{ bytes: number } & WalkReport> {
  let bytes = 0;
  const report = await walkTree(
    dir,
    {
      entry: (_dir, _name, stats) => {
        if (stats?.isFile()) bytes += stats.size;
      },
    },
    { lstat: true },
  );
  return { bytes, ...report };
}

/**
 * Removes `target` and everything below it, at any depth: for what only the server writes to
 * (trash slots, debris). fs.rm cannot: it builds paths, and a path 25,000 folders deep is longer
 * than the kernel takes (ENAMETOOLONG). Gone already is fine; a symlink is removed, not followed.
 */
export async function removeTree(target: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(target, DIR_FLAGS);
  } catch (err) {
    if (isCode(err, 'ENOENT')) return;
    if (!isCode(err, 'ENOTDIR', 'ELOOP')) throw err;
    await fs.unlink(target).catch((e) => ignore(e, 'ENOENT'));
    return;
  }
  const dir = new SafeDir(handle);
  try {
    await emptyFolder(dir);
  } finally {
    await dir.close();
  }
  await fs.rmdir(target).catch((err) => ignore(err, 'ENOENT'));
}

/** Passes of emptyFolder: 3.2 million levels, and an end if something keeps writing into the tree. */
const MAX_PASSES = 100_000;

/**
 * Each pass removes what is within WINDOW levels, with every descriptor held (no ".." on the way
 * back), and moves each folder deeper than that up to `top`, where the next pass takes it.
 */
async function emptyFolder(top: SafeDir): Promise<void> {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let progress = 0;
    const done = () => {
      progress++;
    };
    // What changed kind since it was listed (a folder now, or a file) is taken by the next pass.
    await walkTree(
      top,
      {
        entry: (dir, name) => fs.unlink(dir.at(name)).then(done, (err) => ignore(err, 'ENOENT', 'EISDIR')),
        left: (dir, name) => fs.rmdir(dir.at(name)).then(done, (err) => ignore(err, 'ENOENT', 'ENOTEMPTY', 'ENOTDIR')),
        tooDeep: (dir, name) => fs.rename(dir.at(name), top.at(`deeper-${randomUUID()}`)).then(done),
      },
      { maxDepth: WINDOW },
    );
    const left = await fs.readdir(top.at());
    if (left.length === 0) return;
    if (progress === 0) throw new Error(`cannot empty a folder: ${left.length} entries will not go`);
  }
  throw new Error(`cannot empty a folder: still not empty after ${MAX_PASSES} passes`);
}
