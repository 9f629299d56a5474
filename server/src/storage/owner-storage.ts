import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, type Stats } from 'node:fs';
import type { SandboxUser } from '../sandbox/sandbox-user.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type {
  FileEntry,
  FolderListing,
  StorageUsage,
  TrashItem,
  TrashReason,
  UploadConflict,
  UploadedFile,
} from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import {
  badPath,
  diskName,
  ignore,
  isCode,
  joinStoragePath,
  kindOf,
  lstatIn,
  needsRef,
  numberedDiskName,
  openDir,
  openFile,
  parseStoragePath,
  parseStorageRef,
  sameName,
  shownName,
  shownPath,
  storageRefOf,
  type DiskName,
  type EntryKind,
  type PlainKind,
  type SafeDir,
} from './paths.ts';
import { byKindAndName, entryIn, entryOf, parentOf } from './entries.ts';
import { FreshRuns } from './fresh-runs.ts';
import { OwnerGate } from './owner-gate.ts';
import { captureItem, publicItem, readTrash, writeMeta, type StoredTrashItem } from './trash.ts';
import { removeTree, treeBytes } from './tree.ts';
import { receiveInto } from './upload.ts';

/**
 * An owner's private storage. Layout, all mode 0700 and on one filesystem so every move is an
 * atomic rename:
 *
 *   rootDir/<ownerId>/files/               what the owner sees (and sandboxes may get bind mounts of)
 *   rootDir/<ownerId>/trash/<id>/meta.json  a deleted item's TrashItem (trash.ts)
 *   rootDir/<ownerId>/trash/<id>/item       the deleted file, folder or special entry itself
 *   rootDir/<ownerId>/tmp/<uuid>            uploads in progress
 *
 * Apps write into files/ through grants, so everything there is listed, counted and removable,
 * whatever its name or type: names the product would refuse are shown escaped and addressed by
 * their exact bytes (`ref`), links, FIFOs and sockets are "special" entries, and trees of any
 * depth are walked with a bounded number of descriptors (tree.ts).
 *
 * The server calls purgeExpired() at start-up and hourly.
 */

/** Where a request points: a path, or the exact bytes of one (an entry's `ref`). */
export type StorageAddress = string | { ref: string };

export interface OwnerStorageOptions {
  rootDir: string;
  maxUploadBytes: number;
  quotaBytes: number;
  trashRetentionMs: number;
  /**
   * Who owns what the server makes in owners' folders: the sandbox user when sessions run as one
   * (apps must be able to write where a grant lets them); null or absent: the server's own user.
   */
  fileOwner?: SandboxUser | null;
  /** Milliseconds since the epoch; tests move time forward. */
  now?: () => number;
  /** Makes `rootDir/<owner>` ready before its folders are made (encrypted at rest: the owner's key). */
  prepareOwner?: (ownerId: string) => Promise<void>;
}

export interface UploadOptions {
  /** What happens when the name is taken (see UploadConflict). */
  conflict: UploadConflict;
  /** The request's Content-Length, when it had one: refused up front if too large. */
  declaredBytes?: number;
}

export interface Download {
  stream: Readable;
  size: number;
  /** The file's own name (already a valid name: no "/", no control characters). */
  filename: string;
}

const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
// A trash slot without a readable item is debris of a crash mid-delete; the age keeps purging from
// racing a delete that is in progress.
const ORPHAN_AGE_MS = 60 * 60_000;
// "name (2).ext" … "name (1000).ext": past that, keeping both is refused as a conflict.
const MAX_NUMBERED = 1000;
// An upload that has not written for a day belongs to a server that crashed.
const STALE_UPLOAD_MS = 24 * 60 * 60_000;

const notFound = (what: string) => new DomainError(404, 'not-found', `there is no ${what}`);
const exists = (shown: string) => new DomainError(409, 'exists', `"${shown}" already exists`);
const isFolder = (shown: string) => new DomainError(409, 'exists', `"${shown}" is a folder`);

function ownerDir(rootDir: string, ownerId: string): string {
  // Ids come from the database, never from a request; anything else is a bug, not a bad request.
  if (!OWNER_ID.test(ownerId)) throw new Error(`invalid owner id ${JSON.stringify(ownerId)}`);
  return path.join(path.resolve(rootDir), ownerId);
}

