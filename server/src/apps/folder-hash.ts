import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/*
 * An app folder as a version: its SHA-256 (what sessions are pinned to), an immutable copy of
 * exactly what was hashed (what sessions run from), and a cheap fingerprint of its metadata
 * (how a launch notices the folder changed since, without reading 7 MB again).
 *
 * The hash (docs/app-manifest.md, "Pinning"): SHA-256 over "vitrine-app-folder 1\n" and one line
 * per entry, sorted by the bytes of its path relative to the folder (POSIX separators):
 *   d <mode> <path>                 a folder
 *   f <mode> <sha256 of content> <path>   a regular file
 *   l <target> <path>               a symbolic link (its target as written)
 * where <mode> is the octal permission bits (0o777) and paths and targets are JSON strings. Owners,
 * times and the folder's own name are not part of it: the same files are the same version anywhere.
 *
 * Refused: anything but folders, regular files and links; setuid or setgid files; a link that is
 * absolute or does not resolve to something inside the folder (a link is copied as a link, and
 * the sandbox or bubblewrap would follow one that leads out of the copy).
 */

/** Bounds on one app: the copy lives in RUNTIME_DIR (often RAM) and every launch stats it. */
export const APP_FOLDER_LIMITS = { maxEntries: 20_000, maxBytes: 512 * 1024 * 1024 };

interface Entry {
  rel: string;
  kind: 'd' | 'f' | 'l';
  mode: number;
  size: number;
  target: string | null;
  /** What the fingerprint compares: size, times to the nanosecond, inode. */
  stat: string;
}

export class FolderError extends Error {}

/**
 * Every entry below `dir` (a real path), links not followed, sorted by path bytes; throws a
 * FolderError naming what is refused. Synchronous: a launch compares its fingerprint in a few
 * milliseconds (the File Explorer: 354 entries).
 */
function walk(dir: string, limits = APP_FOLDER_LIMITS): Entry[] {
  const entries: Entry[] = [];
  let bytes = 0;
  const visit = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, child);
      const st = fs.lstatSync(full, { bigint: true });
      const mode = Number(st.mode & 0o777n);
      const stat = `${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino}`;
      if (entries.length >= limits.maxEntries)
        throw new FolderError(`more than ${limits.maxEntries} files and folders`);
      if (st.isDirectory()) {
        entries.push({ rel: child, kind: 'd', mode, size: 0, target: null, stat });
        visit(child);
      } else if (st.isFile()) {
        if (st.mode & 0o6000n) throw new FolderError(`${child} is setuid or setgid`);
        bytes += Number(st.size);
        if (bytes > limits.maxBytes) throw new FolderError(`larger than ${limits.maxBytes} bytes`);
        entries.push({ rel: child, kind: 'f', mode, size: Number(st.size), target: null, stat });
      } else if (st.isSymbolicLink()) {
        entries.push({ rel: child, kind: 'l', mode: 0, size: 0, target: checkedLink(dir, child), stat });
      } else {
        throw new FolderError(`${child} is not a file, folder or link (a FIFO, socket or device)`);
      }
    }
  };
  visit('');
  return entries.sort((a, b) => Buffer.compare(Buffer.from(a.rel), Buffer.from(b.rel)));
}

function checkedLink(dir: string, rel: string): string {
  const target = fs.readlinkSync(path.join(dir, rel));
  if (path.isAbsolute(target)) throw new FolderError(`the link ${rel} is absolute (${target})`);
  let real: string;
  try {
    // The kernel's resolution: the JavaScript realpath folds "x/.." before following x.
    real = fs.realpathSync.native(path.join(dir, rel));
  } catch {
    throw new FolderError(`the link ${rel} leads nowhere (${target})`);
  }
  if (real !== dir && !real.startsWith(dir + path.sep))
    throw new FolderError(`the link ${rel} leads out of the folder`);
  return target;
}

