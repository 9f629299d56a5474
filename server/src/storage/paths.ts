import fs from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { splitExtension } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';

/**
 * Client-supplied storage paths, and how they reach the disk.
 *
 * Why descriptors and not names: apps in sandboxes can write into these folders, so any component
 * of a path that was a plain folder a moment ago may be a symlink to `/etc` now. Checking a name
 * (lstat, realpath) and then using that name leaves a window in which it can change. Instead the
 * path is opened one component at a time, each relative to the already-open parent and with
 * O_NOFOLLOW, and the final operation names its target through the parent's descriptor
 * (`/proc/self/fd/N/name`). A component swapped after we looked is then either refused by the
 * kernel (ELOOP/ENOTDIR) or is merely another entry of a folder that is inside the root: there is
 * no name left to re-resolve. rename, link and unlink act on a final symlink itself, never on its
 * target, and files are read with O_NOFOLLOW. Sandboxes cannot move a folder out of the root
 * either: their bind mounts are separate mounts, and rename across mounts fails (EXDEV).
 * Symlinks are refused wherever they appear, also those that stay inside the root: nothing here
 * needs them, and "inside" would have to be re-checked at every use.
 */

const MAX_PATH_BYTES = 4096;
const MAX_SEGMENT_BYTES = 255;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// O_NONBLOCK: opening a FIFO an app left behind must fail fast instead of blocking a libuv thread.
const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export const badPath = (message: string) => new DomainError(400, 'bad-path', message);

/** C0 and C1 control characters and DEL: invisible in listings, and terminals act on some. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** Why `name` cannot be a file or folder name, or null when it can. */
export function segmentProblem(name: string): string | null {
  if (name === '') return 'the path has an empty component ("//")';
  if (name === '.' || name === '..') return `"${name}" is not allowed as a name`;
  if (!name.isWellFormed()) return 'a name is not valid Unicode';
  if (hasControl(name)) return 'names may not contain control characters';
  if (name.includes('/')) return 'names may not contain "/"';
  if (name.trim() === '') return 'a name may not be only whitespace';
  if (Buffer.byteLength(name) > MAX_SEGMENT_BYTES) return `a name may be at most ${MAX_SEGMENT_BYTES} bytes long`;
  return null;
}

/** Splits a relative storage path into its names ("" is the root; one trailing "/" is ignored). */
export function parseStoragePath(input: string): string[] {
  if (input === '') return [];
  if (Buffer.byteLength(input) > MAX_PATH_BYTES) throw badPath(`the path is longer than ${MAX_PATH_BYTES} bytes`);
  if (input.startsWith('/')) throw badPath('the path must be relative to your storage root (no leading "/")');
  const segments = (input.endsWith('/') ? input.slice(0, -1) : input).split('/');
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) throw badPath(problem);
  }
  return segments;
}

export const joinStoragePath = (segments: readonly string[]) => segments.join('/');

/**
 * The `n`th name to keep both under: "report.pdf", 2 → "report (2).pdf" (the number goes before the
 * extension, as `splitExtension` finds it). A name already numbered counts on ("report (2).pdf",
 * 2 → "report (3).pdf"); a name that would grow past the limit is shortened before the number,
 * never in the middle of a character.
 */
export function numberedName(name: string, n: number): string {
  const [base, ext] = splitExtension(name);
  const numbered = /^(.*) \((\d{1,6})\)$/s.exec(base);
  const stem = numbered ? numbered[1]! : base;
  const number = numbered ? Number(numbered[2]) + n - 1 : n;
  const fitted = fit(stem, ` (${number})${ext}`);
  // An extension so long that nothing of the name is left: number the whole name instead.
  return fitted.trim() === '' ? fit(name, ` (${number})`) + ` (${number})` : fitted + ` (${number})${ext}`;
}

/** As much of `stem` as fits before `suffix` in one name, cut between characters. */
function fit(stem: string, suffix: string): string {
  const chars = [...stem];
  while (chars.length > 0 && Buffer.byteLength(chars.join('') + suffix) > MAX_SEGMENT_BYTES) chars.pop();
  return chars.join('');
}

export type EntryKind = 'file' | 'folder';

/** Only regular files and folders exist for users; symlinks, FIFOs, sockets and devices do not. */
export function kindOf(stats: Stats): EntryKind | null {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'folder';
  return null;
}

/** A folder opened through descriptors only (see above); close it when done. */
export class SafeDir {
  readonly handle: fs.FileHandle;
  constructor(handle: fs.FileHandle) {
    this.handle = handle;
  }
  /** This folder itself, or one of its entries, addressed through the open descriptor. */
  at(name?: string): string {
    return name === undefined ? `/proc/self/fd/${this.handle.fd}` : `/proc/self/fd/${this.handle.fd}/${name}`;
  }
  close(): Promise<void> {
    return this.handle.close();
  }
}