/** The folder the owner sees as their storage root, on the host. */
export function ownerRoot(rootDir: string, ownerId: string): string {
  return path.join(ownerDir(rootDir, ownerId), 'files');
}

/** Every operation on one owner's folders, so that `gate.pause` can hold them all still. */
const GATED = [
  'list',
  'usage',
  'room',
  'createFolder',
  'move',
  'delete',
  'listTrash',
  'restore',
  'purge',
  'download',
  'upload',
  'resolveExisting',
  'trashHostPath',
  'moveHostPaths',
  'prepare',
] as const;

export class OwnerStorage {
  readonly options: Required<OwnerStorageOptions>;
  /** Holds an owner's storage still while their folders are swapped (encryption/owner-rotation.ts). */
  readonly gate = new OwnerGate();
  readonly #ready = new Map<string, Promise<{ files: string; trash: string; tmp: string }>>();
  /** Bytes being received per owner, so that parallel uploads cannot each fill the whole quota. */
  readonly #inFlight = new Map<string, number>();
  /** Replaces in progress per owner and path: each keeps the version the one before it put there. */
  readonly #replacing = new Map<string, Promise<unknown>>();
  /** Usage walks per owner: one at a time, however many requests ask (each walk can be long). */
  readonly #walks = new Map<string, FreshRuns<{ bytes: number; tooDeep: number }>>();

  constructor(options: OwnerStorageOptions) {
    if (!existsSync('/proc/self/fd')) throw new Error('owner storage needs /proc/self/fd (Linux with /proc mounted)');
    // Canonical, so host paths handed to the sandbox can be compared with what an open fd points at.
    mkdirSync(options.rootDir, { recursive: true, mode: 0o700 });
    this.options = {
      now: Date.now,
      fileOwner: null,
      prepareOwner: async () => {},
      ...options,
      rootDir: realpathSync(options.rootDir),
    };
    for (const name of GATED) {
      const op = this[name] as (ownerId: string, ...rest: unknown[]) => Promise<unknown>;
      (this as unknown as Record<string, unknown>)[name] = (ownerId: string, ...rest: unknown[]) =>
        this.gate.run(ownerId, () => op.call(this, ownerId, ...rest));
    }
  }

