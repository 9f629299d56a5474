import fs from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { describeName, describeNameBytes, splitExtension, type ShownName, type SpecialKind } from '@vitrine/protocol';
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
/**
 * Folders the product addresses at most: a path or ref of more levels is refused. Apps can nest
 * deeper through a writable grant; the owner removes that by deleting a folder above it.
 */
export const MAX_DEPTH = 256;
export const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// O_NONBLOCK: opening a FIFO an app left behind must fail fast instead of blocking a libuv thread.
export const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

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
  if (segments.length > MAX_DEPTH) throw tooDeep();
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) throw badPath(problem);
  }
  return segments;
}

export const joinStoragePath = (segments: readonly string[]) => segments.join('/');

const tooDeep = () => badPath(`the path is more than ${MAX_DEPTH} folders deep; delete or move a folder above it`);

/**
 * A name as it is on disk: text when it is UTF-8, else its bytes. Only names of existing entries
 * (listed, or given back by `ref`) can be bytes; the product never creates such a name.
 */
export type DiskName = string | Buffer;

/** A name read from a folder, as text when that is exact. */
export function diskName(raw: Buffer): DiskName {
  const text = raw.toString('utf8');
  return Buffer.from(text).equals(raw) ? text : raw;
}

const bytesOf = (name: DiskName) => (typeof name === 'string' ? Buffer.from(name) : name);

export const sameName = (a: DiskName, b: DiskName) => bytesOf(a).equals(bytesOf(b));

/**
 * How a name is shown, and why not as it is; `issues` is empty exactly when the name can be sent
 * back in a path (else its entry carries a `ref`).
 */
export function shownName(name: DiskName): ShownName {
  const shown = typeof name === 'string' ? describeName(name) : describeNameBytes(name);
  // Whatever else a path refuses (a name of only spaces) is an issue too: shown marked, addressed by ref.
  if (shown.issues.length === 0 && typeof name === 'string' && segmentProblem(name))
    return { ...shown, issues: ['invisible'] };
  return shown;
}

/** The path shown for `segments` (each name escaped as `shownName` does). */
export const shownPath = (segments: readonly DiskName[]) => segments.map((s) => shownName(s).shown).join('/');

/** Whether `path` can address these segments (no name needs escaping), or only a ref can. */
export const needsRef = (segments: readonly DiskName[]) => segments.some((s) => shownName(s).issues.length > 0);

/** The ref of a path: its exact bytes, base64url, '/' between names. */
export function storageRefOf(segments: readonly DiskName[]): string {
  const slash = Buffer.from('/');
  return Buffer.concat(segments.flatMap((s, i) => (i === 0 ? [bytesOf(s)] : [slash, bytesOf(s)]))).toString(
    'base64url',
  );
}

/**
 * The names of a ref, exactly as on disk. Any bytes an existing entry can be named by are
 * accepted (that is the point); what no entry can be named ("", ".", "..", NUL) is refused.
 */
export function parseStorageRef(ref: string): DiskName[] {
  const bytes = Buffer.from(ref, 'base64url');
  // Buffer skips characters it cannot decode: re-encoding tells a sloppy ref from an exact one.
  if (!/^[A-Za-z0-9_-]*$/.test(ref) || bytes.toString('base64url') !== ref) throw badPath('the ref is not base64url');
  if (bytes.length === 0) return [];
  if (bytes.length > MAX_PATH_BYTES) throw badPath(`the path is longer than ${MAX_PATH_BYTES} bytes`);
  const segments: Buffer[] = [];
  for (let start = 0; start <= bytes.length;) {
    const end = bytes.indexOf(0x2f, start);
    segments.push(bytes.subarray(start, end === -1 ? bytes.length : end));
    start = end === -1 ? bytes.length + 1 : end + 1;
  }
  if (segments.length > MAX_DEPTH) throw tooDeep();
  for (const s of segments) {
    if (s.length === 0) throw badPath('the path has an empty component ("//")');
    if (s.equals(Buffer.from('.')) || s.equals(Buffer.from('..'))) throw badPath(`"${s}" is not allowed as a name`);
    if (s.includes(0)) throw badPath('a name cannot contain a NUL byte');
    if (s.length > MAX_SEGMENT_BYTES) throw badPath(`a name may be at most ${MAX_SEGMENT_BYTES} bytes long`);
  }
  return segments.map(diskName);
}

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

