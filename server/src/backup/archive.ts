import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { openStream, sealStream } from './sealed-stream.ts';

/**
 * The backup file: one plain JSON line (the format, its version and the caller's fields, e.g. the
 * wrapped data key and the master key's id), then a tar archive sealed with the data key
 * (sealed-stream.ts). The header line is not authenticated: a changed wrapped key only yields a
 * key that opens nothing, but the caller should not trust its other fields further than that.
 */

export const BACKUP_FORMAT = 'vitrine-backup';
export const BACKUP_VERSION = 1;
/** A header longer than this is not one of ours (the reader stops looking for its end). */
const MAX_HEADER_BYTES = 64 * 1024;

export type BackupHeader = { format: typeof BACKUP_FORMAT; version: typeof BACKUP_VERSION } & Record<string, unknown>;

export interface BackupPack {
  /** Adds a regular file; `content` is read as a stream when it is one. Calls run one after another. */
  file(name: string, content: Buffer | Readable, size: number, mode?: number): Promise<void>;
}

export class BackupArchiveError extends Error {}

/**
 * A relative path of plain segments: no absolute path, no `..`, `.` or empty segment, no NUL, so
 * a name from a hostile archive joined to the restore folder stays inside it.
 */
export function checkEntryName(name: string): string {
  const segments = name.split('/');
  if (!name || name.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new BackupArchiveError(
      `unsafe entry name ${JSON.stringify(name)}: names are relative paths without "..", "." or empty segments`,
    );
  }
  return name;
}

/**
 * Writes a backup to `out`: first to `out.partial` (mode 0600), synced and renamed only once
 * complete, so a backup cut short never looks like one. `fill` adds the files.
 */
export async function writeBackup(
  out: string,
  header: Record<string, unknown>,
  dataKey: Buffer,
  fill: (pack: BackupPack) => Promise<void>,
): Promise<{ bytes: number }> {
  if ('format' in header || 'version' in header) {
    throw new BackupArchiveError('the header fields "format" and "version" are the archive\'s own');
  }
  const line = `${JSON.stringify({ format: BACKUP_FORMAT, version: BACKUP_VERSION, ...header })}\n`;
  const seal = sealStream(dataKey);
  const partial = `${out}.partial`;
  await fs.promises.rm(partial, { force: true });
  // `flush`: synced before it closes, so the rename below never publishes a file still in the page cache only.
  const file = fs.createWriteStream(partial, { flags: 'wx', mode: 0o600, flush: true });
  file.write(line);
  const pack = tar.pack();
  const written = pipeline(pack, seal, file);
  // Once the backup failed, files still being added stop waiting for an archive that is gone.
  let abandon: (err: Error) => void = () => {};
  const abandoned = new Promise<never>((_, reject) => (abandon = reject));
  abandoned.catch(() => {});
  let queue = Promise.resolve();
  const packer: BackupPack = {
    file: (name, content, size, mode = 0o600) => {
      const added = queue.then(() => Promise.race([addEntry(pack, name, content, size, mode), abandoned]));
      queue = added.catch(() => {});
      return added;
    },
  };
  const filled = fill(packer).then(() => queue.then(() => pack.finalize()));
  try {
    await Promise.all([filled, written]);
  } catch (err) {
    // Whichever side failed first, the other must stop before the partial file goes.
    abandon(new BackupArchiveError(`the backup failed: ${(err as Error).message}`));
    pack.destroy();
    await Promise.allSettled([filled, written]);
    await fs.promises.rm(partial, { force: true });
    throw err;
  }
  const { size } = await fs.promises.stat(partial);
  await fs.promises.rename(partial, out);
  await syncFolder(path.dirname(out));
  return { bytes: size };
}

async function addEntry(pack: tar.Pack, name: string, content: Buffer | Readable, size: number, mode: number) {
  checkEntryName(name);
  if (!Number.isSafeInteger(size) || size < 0) throw new BackupArchiveError(`entry ${name}: bad size ${size}`);
  if (Buffer.isBuffer(content) && content.length !== size) {
    throw new BackupArchiveError(`entry ${name}: ${content.length} bytes given, ${size} announced`);
  }
  const header: tar.Headers = { name, size, mode: mode & 0o777, type: 'file' };
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    // tar-stream answers nothing (and never calls back) once the archive was destroyed.
    const entry = (Buffer.isBuffer(content) ? pack.entry(header, content, done) : pack.entry(header, done)) as
      NodeJS.WritableStream | undefined;
    if (!entry) reject(new BackupArchiveError(`entry ${name}: the backup was abandoned`));
    else if (!Buffer.isBuffer(content)) pipeline(content, entry).catch(reject);
  });
}

async function syncFolder(dir: string): Promise<void> {
  const fd = await fs.promises.open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** The header line and its length in bytes (newline included). */
async function headerOf(file: string): Promise<{ header: BackupHeader; bytes: number }> {
  const fh = await fs.promises.open(file, 'r');
  let text: Buffer;
  try {
    const buf = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    text = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const end = text.indexOf('\n');
  let header: unknown;
  try {
    header = end > 0 ? JSON.parse(text.subarray(0, end).toString('utf8')) : undefined;
  } catch {
    header = undefined;
  }
  const h = header as Partial<BackupHeader> | undefined;
  if (typeof h !== 'object' || h === null || h.format !== BACKUP_FORMAT) {
    throw new BackupArchiveError(`${file} is not a Vitrine backup (no "${BACKUP_FORMAT}" header line)`);
  }
  if (h.version !== BACKUP_VERSION) {
    throw new BackupArchiveError(
      `${file} is a backup of format version ${String(h.version)}; this server reads version ${BACKUP_VERSION}`,
    );
  }
  return { header: h as BackupHeader, bytes: end + 1 };
}

/** The backup's plain header line: the format, its version and the fields its writer put there. */
export async function readBackupHeader(file: string): Promise<BackupHeader> {
  return (await headerOf(file)).header;
}

/**
 * Reads a backup's files in order, each as a stream handed to `onEntry` (what it leaves unread
 * is skipped). Only regular files with safe names are accepted; modes come without setuid,
 * setgid or sticky bits. Each file is authenticated a 64 KiB chunk at a time: a backup cut short
 * or changed is refused only when the reading gets there, so the caller must treat everything
 * it wrote as void unless this resolves.
 */
export async function readBackup(
  file: string,
  dataKey: Buffer,
  onEntry: (name: string, content: Readable, size: number, mode: number) => Promise<void>,
): Promise<void> {
  const { bytes } = await headerOf(file);
  const extract = tar.extract();
  // The first failure of a caller's onEntry.
  let failure: unknown;
  extract.on('entry', (entry: tar.Headers, stream: Readable, next: (err?: unknown) => void) => {
    const take = async () => {
      if (entry.type !== 'file') {
        throw new BackupArchiveError(
          `entry ${JSON.stringify(entry.name)} is a ${entry.type}: a backup holds only files`,
        );
      }
      const name = checkEntryName(entry.name);
      // tar-stream's own streams are of an older API; the caller gets one of Node's.
      const content = new PassThrough();
      const piped = pipeline(stream, content);
      piped.catch(() => {});
      await onEntry(name, content, entry.size ?? 0, (entry.mode ?? 0o600) & 0o777);
      content.resume();
      await piped;
    };
    take().then(
      () => next(),
      (err: unknown) => {
        failure ??= err;
        next(err);
      },
    );
  });
  await pipeline(fs.createReadStream(file, { start: bytes }), openStream(dataKey), extract).catch((err: unknown) => {
    // A caller that stopped reading closes the archive under it: its own error says why.
    throw (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' && failure ? failure : err;
  });
}