  /** Hands something the server just made in an owner's folders to the sandbox user (see fileOwner). */
  readonly #give = async (p: string | Buffer): Promise<void> => {
    const owner = this.options.fileOwner;
    if (owner) await fs.lchown(p, owner.uid, owner.gid);
  };

  /** Everything in a folder, whatever an app named or made it (see entryOf). */
  async list(ownerId: string, at: StorageAddress): Promise<FolderListing> {
    const segments = addressed(at);
    const dir = await openDir((await this.#dirs(ownerId)).files, segments);
    try {
      const parent = parentOf(segments);
      const raws = await fs.readdir(dir.at(), { encoding: 'buffer' });
      const entries = await Promise.all(
        raws.map(async (raw) => {
          const name = diskName(raw);
          const stats = await lstatIn(dir, name);
          return stats ? entryIn(parent, name, stats) : null;
        }),
      );
      return {
        path: parent.shown,
        ...(parent.odd ? { ref: storageRefOf(segments) } : {}),
        entries: entries.filter((e) => e !== null).sort(byKindAndName),
      };
    } finally {
      await dir.close();
    }
  }

  async usage(ownerId: string): Promise<StorageUsage> {
    const { quotaBytes, maxUploadBytes } = this.options;
    const { bytes, tooDeep } = await this.#used(ownerId);
    return { usedBytes: bytes, quotaBytes, maxUploadBytes, ...(tooDeep > 0 ? { uncountedFolders: tooDeep } : {}) };
  }

  /** Bytes the owner may still add: the quota less what is stored (the trash too) and being received. */
  async room(ownerId: string): Promise<number> {
    const { bytes } = await this.#used(ownerId);
    return Math.max(0, this.options.quotaBytes - bytes - (this.#inFlight.get(ownerId) ?? 0));
  }

  async createFolder(ownerId: string, relPath: string): Promise<FileEntry> {
    const segments = named(relPath, 'give the new folder a name');
    return this.#inParent(ownerId, segments, async (dir, name) => {
      await fs.mkdir(dir.at(name), { mode: 0o700 }).catch((err) => {
        throw isCode(err, 'EEXIST') ? exists(relPath) : err;
      });
      await this.#give(dir.at(name));
      return entryOf(segments, await present(dir, name, relPath));
    });
  }

  /** Rename and move (`from` may be a ref: the way to give an unusual name a plain one); never replaces anything at `to`. */
  async move(ownerId: string, from: StorageAddress, to: string): Promise<FileEntry> {
    const source = named(from, 'your storage root cannot be moved');
    const target = named(to, 'give the destination a name');
    const shownFrom = shownPath(source);
    if (target.length > source.length && source.every((s, i) => sameName(target[i]!, s))) {
      throw new DomainError(400, 'bad-move', 'a folder cannot be moved into itself');
    }
    return this.#inParent(ownerId, source, (fromDir, fromName) =>
      this.#inParent(ownerId, target, async (toDir, toName) => {
        const stats = await present(fromDir, fromName, shownFrom);
        if (source.length === target.length && source.every((s, i) => sameName(target[i]!, s))) {
          return entryOf(target, stats);
        }
        await placeNew(fromDir.at(fromName), toDir, toName, kindOf(stats), to);
        return entryOf(target, await present(toDir, toName, to));
      }),
    );
  }

  /**
   * Moves anything to the trash: a file, a folder (however deep), or a special entry (a link is
   * moved itself, a FIFO is never opened). What ends up in the trash is the trash's alone (trash.ts).
   */
  async delete(ownerId: string, at: StorageAddress): Promise<TrashItem> {
    const segments = named(at, 'your storage root cannot be deleted');
    return this.#inParent(ownerId, segments, async (dir, name) => {
      const stats = await lstatIn(dir, name);
      if (!stats) throw notFound(`file or folder "${shownPath(segments)}"`);
      const kind = kindOf(stats);
      // A folder's size is known once it is in the trash (counted there, where apps cannot change it).
      const { item, slot } = await this.#trashSlot(
        ownerId,
        segments,
        kind,
        kind === 'file' ? stats.size : 0,
        'deleted',
      );
      const trashed = path.join(slot, 'item');
      try {
        await fs.rename(dir.at(name), trashed);
      } catch (err) {
        await removeTree(slot);
        throw isCode(err, 'ENOENT') ? notFound(`file or folder "${shownPath(segments)}"`) : err;
      }
      let size: number;
      try {
        size = await captureItem(slot);
      } catch (err) {
        // Not made the trash's own (out of space for a copy?): better where it was than in the
        // trash while an app's link can still change it. If the name was taken meanwhile, it stays.
        await placeNew(trashed, dir, name, kind, shownPath(segments)).then(
          () => removeTree(slot),
          () => {},
        );
        throw err;
      }
      if (size !== item.size) {
        item.size = size;
        await writeMeta(slot, item);
      }
      return publicItem(item);
    });
  }

  /**
   * A new trash slot with its meta.json written, ready for the item. meta.json goes first: a crash
   * before the item is in leaves an empty slot that purging removes, never an item nobody can see
   * or restore. The caller removes the slot if putting the item there fails.
   */
  async #trashSlot(
    ownerId: string,
    segments: DiskName[],
    kind: EntryKind,
    size: number,
    reason: TrashReason,
  ): Promise<{ item: StoredTrashItem; slot: string }> {
    const { trash } = await this.#dirs(ownerId);
    const now = this.options.now();
    const item: StoredTrashItem = {
      id: randomUUID(),
      originalPath: shownPath(segments),
      ...(needsRef(segments) ? { originalRef: storageRefOf(segments) } : {}),
      kind,
      size,
      deletedAt: new Date(now).toISOString(),
      purgeAt: new Date(now + this.options.trashRetentionMs).toISOString(),
      reason,
    };
    const slot = path.join(trash, item.id);
    await fs.mkdir(slot, { mode: 0o700 });
    try {
      await writeMeta(slot, item);
    } catch (err) {
      await removeTree(slot);
      throw err;
    }
    return { item, slot };
  }

  async listTrash(ownerId: string): Promise<TrashItem[]> {
    const { trash } = await this.#dirs(ownerId);
    const items = await Promise.all((await fs.readdir(trash)).map((id) => readTrash(trash, id)));
    return items
      .filter((i) => i !== null)
      .map(publicItem)
      .sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
  }

  /**
   * Puts an item back where it was, recreating missing parent folders. Something at the old path
   * is never replaced: the restore fails, or with `keepBoth` the item comes back as "name (2).ext".
   */
  async restore(
    ownerId: string,
    id: string,
    options: { keepBoth?: boolean } = {},
  ): Promise<{ entry: FileEntry; item: TrashItem }> {
    const { trash } = await this.#dirs(ownerId);
    const item = await readTrash(trash, id);
    if (!item) throw notFound('such item in the trash');
    // Back under its exact name, even one the product would not give (an app made it).
    const segments = item.originalRef ? parseStorageRef(item.originalRef) : parseStoragePath(item.originalPath);
    const shown = item.originalPath;
    const entry = await this.#inParent(
      ownerId,
      segments,
      async (dir, name) => {
        const source = path.join(trash, id, 'item');
        let placed = name;
        if (options.keepBoth) placed = await placeNumbered(source, dir, name, item.kind, shown);
        else await placeNew(source, dir, name, item.kind, shown);
        const at = [...segments.slice(0, -1), placed];
        const stats = await lstatIn(dir, placed);
        if (!stats) throw notFound(`file or folder "${shownPath(at)}"`);
        return entryOf(at, stats);
      },
      true,
    ).catch((err) => {
      // A file where a parent folder should be is "something at the old path" too.
      throw err instanceof DomainError && err.code === 'not-a-folder' ? exists(shown) : err;
    });
    await removeTree(path.join(trash, id));
    return { entry, item: publicItem(item) };
  }

  async purge(ownerId: string, id: string): Promise<void> {
    const { trash } = await this.#dirs(ownerId);
    if (!(await readTrash(trash, id))) throw notFound('such item in the trash');
    await removeTree(path.join(trash, id));
  }

  /** Removes expired trash items (and debris of crashed deletes and uploads) of every owner. */
  async purgeExpired(): Promise<number> {
    const now = this.options.now();
    const olderThan = async (p: string, ms: number) =>
      ((await fs.lstat(p).catch(() => null))?.mtimeMs ?? now) < now - ms;
    const root = path.resolve(this.options.rootDir);
    let purged = 0;
    for (const owner of (await readdirOrEmpty(root)).filter((o) => OWNER_ID.test(o))) {
      const trash = path.join(root, owner, 'trash');
      for (const id of await readdirOrEmpty(trash)) {
        const item = await readTrash(trash, id);
        const expired = item ? Date.parse(item.purgeAt) <= now : await olderThan(path.join(trash, id), ORPHAN_AGE_MS);
        if (!expired) continue;
        await removeTree(path.join(trash, id));
        if (item) purged++;
      }
      const tmp = path.join(root, owner, 'tmp');
      for (const name of await readdirOrEmpty(tmp)) {
        if (await olderThan(path.join(tmp, name), STALE_UPLOAD_MS)) await fs.rm(path.join(tmp, name), { force: true });
      }
    }
    return purged;
  }

  async download(ownerId: string, at: StorageAddress): Promise<Download> {
    const segments = addressed(at);
    if (segments.length === 0) throw new DomainError(400, 'not-a-file', 'your storage root is a folder, not a file');
    return this.#inParent(ownerId, segments, async (dir, name) => {
      const file = await openFile(dir, name, shownPath(segments));
      const { size } = await file.stat();
      // An unusual name is saved under its shown form: the escapes make it plain.
      const filename = shownName(name).shown;
      if (size === 0) {
        await file.close();
        return { stream: Readable.from([]), size, filename };
      }
      // Never more than the size announced in Content-Length, even if an app appends meanwhile.
      return { stream: file.createReadStream({ start: 0, end: size - 1 }), size, filename };
    });
  }

  /**
   * Stores a request body as a file, atomically: it is received into tmp/, synced, then renamed
   * into place. Any failure, limit or client abort leaves no file and no temporary file.
   */
  async upload(ownerId: string, relPath: string, body: Readable, options: UploadOptions): Promise<UploadedFile> {
    const segments = named(relPath, 'give the file a name');
    const { tmp } = await this.#dirs(ownerId);
    const { maxUploadBytes, quotaBytes } = this.options;
    const { conflict } = options;
    return this.#inParent(ownerId, segments, async (dir, name) => {
      // Refused before a byte is received; the placement below decides again, atomically.
      const current = await lstatIn(dir, name);
      if (current && !current.isFile() && !current.isDirectory()) throw badPath(`"${relPath}" is not a regular file`);
      if (current?.isDirectory() && conflict !== 'keep-both') throw isFolder(relPath);
      if (current && conflict === 'fail') throw exists(relPath);
      // A replaced file stays in the trash, which counts: the upload needs room for all of itself.
      const used = (await this.#used(ownerId)).bytes;
      let mine = 0;
      const check = (bytes: number) => {
        if (bytes > maxUploadBytes) {
          throw new DomainError(413, 'file-too-large', `a file may be at most ${formatBytes(maxUploadBytes)}`);
        }
        const others = (this.#inFlight.get(ownerId) ?? 0) - mine;
        if (used + others + bytes > quotaBytes) {
          throw new DomainError(
            413,
            'quota-exceeded',
            `this file does not fit in your storage quota of ${formatBytes(quotaBytes)} (${formatBytes(used + others)} in use, the trash included)`,
          );
        }
      };
      if (options.declaredBytes !== undefined) check(options.declaredBytes);
      const temp = path.join(tmp, randomUUID());
      try {
        await receiveInto(body, temp, (bytes) => {
          check(bytes);
          this.#reserve(ownerId, bytes - mine);
          mine = bytes;
        });
        await this.#give(temp);
        let placed = name;
        let replaced: TrashItem | null = null;
        if (conflict === 'replace') {
          replaced = await this.#oneAtATime(`${ownerId}/${joinStoragePath(segments)}`, () =>
            this.#replace(ownerId, temp, dir, segments, relPath),
          );
        } else if (conflict === 'keep-both') placed = await placeNumbered(temp, dir, name, 'file', relPath);
        else await placeNew(temp, dir, name, 'file', relPath);
        await dir.handle.sync();
        const at = [...segments.slice(0, -1), placed];
        const entry = entryOf(at, await present(dir, placed, joinStoragePath(at)));
        return replaced ? { ...entry, replaced } : entry;
      } finally {
        this.#reserve(ownerId, -mine);
        await fs.rm(temp, { force: true });
      }
    });
  }

  /**
   * Puts the received file `temp` at the name, the file there before going to the trash (as
   * "replaced"); null when there was none after all. The name never goes missing: the old file is
   * hard-linked into its trash slot first, then one rename swaps the new file in. A folder or a
   * link at the name is refused, never replaced.
   */
  async #replace(
    ownerId: string,
    temp: string,
    dir: SafeDir,
    segments: string[],
    relPath: string,
  ): Promise<TrashItem | null> {
    const name = segments.at(-1)!;
    const old = await lstatIn(dir, name);
    if (!old) {
      await placeNew(temp, dir, name, 'file', relPath);
      return null;
    }
    if (old.isDirectory()) throw isFolder(relPath);
    if (!old.isFile()) throw badPath(`"${relPath}" is not a regular file`);
    const { item, slot } = await this.#trashSlot(ownerId, segments, 'file', old.size, 'replaced');
    const kept = path.join(slot, 'item');
    let moved = false;
    try {
      try {
        await fs.link(dir.at(name), kept);
      } catch (err) {
        // Gone meanwhile: nothing to keep. Filesystems without hard links: move it out, then in.
        if (isCode(err, 'ENOENT')) {
          await removeTree(slot);
          await placeNew(temp, dir, name, 'file', relPath);
          return null;
        }
        ignore(err, 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EPERM');
        await fs.rename(dir.at(name), kept);
        moved = true;
      }
      // link() never follows a final symlink, so an app swapping in a link meanwhile is caught here.
      const linked = await fs.lstat(kept);
      if (!linked.isFile()) throw badPath(`"${relPath}" is not a regular file`);
      await fs.rename(temp, dir.at(name)).catch((err) => {
        throw isCode(err, 'EISDIR', 'ENOTEMPTY', 'EEXIST') ? isFolder(relPath) : err;
      });
    } catch (err) {
      // Moved out without a link: put it back unless something took the name meanwhile.
      if (moved) await placeNew(kept, dir, name, 'file', relPath).catch(() => {});
      await removeTree(slot);
      throw err;
    }
    // The new version is in place and the old one in the trash, whatever happens now. Another
    // link an app kept would let the kept version change: the trash gets its own copy. Recorded as
    // the size of what was actually kept (an app may have written since it was checked).
    const size = await captureItem(slot);
    if (size !== item.size) {
      item.size = size;
      await writeMeta(slot, item);
    }
    return publicItem(item);
  }

  /**
   * Runs `fn` after every earlier call with the same key has settled. Two replaces of one path
   * would otherwise both keep the same old version and lose the one between them.
   */
  async #oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#replacing.get(key) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(fn);
    this.#replacing.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.#replacing.get(key) === mine) this.#replacing.delete(key);
    }
  }

  /** Where an existing file or folder is on the host, for bind mounts (404 if there is none). */
  async resolveExisting(ownerId: string, relPath: string): Promise<{ hostPath: string; kind: PlainKind }> {
    const segments = parseStoragePath(relPath);
    const { files } = await this.#dirs(ownerId);
    if (segments.length === 0) return { hostPath: files, kind: 'folder' };
    return this.#inParent(ownerId, segments, async (dir, name) => ({
      hostPath: path.join(files, ...segments),
      kind: kindOf(await present(dir, name, relPath)) as PlainKind,
    }));
  }

  /**
   * Moves to the trash what a sandboxed app asked to delete, given as a host path inside the
   * owner's storage (the session's grant resolved it); anything outside is refused.
   */
  async trashHostPath(ownerId: string, hostPath: string): Promise<TrashItem> {
    return this.delete(ownerId, this.#relative(ownerId, hostPath));
  }

  /** Renames or moves what a sandboxed app asked to, given as host paths inside the owner's storage. */
  async moveHostPaths(ownerId: string, fromHostPath: string, toHostPath: string): Promise<FileEntry> {
    return this.move(ownerId, this.#relative(ownerId, fromHostPath), this.#relative(ownerId, toHostPath));
  }

  /** The storage path ("Reports/q3.pdf") of a host path in the owner's storage, or null if outside it. */
  storagePathOf(ownerId: string, hostPath: string): string | null {
    try {
      return this.#relative(ownerId, hostPath);
    } catch {
      return null;
    }
  }

  #relative(ownerId: string, hostPath: string): string {
    const rel = path.relative(ownerRoot(this.options.rootDir, ownerId), hostPath);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new DomainError(400, 'bad-path', 'that is not inside the owner’s storage');
    }
    return rel.split(path.sep).join('/');
  }

  /** The owner's visible root on the host, created (0700) if missing: for bind mounts into sandboxes. */
  /** Makes the owner's folders (a new account's): with their key first, when encrypted at rest. */
  async prepare(ownerId: string): Promise<void> {
    await this.#dirs(ownerId);
  }

  ensureRoot(ownerId: string): string {
    const base = ownerDir(this.options.rootDir, ownerId);
    for (const sub of ['files', 'trash', 'tmp']) mkdirSync(path.join(base, sub), { recursive: true, mode: 0o700 });
    return path.join(base, 'files');
  }

  /** Runs `fn` with the parent folder of `segments` open; its last name is passed along. */
  async #inParent<S extends DiskName, T>(
    ownerId: string,
    segments: S[],
    fn: (dir: SafeDir, name: S) => Promise<T>,
    create = false,
  ): Promise<T> {
    const { files } = await this.#dirs(ownerId);
    const made = create ? this.#give : undefined;
    return withDir(files, segments.slice(0, -1), (dir) => fn(dir, segments.at(-1)!), made).catch((err) => {
      if (isCode(err, 'ENOSPC', 'EDQUOT'))
        throw new DomainError(507, 'storage-full', 'the server is out of disk space');
      throw err;
    });
  }

  #dirs(ownerId: string): Promise<{ files: string; trash: string; tmp: string }> {
    let ready = this.#ready.get(ownerId);
    if (!ready) {
      const base = ownerDir(this.options.rootDir, ownerId);
      const dirs = { files: path.join(base, 'files'), trash: path.join(base, 'trash'), tmp: path.join(base, 'tmp') };
      ready = this.options
        .prepareOwner(ownerId)
        .then(() => Promise.all(Object.values(dirs).map((d) => fs.mkdir(d, { recursive: true, mode: 0o700 }))))
        .then(() => dirs);
      ready.catch(() => this.#ready.delete(ownerId));
      this.#ready.set(ownerId, ready);
    }
    return ready;
  }

  /** Bytes in use, the trash included; a walk that started after the caller asked. */
  #used(ownerId: string): Promise<{ bytes: number; tooDeep: number }> {
    let runs = this.#walks.get(ownerId);
    if (!runs) this.#walks.set(ownerId, (runs = new FreshRuns()));
    return runs.run(async () => {
      const { files } = await this.#dirs(ownerId);
      // Trash items cannot change (sandboxes never see the trash, and trash.ts broke their links),
      // so their recorded sizes hold.
      const trashed = (await this.listTrash(ownerId)).reduce((sum, item) => sum + item.size, 0);
      const { bytes, tooDeep } = await withDir(files, [], treeBytes);
      return { bytes: bytes + trashed, tooDeep };
    });
  }

  #reserve(ownerId: string, bytes: number): void {
    const total = (this.#inFlight.get(ownerId) ?? 0) + bytes;
    if (total === 0) this.#inFlight.delete(ownerId);
    else this.#inFlight.set(ownerId, total);
  }
}

