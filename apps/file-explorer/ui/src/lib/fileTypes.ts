import type { Entry, EntryType } from './types.ts';

// Type detection by extension is the explorer server's (one table for the listing's `type`, the
// Content-Type of the bytes and the UI's fallback); this adds the type filter's categories and labels.
import { extensionOf, fileType } from '../../../server/types.ts';

export { extensionOf };

// "Documents" in the type filter: PDFs, office documents, spreadsheets, plus formats without a viewer yet.
const OTHER_DOCUMENTS = ['pages', 'numbers', 'key', 'epub'];

/** The type of a file by its name alone. */
export function typeFromName(name: string): Exclude<EntryType, 'folder'> {
  return fileType(name);
}

/** The type the UI acts on: the server's when it sent a known one, else by extension. */
export function effectiveType(entry: Pick<Entry, 'name' | 'kind' | 'type'>): EntryType {
  if (entry.kind === 'folder') return 'folder';
  const known: EntryType[] = ['pdf', 'document', 'spreadsheet', 'image', 'video', 'audio', 'text', 'other'];
  if (known.includes(entry.type) && entry.type !== 'other') return entry.type;
  return typeFromName(entry.name);
}

export type TypeFilter = 'all' | 'documents' | 'images' | 'videos' | 'text';

export const TYPE_FILTERS: { id: TypeFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'documents', label: 'Documents' },
  { id: 'images', label: 'Images' },
  { id: 'videos', label: 'Video & audio' },
  { id: 'text', label: 'Text' },
];

export function matchesTypeFilter(entry: Pick<Entry, 'name' | 'kind' | 'type'>, filter: TypeFilter): boolean {
  if (filter === 'all') return true;
  // Folders stay visible under every filter: one still needs them to get anywhere.
  if (entry.kind === 'folder') return true;
  const t = effectiveType(entry);
  switch (filter) {
    case 'documents':
      return (
        t === 'pdf' || t === 'document' || t === 'spreadsheet' || OTHER_DOCUMENTS.includes(extensionOf(entry.name))
      );
    case 'images':
      return t === 'image';
    case 'videos':
      return t === 'video' || t === 'audio';
    case 'text':
      return t === 'text';
  }
}

/** Short human label for the "Type" column, e.g. "PDF document", "Image (PNG)", "Folder". */
export function typeLabel(entry: Pick<Entry, 'name' | 'kind' | 'type'>): string {
  const t = effectiveType(entry);
  const ext = extensionOf(entry.name).toUpperCase();
  switch (t) {
    case 'folder':
      return 'Folder';
    case 'pdf':
      return 'PDF document';
    case 'document':
      return ext ? `Document (${ext})` : 'Document';
    case 'spreadsheet':
      return ext ? `Spreadsheet (${ext})` : 'Spreadsheet';
    case 'audio':
      return ext ? `Audio (${ext})` : 'Audio';
    case 'image':
      return ext ? `Image (${ext})` : 'Image';
    case 'video':
      return ext ? `Video (${ext})` : 'Video';
    case 'text':
      return ext ? `Text (${ext})` : 'Text';
    default:
      return ext ? `${ext} file` : 'File';
  }
}
