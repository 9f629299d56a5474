import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { StorageRef, TrashItem } from '@vitrine/protocol';
import { DIR_FLAGS, FILE_FLAGS, SafeDir, type DiskName } from './paths.ts';
import { walkTree } from './tree.ts';

/**
 * The trash's own files: rootDir/<ownerId>/trash/<id>/meta.json (what the item was) and
 * …/<id>/item (the file, folder or special entry itself). Sandboxes never see the trash.
 */

const TRASH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A trash item as stored: with the exact bytes of its path when `originalPath` shows it escaped. */
export const StoredTrashItem = TrashItem.extend({ originalRef: StorageRef.optional() });
export type StoredTrashItem = z.infer<typeof StoredTrashItem>;

/** What the owner sees of an item (the exact bytes stay on the server, for restoring). */
export function publicItem(item: StoredTrashItem): TrashItem {
  const { originalRef: _exact, ...shown } = item;
  return shown;
}

export async function readTrash(trash: string, id: string): Promise<StoredTrashItem | null> {
  if (!TRASH_ID.test(id)) return null;
  try {
    const item = StoredTrashItem.parse(JSON.parse(await fs.readFile(path.join(trash, id, 'meta.json'), 'utf8')));
    await fs.lstat(path.join(trash, id, 'item'));
    return item.id === id ? item : null;
  } catch {
    return null;
  }
}

/** Writes meta.json whole or not at all: a torn one would make its item look like debris, purged. */
export async function writeMeta(slot: string, item: StoredTrashItem): Promise<void> {
  const temp = path.join(slot, `meta.json.${randomUUID()}`);
  try {
    await fs.writeFile(temp, JSON.stringify(item), { mode: 0o600, flag: 'wx' });
    await fs.rename(temp, path.join(slot, 'meta.json'));
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/**
 * Makes the item in `slot` the trash's alone, and returns its bytes. A file with another hard
 * link (an app can keep one anywhere in the owner's storage through a writable grant) would go on
 * changing through that link after it was trashed, and restoring would bring back something that
 * was never deleted: such a file is replaced in the trash by a copy of itself (a new inode; a
 * reflink where the filesystem has them). Links between two files inside one trashed folder are
 * broken as well: both come back as equal, separate files.
 */
export async function captureItem(slot: string): Promise<number> {
  const dir = new SafeDir(await fs.open(slot, DIR_FLAGS));
  try {
    const stats = await fs.lstat(dir.at('item'));
    if (stats.isFile()) {
      await captureFile(dir, 'item');
      return (await fs.lstat(dir.at('item'))).size;
    }
    if (!stats.isDirectory()) return 0;
    const item = new SafeDir(await fs.open(dir.at('item'), DIR_FLAGS));
    try {
      let bytes = 0;
      await walkTree(
        item,
        {
          entry: async (parent, name, s) => {
            if (!s?.isFile()) return;
            bytes += s.size;
            if (s.nlink > 1) await captureFile(parent, name);
          },
        },
        { lstat: true },
      );
      return bytes;
    } finally {
      await item.close();
    }
  } finally {
    await dir.close();
  }
}

/** Replaces the regular file `name` of `dir` by a copy when it has other links; never follows a symlink. */
async function captureFile(dir: SafeDir, name: DiskName): Promise<void> {
  const file = await fs.open(dir.at(name), FILE_FLAGS).catch(() => null);
  if (!file) return;
  try {
    const stats = await file.stat();
    if (!stats.isFile() || stats.nlink < 2) return;
    const copy = dir.at(`.captured-${randomUUID()}`);
    // Copied from the descriptor opened above: the very inode that was checked, whatever the name is now.
    await fs.copyFile(`/proc/self/fd/${file.fd}`, copy, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    try {
      // The copy is the file as it was: same times, same owner (the sandbox user's file stays
      // writable by apps once restored).
      await fs.lutimes(copy, stats.atime, stats.mtime);
      await fs.lchown(copy, stats.uid, stats.gid);
      await fs.rename(copy, dir.at(name));
    } catch (err) {
      await fs.rm(copy, { force: true });
      throw err;
    }
  } finally {
    await file.close();
  }
}