/**
 * Moves `source` to `name` in `dir` unless something is there already. Files use link + unlink,
 * which refuses an existing name atomically where rename would replace it. Node has no
 * no-replace rename for folders: the check then rename leaves a window in which only an empty
 * folder created meanwhile could be replaced (rename refuses non-empty folders and files).
 */
async function placeNew(
  source: string | Buffer,
  dir: SafeDir,
  name: DiskName,
  kind: EntryKind,
  shown: string,
): Promise<void> {
  const target = dir.at(name);
  try {
    if (kind === 'file') {
      try {
        await fs.link(source, target);
        await fs.unlink(source);
        return;
      } catch (err) {
        // Filesystems without hard links fall back to the folder way.
        ignore(err, 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EPERM');
      }
    }
    if (await lstatIn(dir, name)) throw exists(shown);
    await fs.rename(source, target);
  } catch (err) {
    throw isCode(err, 'EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR') ? exists(shown) : err;
  }
}

/**
 * Moves `source` into `dir` under `name`, or if it is taken the first free "name (2).ext",
 * "name (3).ext"…; each try is as atomic as placeNew. Returns the name used.
 */
async function placeNumbered<S extends DiskName>(
  source: string,
  dir: SafeDir,
  name: S,
  kind: EntryKind,
  shown: string,
): Promise<S> {
  for (let n = 1; n <= MAX_NUMBERED; n++) {
    const candidate = (n === 1 ? name : numberedDiskName(name, n)) as S;
    try {
      await placeNew(source, dir, candidate, kind, shownName(candidate).shown);
      return candidate;
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'exists')) throw err;
    }
  }
  throw exists(shown);
}