/**
 * The folder's metadata as one digest: any file added, removed, written, renamed, re-moded or
 * touched changes it (ctime catches a time set back). Throws a FolderError if the folder became unacceptable.
 */
export function fingerprintFolder(dir: string): string {
  return digestOf(dir, walk(dir));
}

export interface FolderVersion {
  /** SHA-256 of the folder (see above). */
  hash: string;
  /** `fingerprintFolder` of the folder when it was read. */
  fingerprint: string;
  /** The copy sessions run from (`into`/<hash>); null when only hashed. */
  copy: string | null;
}

/**
 * Hashes `dir` (a real path) and, with `into`, copies it to `into/<hash>` from the same reads, so
 * the copy is exactly what was hashed (a copy already there is that version: content-addressed).
 * Throws a FolderError for a folder that is refused or that changed while it was read.
 */
export async function readFolderVersion(dir: string, into: string | null): Promise<FolderVersion> {
  const entries = walk(dir);
  const fingerprint = digestOf(dir, entries);
  const staging = into && path.join(into, `.incoming-${randomUUID()}`);
  if (staging) fs.mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const lines = ['vitrine-app-folder 1\n'];
    for (const e of entries) {
      const name = JSON.stringify(e.rel);
      if (e.kind === 'd') {
        lines.push(`d ${e.mode.toString(8)} ${name}\n`);
        if (staging) fs.mkdirSync(path.join(staging, e.rel), { mode: 0o700 });
      } else if (e.kind === 'l') {
        lines.push(`l ${JSON.stringify(e.target)} ${name}\n`);
        if (staging) fs.symlinkSync(e.target!, path.join(staging, e.rel));
      } else {
        const content = await readRegularFile(path.join(dir, e.rel), e.size);
        lines.push(`f ${e.mode.toString(8)} ${createHash('sha256').update(content).digest('hex')} ${name}\n`);
        if (staging) await writeCopy(path.join(dir, e.rel), path.join(staging, e.rel), content, e.mode);
      }
    }
    if (fingerprintFolder(dir) !== fingerprint) throw new FolderError('it changed while it was being read; try again');
    const hash = createHash('sha256').update(lines.join('')).digest('hex');
    if (!staging || !into) return { hash, fingerprint, copy: null };
    // Folders get their modes last (a read-only one could not have been filled), deepest first.
    for (const e of [...entries].reverse()) if (e.kind === 'd') fs.chmodSync(path.join(staging, e.rel), e.mode);
    fs.chmodSync(staging, fs.statSync(dir).mode & 0o777);
    const copy = path.join(into, hash);
    if (fs.existsSync(copy)) fs.rmSync(staging, { recursive: true, force: true });
    else fs.renameSync(staging, copy);
    return { hash, fingerprint, copy };
  } catch (err) {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** The fingerprint: the folder's own times (a name added or removed at its top) and every entry's. */
function digestOf(dir: string, entries: Entry[]): string {
  const h = createHash('sha256');
  const root = fs.statSync(dir, { bigint: true });
  h.update(`${root.mode} ${root.mtimeNs} ${root.ctimeNs} ${root.ino}\n`);
  for (const e of entries) h.update(`${e.kind} ${e.mode} ${e.stat} ${JSON.stringify(e.rel)} ${e.target}\n`);
  return h.digest('hex');
}

/** A regular file's content; refused if it was replaced by something else (a link) or resized since the walk. */
async function readRegularFile(file: string, size: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size !== size) throw new FolderError(`${file} changed while it was being read; try again`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** The copy keeps the permission bits (the sandbox user reads it by them) and the times (scripts compare them). */
async function writeCopy(from: string, to: string, content: Buffer, mode: number): Promise<void> {
  await fs.promises.writeFile(to, content, { flag: 'wx', mode: 0o600 });
  await fs.promises.chmod(to, mode);
  const st = await fs.promises.stat(from);
  await fs.promises.utimes(to, st.atimeMs / 1000, st.mtimeMs / 1000);
}
