/**
 * The types a file may be served as for the owner's in-browser preview (`disposition=inline`),
 * by extension. Only types a browser shows without running anything of the file's: pictures,
 * PDF, audio, video, and text as plain text (HTML and scripts included, so they show as source). Anything else stays `application/octet-stream`. Names come from the owner's storage
 * (apps write there too), so this never sniffs content.
 */
const PREVIEW_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  // Shown by <img> (which runs no script); opened on its own, the sandbox below stops its scripts.
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
};

const TEXT_EXTENSIONS = new Set([
  'txt',
  'text',
  'md',
  'markdown',
  'csv',
  'tsv',
  'log',
  'json',
  'xml',
  'yaml',
  'yml',
  'toml',
  'ini',
  'conf',
  'cfg',
  'html',
  'htm',
  'css',
  'js',
  'mjs',
  'ts',
  'tsx',
  'jsx',
  'py',
  'rb',
  'go',
  'rs',
  'c',
  'h',
  'cpp',
  'hpp',
  'java',
  'kt',
  'sh',
  'sql',
  'srt',
  'vtt',
]);

/** The Content-Type to preview `name` with, or octet-stream when it is not one to show inline. */
export function previewContentType(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (TEXT_EXTENSIONS.has(ext)) return 'text/plain; charset=utf-8';
  return PREVIEW_TYPES[ext] ?? 'application/octet-stream';
}

/**
 * The policy of a preview response: it may be framed by this site's own page only (the PDF
 * viewer), runs nothing (`sandbox`: a unique origin, no scripts, even if a browser rendered it as
 * a document) and loads nothing. Every other response keeps `frame-ancestors 'none'`.
 */
export const PREVIEW_CSP = "default-src 'none'; frame-ancestors 'self'; sandbox";
