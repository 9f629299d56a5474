import type { Entry, EntryType } from './types.ts';

// Type detection by extension. The server sends a `type` for each entry; this is the fallback and
// the source of the finer "Type" column label and of the type filter's categories.

const IMAGE = ['png', 'jpg', 'jpeg', 'jfif', 'gif', 'webp', 'svg', 'bmp', 'ico', 'avif'];
const VIDEO = ['mp4', 'm4v', 'webm', 'ogv', 'mov', 'mkv'];
const TEXT = (
  'txt text md markdown rst log csv tsv json jsonl ndjson xml yaml yml toml ini cfg conf env ' +
  'properties html htm css scss less js mjs cjs jsx ts mts cts tsx py rb go rs java kt kts scala c h ' +
  'cc cpp cxx hpp hh cs swift m php pl pm lua r sql sh bash zsh fish ps1 bat cmd makefile mk cmake ' +
  'gradle dockerfile gitignore gitattributes editorconfig diff patch tex bib srt vtt lock vue svelte ' +
  'dart ex exs erl hs ml clj el vim nix tf proto graphql gql'
).split(' ');
// "Documents" in the type filter: PDFs plus office-like files (shown with a metadata card).
const OFFICE = [
  'doc',
  'docx',
  'odt',
  'rtf',
  'xls',
  'xlsx',
  'ods',
  'ppt',
  'pptx',
  'odp',
  'pages',
  'numbers',
  'key',
  'epub',
];

const TEXT_NAMES = ['makefile', 'dockerfile', 'readme', 'license', 'copying', 'changelog', 'authors', 'notice'];

/** Lower-case extension without the dot ('' when none). A leading dot alone (".env") counts as one. */
export function extensionOf(name: string): string {
  const i = name.lastIndexOf('.');
  if (i < 0 || i === name.length - 1) return '';
  return name.slice(i + 1).toLowerCase();
}

export function typeFromName(name: string): Exclude<EntryType, 'folder'> {
  const ext = extensionOf(name);
  if (ext === 'pdf') return 'pdf';
  if (IMAGE.includes(ext)) return 'image';
  if (VIDEO.includes(ext)) return 'video';
  if (TEXT.includes(ext)) return 'text';
  if (ext === '' && TEXT_NAMES.includes(name.toLowerCase())) return 'text';
  return 'other';
}

/** The type the UI acts on: the server's when it sent a known one, else by extension. */
export function effectiveType(entry: Pick<Entry, 'name' | 'kind' | 'type'>): EntryType {
  if (entry.kind === 'folder') return 'folder';
  const known: EntryType[] = ['pdf', 'image', 'video', 'text', 'other'];
  if (known.includes(entry.type) && entry.type !== 'other') return entry.type;
  return typeFromName(entry.name);
}

export type TypeFilter = 'all' | 'documents' | 'images' | 'videos' | 'text';

export const TYPE_FILTERS: { id: TypeFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'documents', label: 'Documents' },
  { id: 'images', label: 'Images' },
  { id: 'videos', label: 'Videos' },
  { id: 'text', label: 'Text' },
];

export function matchesTypeFilter(entry: Pick<Entry, 'name' | 'kind' | 'type'>, filter: TypeFilter): boolean {
  if (filter === 'all') return true;
  // Folders stay visible under every filter: one still needs them to get anywhere.
  if (entry.kind === 'folder') return true;
  const t = effectiveType(entry);
  switch (filter) {
    case 'documents':
      return t === 'pdf' || OFFICE.includes(extensionOf(entry.name));
    case 'images':
      return t === 'image';
    case 'videos':
      return t === 'video';
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
