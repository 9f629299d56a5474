import { z } from 'zod';

/** An owner's own storage ("browser mode"): JSON shapes of /api/files and /api/trash. */

/**
 * A path inside an owner's storage root, '/'-separated and relative ("" = the root itself).
 * Only the shape is checked here; the server re-validates every segment and the disk.
 */
export const StoragePath = z.string().max(4096);

export const FileEntry = z.object({
  name: z.string(),
  /** Relative to the storage root. */
  path: z.string(),
  kind: z.enum(['file', 'folder']),
  /** Bytes; 0 for folders. */
  size: z.number().int(),
  modifiedAt: z.string(),
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

export const FolderListing = z.object({ path: z.string(), entries: z.array(FileEntry) });
export type FolderListing = z.infer<typeof FolderListing>;

export const StorageUsage = z.object({
  usedBytes: z.number().int(),
  quotaBytes: z.number().int(),
  maxUploadBytes: z.number().int(),
});
export type StorageUsage = z.infer<typeof StorageUsage>;

/** Why an item is in the trash: deleted, or the previous version of a file an upload replaced. */
export const TrashReason = z.enum(['deleted', 'replaced']);
export type TrashReason = z.infer<typeof TrashReason>;

export const TrashItem = z.object({
  id: z.uuid(),
  /** Where it was, relative to the storage root; restore puts it back there. */
  originalPath: z.string(),
  kind: z.enum(['file', 'folder']),
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

export const PathQuery = z.object({ path: StoragePath.default('') }).strict();
/** Download (an attachment) or, for the owner's preview, `inline` with the file's own type when it is safe to show. */
export const ContentQuery = z
  .object({ path: StoragePath.default(''), disposition: z.enum(['attachment', 'inline']).default('attachment') })
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
/** Rename and move are one operation: `to` is the full new path. */
export const MoveBody = z.object({ from: StoragePath, to: StoragePath }).strict();
