// Shapes of the explorer server's HTTP API (docs/file-explorer.md).

export type Access = 'read' | 'read-write' | 'read-write-delete';
export type { EntryType } from '../../../server/types.ts';
import type { EntryType } from '../../../server/types.ts';

export interface Root {
  name: string;
  path: string;
  kind: 'file' | 'folder';
  access: Access;
}

export interface Entry {
  name: string;
  path: string;
  kind: 'file' | 'folder';
  /** Bytes; absent (or 0) for folders and for roots. */
  size?: number | null;
  /** ISO 8601 string or milliseconds since the epoch. */
  modifiedAt?: string | number | null;
  type: EntryType;
}

export interface Listing {
  path: string;
  entries: Entry[];
}