/** `numberedName` for any name on disk: bytes that are not UTF-8 get the number at their end. */
export function numberedDiskName(name: DiskName, n: number): DiskName {
  if (typeof name === 'string') return numberedName(name, n);
  const suffix = Buffer.from(` (${n})`);
  return Buffer.concat([name.subarray(0, MAX_SEGMENT_BYTES - suffix.length), suffix]);
}

/** As much of `stem` as fits before `suffix` in one name, cut between characters. */
function fit(stem: string, suffix: string): string {
  const chars = [...stem];
  while (chars.length > 0 && Buffer.byteLength(chars.join('') + suffix) > MAX_SEGMENT_BYTES) chars.pop();
  return chars.join('');
}

/** What users make and open: regular files and folders. */
export type PlainKind = 'file' | 'folder';
/** What can be in storage: plain entries, and what only apps make (links, FIFOs, sockets, devices). */
export type EntryKind = PlainKind | 'special';

export function kindOf(stats: Stats): EntryKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'folder';
  return 'special';
}

/** What a special entry is (never opened to find out: lstat says). */
export function specialOf(stats: Stats): SpecialKind | undefined {
  if (stats.isSymbolicLink()) return 'link';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
  return undefined;
}

/** A folder opened through descriptors only (see above); close it when done. */
export class SafeDir {
  readonly handle: fs.FileHandle;
  constructor(handle: fs.FileHandle) {
    this.handle = handle;
  }
  /** This folder itself, or one of its entries, addressed through the open descriptor. */
  at(): string;
  at(name: string): string;
  at(name: DiskName): string | Buffer;
  at(name?: DiskName): string | Buffer {
    const self = `/proc/self/fd/${this.handle.fd}`;
    if (name === undefined) return self;
    return typeof name === 'string' ? `${self}/${name}` : Buffer.concat([Buffer.from(`${self}/`), name]);
  }
  close(): Promise<void> {
    return this.handle.close();
  }
}

/** lstat of an entry, or null when there is none. */
export async function lstatIn(dir: SafeDir, name: DiskName): Promise<Stats | null> {
  try {
    return await fs.lstat(dir.at(name));
  } catch (err) {
    if (isCode(err, 'ENOENT')) return null;
    throw err;
  }
}

/**
 * Opens the folder `segments` below `root` without following any symlink. With `made`, missing
 * folders are made (mode 0700) on the way, and `made` is told each one it made.
 */
export async function openDir(
  root: string,
  segments: readonly DiskName[],
  made?: (folder: string | Buffer) => Promise<void>,
): Promise<SafeDir> {
  let dir = new SafeDir(await fs.open(root, DIR_FLAGS));
  try {
    for (const [i, name] of segments.entries()) {
      if (made) {
        const fresh = await fs.mkdir(dir.at(name), { mode: 0o700 }).then(
          () => true,
          (err: unknown) => {
            ignore(err, 'EEXIST');
            return false;
          },
        );
        if (fresh) await made(dir.at(name));
      }
      let next: fs.FileHandle;
      try {
        next = await fs.open(dir.at(name), DIR_FLAGS);
      } catch (err) {
        throw await explain(err, dir, name, shownPath(segments.slice(0, i + 1)), 'folder');
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
export async function openFile(dir: SafeDir, name: DiskName, shown: string): Promise<fs.FileHandle> {
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
async function explain(err: unknown, dir: SafeDir, name: DiskName, shown: string, wanted: PlainKind): Promise<unknown> {
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

export function isCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

export function ignore(err: unknown, ...codes: string[]): void {
  if (!isCode(err, ...codes)) throw err;
}
