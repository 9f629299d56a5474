// What a file is, by its name: the `type` of a listing entry and the Content-Type of its bytes.
// Pure (no Node APIs): the UI imports it too, so server and UI never disagree on a type.

export type EntryType = 'pdf' | 'document' | 'spreadsheet' | 'image' | 'video' | 'audio' | 'text' | 'other' | 'folder';

const IMAGE: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jfif: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  avif: 'image/avif',
};

const VIDEO: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
};

const AUDIO: Record<string, string> = {
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
};

/** Word-processing documents and presentations: rendered by LibreOffice inside the sandbox, shown as pages. */
// prettier-ignore
const DOCUMENT = new Set(['doc', 'docx', 'docm', 'dot', 'dotx', 'odt', 'ott', 'fodt', 'rtf', 'ppt', 'pptx', 'pptm', 'pps', 'ppsx', 'odp', 'otp', 'fodp']);

/** Spreadsheets, shown as a grid with their sheets; CSV/TSV are parsed by the UI itself. */
const SPREADSHEET = new Set(['xls', 'xlsx', 'xlsm', 'xlsb', 'ods', 'ots', 'fods', 'csv', 'tsv']);

// prettier-ignore
const TEXT = new Set([
  'txt', 'text', 'md', 'markdown', 'rst', 'log', 'json', 'jsonl', 'ndjson', 'xml', 'yaml', 'yml',
  'toml', 'ini', 'cfg', 'conf', 'env', 'properties', 'html', 'htm', 'css', 'scss', 'less', 'js', 'mjs', 'cjs',
  'jsx', 'ts', 'mts', 'cts', 'tsx', 'py', 'rb', 'go', 'rs', 'java', 'kt', 'kts', 'scala', 'c', 'h', 'cc', 'cpp',
  'cxx', 'hpp', 'hh', 'cs', 'swift', 'm', 'php', 'pl', 'pm', 'lua', 'r', 'sql', 'sh', 'bash', 'zsh', 'fish',
  'ps1', 'bat', 'cmd', 'makefile', 'mk', 'cmake', 'gradle', 'dockerfile', 'gitignore', 'gitattributes',
  'editorconfig', 'diff', 'patch', 'tex', 'bib', 'srt', 'vtt', 'lock', 'vue', 'svelte', 'dart', 'ex', 'exs',
  'erl', 'hs', 'ml', 'clj', 'el', 'vim', 'nix', 'tf', 'proto', 'graphql', 'gql',
]);

const TEXT_NAMES = new Set([
  'makefile',
  'dockerfile',
  'readme',
  'license',
  'copying',
  'changelog',
  'authors',
  'notice',
]);

/** Lower-case extension without the dot ('' when none). */
export function extensionOf(name: string): string {
  const i = name.lastIndexOf('.');
  if (i < 0 || i === name.length - 1) return '';
  return name.slice(i + 1).toLowerCase();
}

export function fileType(name: string): Exclude<EntryType, 'folder'> {
  const ext = extensionOf(name);
  if (ext === 'pdf') return 'pdf';
  if (ext in IMAGE) return 'image';
  if (ext in VIDEO) return 'video';
  if (ext in AUDIO) return 'audio';
  if (DOCUMENT.has(ext)) return 'document';
  if (SPREADSHEET.has(ext)) return 'spreadsheet';
  if (TEXT.has(ext) || (ext === '' && TEXT_NAMES.has(name.toLowerCase()))) return 'text';
  return 'other';
}

/**
 * The Content-Type a file of the person's storage is served with. Anything textual is plain
 * text, never HTML or script: the bytes are data to show, not pages for the UI's origin to run.
 */
export function fileContentType(name: string): string {
  const ext = extensionOf(name);
  if (ext === 'pdf') return 'application/pdf';
  if (ext in IMAGE) return IMAGE[ext]!;
  if (ext in VIDEO) return VIDEO[ext]!;
  if (ext in AUDIO) return AUDIO[ext]!;
  if (fileType(name) === 'text' || ext === 'csv' || ext === 'tsv') return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

const ASSET: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  wasm: 'application/wasm',
};

/** Content-Type of one of the UI's own built files. */
export function assetContentType(name: string): string {
  return ASSET[extensionOf(name)] ?? 'application/octet-stream';
}
