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

export const FolderListing = z.object({ path: z.string(), entries: z.array(FileEntry) });
export type FolderListing = z.infer<typeof FolderListing>;

export const StorageUsage = z.object({
  usedBytes: z.number().int(),
  quotaBytes: z.number().int(),
  maxUploadBytes: z.number().int(),
});
export type StorageUsage = z.infer<typeof StorageUsage>;

export const TrashItem = z.object({
  id: z.uuid(),
  /** Where it was, relative to the storage root; restore puts it back there. */
  originalPath: z.string(),
  kind: z.enum(['file', 'folder']),
  size: z.number().int(),
  deletedAt: z.string(),
  /** After this the item is purged for good. */
  purgeAt: z.string(),
});
export type TrashItem = z.infer<typeof TrashItem>;

export const PathQuery = z.object({ path: StoragePath.default('') }).strict();
export const UploadQuery = z
  .object({ path: StoragePath, overwrite: z.enum(['true', 'false']).default('false') })
  .strict();
export const CreateFolderBody = z.object({ path: StoragePath }).strict();
/** Rename and move are one operation: `to` is the full new path. */
export const MoveBody = z.object({ from: StoragePath, to: StoragePath }).strict();