async function withDir<T>(
  root: string,
  segments: DiskName[],
  fn: (dir: SafeDir) => Promise<T>,
  made?: (folder: string | Buffer) => Promise<void>,
) {
  const dir = await openDir(root, segments, made);
  try {
    return await fn(dir);
  } finally {
    await dir.close();
  }
}

/** The entry `name` of `dir` as a user may open or move it: a file or folder, or a refusal. */
async function present(dir: SafeDir, name: DiskName, shown: string): Promise<Stats> {
  const stats = await lstatIn(dir, name);
  if (!stats) throw notFound(`file or folder "${shown}"`);
  if (stats.isSymbolicLink()) throw badPath(`"${shown}" is a symbolic link; links are not followed`);
  if (kindOf(stats) === 'special') throw badPath(`"${shown}" is not a regular file or folder`);
  return stats;
}

const addressed = (at: StorageAddress): DiskName[] =>
  typeof at === 'string' ? parseStoragePath(at) : parseStorageRef(at.ref);

function named(at: string, rootMessage: string): string[];
function named(at: StorageAddress, rootMessage: string): DiskName[];
function named(at: StorageAddress, rootMessage: string): DiskName[] {
  const segments = addressed(at);
  if (segments.length === 0) throw badPath(rootMessage);
  return segments;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch((err) => {
    ignore(err, 'ENOENT', 'ENOTDIR');
    return [];
  });
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}