/** lstat of an entry, or null when there is none. */
export async function lstatIn(dir: SafeDir, name: string): Promise<Stats | null> {
  try {
    return await fs.lstat(dir.at(name));
  } catch (err) {
    if (isCode(err, 'ENOENT')) return null;
    throw err;
  }
}

/**
 * Opens the folder `segments` below `root` without following any symlink. With `create`, missing
 * folders are made (mode 0700) on the way.
 */
export async function openDir(root: string, segments: readonly string[], create = false): Promise<SafeDir> {
  let dir = new SafeDir(await fs.open(root, DIR_FLAGS));
  try {
    for (const [i, name] of segments.entries()) {
      if (create) await fs.mkdir(dir.at(name), { mode: 0o700 }).catch((err) => ignore(err, 'EEXIST'));
      let next: fs.FileHandle;
      try {
        next = await fs.open(dir.at(name), DIR_FLAGS);
      } catch (err) {
        throw await explain(err, dir, name, joinStoragePath(segments.slice(0, i + 1)), 'folder');
      }
      await dir.close();
      dir = new SafeDir(next);
    }
    return dir;
  } catch (err) {
    await dir.close();
    throw err;
  }
}

/** Opens a regular file of `dir` for reading; `shown` names it in errors. */
export async function openFile(dir: SafeDir, name: string, shown: string): Promise<fs.FileHandle> {
  let file: fs.FileHandle;
  try {
    file = await fs.open(dir.at(name), FILE_FLAGS);
  } catch (err) {
    throw await explain(err, dir, name, shown, 'file');
  }
  try {
    const stats = await file.stat();
    if (stats.isDirectory()) throw new DomainError(400, 'not-a-file', `"${shown}" is a folder, not a file`);
    if (!stats.isFile()) throw badPath(`"${shown}" is not a regular file`);
    return file;
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** Turns an open() failure into a refusal the user can understand. */
async function explain(err: unknown, dir: SafeDir, name: string, shown: string, wanted: EntryKind): Promise<unknown> {
  if (isCode(err, 'ENOENT')) return new DomainError(404, 'not-found', `there is no ${wanted} "${shown}"`);
  if (isCode(err, 'ELOOP')) return badPath(`"${shown}" is a symbolic link; links are not followed`);
  if (isCode(err, 'ENXIO')) return badPath(`"${shown}" is not a regular file`);
  if (isCode(err, 'ENOTDIR')) {
    // O_DIRECTORY|O_NOFOLLOW reports a symlink as ENOTDIR too: tell the two apart for the message.
    const stats = await lstatIn(dir, name).catch(() => null);
    if (stats?.isSymbolicLink()) return badPath(`"${shown}" is a symbolic link; links are not followed`);
    return new DomainError(400, 'not-a-folder', `"${shown}" is not a folder`);
  }
  return err;
}

/** Bytes of the regular files in the folder `name` of `dir`, never following symlinks. */
export function folderSize(dir: SafeDir, name: string): Promise<number> {
  return sizeBelow(dir.at(name));
}

/** Bytes of the regular files below an open folder, never following symlinks. */
export async function treeSize(dir: SafeDir): Promise<number> {
  let total = 0;
  const prefix = Buffer.from(dir.at() + '/');
  // Raw names: a name that is not valid UTF-8 must still be counted.
  const children = (await fs.readdir(dir.at(), { encoding: 'buffer' })).map((raw) => Buffer.concat([prefix, raw]));
  // lstat in batches: one at a time leaves the thread pool idle; all at once floods it.
  for (let i = 0; i < children.length; i += 64) {
    const batch = children.slice(i, i + 64);
    const stats = await Promise.all(batch.map((child) => fs.lstat(child).catch(() => null)));
    for (const [j, s] of stats.entries()) {
      if (s?.isFile()) total += s.size;
      if (s?.isDirectory()) total += await sizeBelow(batch[j]!);
    }
  }
  return total;
}

// An app may change the tree while it is summed: what vanished or turned into a link counts 0.
async function sizeBelow(folder: string | Buffer): Promise<number> {
  const handle = await fs.open(folder, DIR_FLAGS).catch(() => null);
  if (!handle) return 0;
  const dir = new SafeDir(handle);
  try {
    return await treeSize(dir);
  } finally {
    await dir.close();
  }
}

export function isCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

export function ignore(err: unknown, ...codes: string[]): void {
  if (!isCode(err, ...codes)) throw err;
}
