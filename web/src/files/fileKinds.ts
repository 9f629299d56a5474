/**
 * What sort of file an entry is, from its name: for its icon, its type in words, and how the
 * owner's preview shows it. The server decides separately what it serves inline
 * (server/src/storage/content-types.ts); a preview of a type it does not serve shows the card.
 */
import type { FileEntry } from './filesApi.ts';

export type FileSort =
  | 'folder'
  | 'pdf'
  | 'image'
  | 'video'
  | 'audio'
  | 'text'
  | 'code'
  | 'spreadsheet'
  | 'document'
  | 'presentation'
  | 'archive'
  | 'other'
  | 'special';

/** How the preview dialog shows a file: in the page (image, PDF, video, audio, text) or as a card. */
export type PreviewMode = 'image' | 'pdf' | 'video' | 'audio' | 'text' | 'card';

const BY_EXTENSION: Record<string, FileSort> = {};
const add = (sort: FileSort, extensions: string) => {
  for (const ext of extensions.split(' ')) BY_EXTENSION[ext] = sort;
};
add('pdf', 'pdf');
add('image', 'png jpg jpeg gif webp avif bmp ico svg tif tiff heic heif');
add('video', 'mp4 m4v webm ogv mov mkv avi wmv mpg mpeg');
add('audio', 'mp3 m4a aac wav ogg oga opus flac wma');
add('text', 'txt text md markdown log rtf srt vtt');
add(
  'code',
  'json xml yaml yml toml ini conf cfg html htm css js mjs ts tsx jsx py rb go rs c h cpp hpp java kt sh sql',
);
add('spreadsheet', 'csv tsv xls xlsx xlsm ods numbers');
add('document', 'doc docx odt pages epub');
add('presentation', 'ppt pptx odp key');
add('archive', 'zip tar gz tgz bz2 xz zst 7z rar iso');

// What the server serves inline for a preview (kept in step with content-types.ts).
const INLINE_IMAGE = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'bmp', 'ico', 'svg']);
const INLINE_VIDEO = new Set(['mp4', 'm4v', 'webm', 'ogv', 'mov']);
const INLINE_AUDIO = new Set(['mp3', 'm4a', 'aac', 'wav', 'ogg', 'oga', 'opus', 'flac']);
const INLINE_TEXT = new Set(
  'txt text md markdown csv tsv log json xml yaml yml toml ini conf cfg html htm css js mjs ts tsx jsx py rb go rs c h cpp hpp java kt sh sql srt vtt'.split(
    ' ',
  ),
);

/** The lower-case extension without its dot ("" for none; a leading dot starts a name, not an extension). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}

export function fileSortOf(entry: Pick<FileEntry, 'kind' | 'name'>): FileSort {
  if (entry.kind === 'folder') return 'folder';
  if (entry.kind === 'special') return 'special';
  return BY_EXTENSION[extensionOf(entry.name)] ?? 'other';
}

export function previewModeOf(name: string): PreviewMode {
  const ext = extensionOf(name);
  if (ext === 'pdf') return 'pdf';
  if (INLINE_IMAGE.has(ext)) return 'image';
  if (INLINE_VIDEO.has(ext)) return 'video';
  if (INLINE_AUDIO.has(ext)) return 'audio';
  if (INLINE_TEXT.has(ext)) return 'text';
  return 'card';
}

const SORT_WORDS: Record<FileSort, string> = {
  folder: 'Folder',
  pdf: 'PDF document',
  image: 'image',
  video: 'video',
  audio: 'audio',
  text: 'text',
  code: 'text',
  spreadsheet: 'spreadsheet',
  document: 'document',
  presentation: 'presentation',
  archive: 'archive',
  other: 'file',
  special: 'Special file',
};

/** The type in words: "PNG image", "PDF document", "DOCX document", "File" (no extension). */
export function typeLabel(entry: Pick<FileEntry, 'kind' | 'name'>): string {
  const sort = fileSortOf(entry);
  if (sort === 'folder' || sort === 'pdf' || sort === 'special') return SORT_WORDS[sort];
  const ext = extensionOf(entry.name);
  return ext ? `${ext.toUpperCase()} ${SORT_WORDS[sort]}` : 'File';
}
