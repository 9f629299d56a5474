import { z } from 'zod';
import { NameIssue } from './file-names.ts';

/** An owner's own storage ("browser mode"): JSON shapes of /api/files and /api/trash. */

/**
 * A path inside an owner's storage root, '/'-separated and relative ("" = the root itself).
 * Only the shape is checked here; the server re-validates every segment and the disk.
 */
export const StoragePath = z.string().max(4096);

/**
 * The exact bytes of a path (base64url, '/'-separated like a path), for entries whose names a
 * path cannot carry: not UTF-8, control or deceptive characters (see file-names.ts). Given by
 * the server as an entry's `ref`, sent back instead of `path` to list, download, rename or delete it.
 */
export const StorageRef = z
  .string()
  .max(5464)
  .regex(/^[A-Za-z0-9_-]*$/, 'a ref is base64url');

/**
 * What an entry is. `special`: anything else an app can leave in a writable folder (a symbolic
 * link, never followed; a FIFO or socket, never opened; a device): listed so the owner can remove it.
 */
export const EntryKind = z.enum(['file', 'folder', 'special']);
export type EntryKind = z.infer<typeof EntryKind>;
export const SpecialKind = z.enum(['link', 'fifo', 'socket', 'device']);
export type SpecialKind = z.infer<typeof SpecialKind>;

export const FileEntry = z.object({
  /** The name; when `nameIssues` is set, the shown form (escaped), not the name itself. */
  name: z.string(),
  /** Relative to the storage root; shown form like `name` when `ref` is set. */
  path: z.string(),
  kind: EntryKind,
  /** Bytes; 0 for folders and special entries. */
  size: z.number().int(),
  modifiedAt: z.string(),
  /** For `special` entries: what it is. */
  special: SpecialKind.optional(),
  /** Why the name is shown escaped (a right-to-left override, bytes that are not UTF-8…): mark it. */
  nameIssues: z.array(NameIssue).optional(),
  /** Present exactly when `path` does not address the entry (its name or a parent's is unusual): use this. */
  ref: StorageRef.optional(),
});
export type FileEntry = z.infer<typeof FileEntry>;

// Extensions two names long: "backup.tar.gz" is "backup" + ".tar.gz" (numbered "backup (2).tar.gz").
const DOUBLE_EXTENSION = /\.tar\.(?:gz|bz2|xz|zst|lz|lzma|Z)$/i;

/**
 * A file name and its extension: "q3.pdf" → ["q3", ".pdf"]. A leading dot is part of the name
 * (".bashrc" has no extension), and so is a trailing one. The one rule for the server's "keep
 * both" numbering ("q3 (2).pdf") and the web client's rename (which selects the name, not ".pdf").
 */
export function splitExtension(name: string): [string, string] {
  const double = DOUBLE_EXTENSION.exec(name);
  const dot = double && double.index > 0 ? double.index : name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return [name, ''];
  return [name.slice(0, dot), name.slice(dot)];
}

export const FolderListing = z.object({
  path: z.string(),
  /** Set when the folder was listed by `ref`. */
  ref: StorageRef.optional(),
  entries: z.array(FileEntry),
});
export type FolderListing = z.infer<typeof FolderListing>;

export const StorageUsage = z.object({
  usedBytes: z.number().int(),
  quotaBytes: z.number().int(),
  maxUploadBytes: z.number().int(),
  /**
   * Folders nested deeper than the server walks (tens of thousands of levels, only an app can make
   * them): what is inside them is not in `usedBytes`. Delete a folder above them to remove them.
   */
  uncountedFolders: z.number().int().optional(),
});
export type StorageUsage = z.infer<typeof StorageUsage>;

/** Why an item is in the trash: deleted, or the previous version of a file an upload replaced. */
export const TrashReason = z.enum(['deleted', 'replaced']);
export type TrashReason = z.infer<typeof TrashReason>;

export const TrashItem = z.object({
  id: z.uuid(),
  /** Where it was, relative to the storage root; restore puts it back there. */
  originalPath: z.string(),
  kind: EntryKind,
  size: z.number().int(),
  deletedAt: z.string(),
  /** After this the item is purged for good. */
  purgeAt: z.string(),
  /** Items trashed before this field existed were all deleted. */
  reason: TrashReason.default('deleted'),
});
export type TrashItem = z.infer<typeof TrashItem>;

/**
 * What an upload does when the name is taken (decided by the server when the file is put in
 * place, so two uploads cannot both win): `fail` answers 409 `exists`; `replace` puts the new file
 * there and the previous version in the trash; `keep-both` stores the new one as "name (2).ext"
 * (the first free number). A folder of that name is never replaced.
 */
export const UploadConflict = z.enum(['fail', 'replace', 'keep-both']);
export type UploadConflict = z.infer<typeof UploadConflict>;

/** A stored upload: the entry (its name differs from the one sent after `keep-both`), and the replaced version. */
export const UploadedFile = FileEntry.extend({
  /** The previous version, now in the trash, when the upload replaced a file. */
  replaced: TrashItem.optional(),
});
export type UploadedFile = z.infer<typeof UploadedFile>;

/** A path, or an entry's `ref` instead (then `path` is left out). */
export const PathQuery = z.object({ path: StoragePath.default(''), ref: StorageRef.optional() }).strict();
/** Download (an attachment) or, for the owner's preview, `inline` with the file's own type when it is safe to show. */
export const ContentQuery = z
  .object({
    path: StoragePath.default(''),
    ref: StorageRef.optional(),
    disposition: z.enum(['attachment', 'inline']).default('attachment'),
  })
  .strict();
export const UploadQuery = z
  .object({
    path: StoragePath,
    conflict: UploadConflict.optional(),
    /** The older spelling of `conflict=replace` (scripts use it); `conflict` wins when both are given. */
    overwrite: z.enum(['true', 'false']).default('false'),
  })
  .strict();
/** Restoring onto a taken path: `fail` answers 409 `exists`; `keep-both` restores as "name (2).ext". */
export const RestoreQuery = z.object({ conflict: z.enum(['fail', 'keep-both']).default('fail') }).strict();
export const CreateFolderBody = z.object({ path: StoragePath }).strict();
/** Rename and move are one operation: `to` is the full new path; `fromRef` replaces `from` for an entry with a `ref`. */
export const MoveBody = z
  .object({ from: StoragePath.default(''), fromRef: StorageRef.optional(), to: StoragePath })
  .strict();
