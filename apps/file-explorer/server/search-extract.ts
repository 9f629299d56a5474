import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { openNoFollow } from './paths.ts';
import { extensionOf, fileType } from './types.ts';
import { xmlText, zippedDocumentText } from './search-zip.ts';

// The text of a file, for searching inside it, page by page where a file has pages: text files
// (bounded), PDFs (pdftotext, inside the sandbox like everything here: it separates pages with a
// form feed), office documents (their zipped XML, cheaply, to pick candidates; the pages only from
// the PDF LibreOffice lays them out into). Extracted text is cached for the session by path, size,
// mtime and inode, within a bound.

/** Bytes of a text file searched; the rest is said to be not searched. */
export const MAX_TEXT_FILE_BYTES = 2 * 1024 * 1024;
/** Larger PDFs are not searched. */
export const MAX_PDF_BYTES = 200 * 1024 * 1024;
/** Larger office documents are not searched. */
export const MAX_OFFICE_BYTES = 50 * 1024 * 1024;
/** Pages of a PDF searched (pdftotext -l). */
export const MAX_PDF_PAGES = 2000;
/** Characters of a PDF's text kept; the rest is said to be not searched. */
const MAX_PDF_TEXT_BYTES = 16 * 1024 * 1024;
/** One pdftotext run at most this long. */
const PDFTOTEXT_TIMEOUT_MS = 30_000;
/** pdftotext's address space (KiB): a PDF that needs more is said to be unreadable. */
const PDFTOTEXT_MEMORY_KB = 1024 * 1024;
/** Characters of extracted text the cache holds (the sandbox's memory is shared with Chromium). */
const CACHE_CHARS = 24 * 1024 * 1024;

/** What searching inside a file means for it. */
export type TextKind = 'text' | 'pdf' | 'office';

/** Office documents whose words can be read without LibreOffice: zipped XML, flat XML, RTF. */
const ZIPPED = new Set([
  'docx',
  'docm',
  'dotx',
  'pptx',
  'pptm',
  'ppsx',
  'odt',
  'ott',
  'odp',
  'otp',
  'xlsx',
  'xlsm',
  'ods',
  'ots',
]);
const FLAT = new Set(['fodt', 'fodp', 'fods', 'rtf']);
/** Laid out into pages by LibreOffice: a hit has a page. Spreadsheets have none worth opening at. */
const PAGED_OFFICE = new Set(['document']);

export function textKind(name: string): TextKind | null {
  const type = fileType(name);
  const ext = extensionOf(name);
  if (type === 'text' || ext === 'csv' || ext === 'tsv') return 'text';
  if (type === 'pdf') return 'pdf';
  if (type === 'document' || type === 'spreadsheet') return 'office';
  return null;
}

/** Whether a hit in this office document can have a page (after layout). */
export function hasPages(name: string): boolean {
  return PAGED_OFFICE.has(fileType(name));
}

export interface Extract {
  /** The text, page by page (one page for a text file or a document not laid out). */
  pages: string[];
  /** Only the beginning was read. */
  partly: boolean;
}

export class SkipError extends Error {
  readonly reason: 'too-large' | 'unreadable';
  constructor(reason: 'too-large' | 'unreadable', message: string) {
    super(message);
    this.reason = reason;
  }
}

export class TextCache {
  readonly #entries = new Map<string, Extract>();
  #chars = 0;

  get(key: string): Extract | undefined {
    const hit = this.#entries.get(key);
    if (hit) {
      // Most recently used last: the first ones go first.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: Extract): void {
    const size = value.pages.reduce((n, p) => n + p.length, 0);
    if (size > CACHE_CHARS / 4) return; // one huge file would push everything else out
    this.#delete(key);
    this.#entries.set(key, value);
    this.#chars += size;
    for (const k of this.#entries.keys()) {
      if (this.#chars <= CACHE_CHARS) break;
      this.#delete(k);
    }
  }

  #delete(key: string) {
    const old = this.#entries.get(key);
    if (!old) return;
    this.#entries.delete(key);
    this.#chars -= old.pages.reduce((n, p) => n + p.length, 0);
  }
}

export function cacheKey(kind: string, sandboxPath: string, st: fs.Stats): string {
  return `${kind}\0${sandboxPath}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
}

/** Opens a file of the shares for reading, never through a link; null if it is not a plain file. */
export async function openFile(real: string): Promise<{ fh: fs.promises.FileHandle; st: fs.Stats }> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await openNoFollow(real);
  } catch (err) {
    throw new SkipError('unreadable', (err as Error).message);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new SkipError('unreadable', 'not a plain file');
  }
  return { fh, st };
}

/** A text file's first MAX_TEXT_FILE_BYTES as text (UTF-8, UTF-16 with a BOM, else Windows-1252). */
export async function readTextFile(fh: fs.promises.FileHandle, size: number): Promise<Extract> {
  const length = Math.min(size, MAX_TEXT_FILE_BYTES);
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, 0);
  const bytes = buf.subarray(0, bytesRead);
  return { pages: [decodeText(bytes)], partly: size > length };
}

function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.subarray(0, 8192).includes(0)) throw new SkipError('unreadable', 'not text');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Cut in the middle of a character by the bound, or not UTF-8 at all.
    const cut = bytes.length === MAX_TEXT_FILE_BYTES ? bytes.subarray(0, bytes.length - 4) : bytes;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(cut);
    } catch {
      return new TextDecoder('windows-1252').decode(bytes);
    }
  }
}

/**
 * A PDF's text page by page, from pdftotext reading the already opened file (its descriptor is
 * handed over: nothing is opened again by name, so no link can be slipped in between).
 */
export function pdfText(fh: fs.promises.FileHandle, signal: AbortSignal): Promise<Extract> {
  return new Promise((resolve, reject) => {
    // A hostile PDF costs its own search, not the session: pdftotext is the first the kernel's OOM
    // killer takes in the sandbox's cgroup, its address space is capped, and it runs at low priority.
    const script = `echo 1000 > /proc/self/oom_score_adj 2>/dev/null; ulimit -v ${PDFTOTEXT_MEMORY_KB}; exec nice -n 10 pdftotext "$@"`;
    const args = ['-q', '-enc', 'UTF-8', '-l', String(MAX_PDF_PAGES), '/proc/self/fd/3', '-'];
    const child = spawn('/bin/sh', ['-c', script, 'pdftotext', ...args], {
      stdio: ['ignore', 'pipe', 'ignore', fh.fd],
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let partly = false;
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(kill, PDFTOTEXT_TIMEOUT_MS);
    signal.addEventListener('abort', kill, { once: true });
    child.stdout!.on('data', (d: Buffer) => {
      if (bytes >= MAX_PDF_TEXT_BYTES) return;
      chunks.push(d);
      bytes += d.length;
      if (bytes >= MAX_PDF_TEXT_BYTES) {
        partly = true;
        kill();
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', kill);
      reject(new SkipError('unreadable', `pdftotext: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', kill);
      if (signal.aborted) return reject(signal.reason as Error);
      if (code !== 0 && !partly) {
        // Killed by the timer: what was read so far is searched, the rest said to be not.
        if (sig !== 'SIGKILL' || bytes === 0) {
          return reject(new SkipError('unreadable', 'damaged or protected by a password'));
        }
        partly = true;
      }
      const pages = new TextDecoder('utf-8').decode(Buffer.concat(chunks)).split('\f');
      // pdftotext ends every page with a form feed: the last piece is not a page.
      if (pages.length > 1 && pages.at(-1)!.trim() === '') pages.pop();
      if (pages.length >= MAX_PDF_PAGES) partly = true;
      resolve({ pages, partly });
    });
  });
}

/**
 * An office document's words without laying it out: its zipped XML parts; flat XML and RTF as they
 * are; the legacy binary formats (.doc, .ppt, .xls) by the runs of readable text in their bytes.
 */
export async function officeWords(fh: fs.promises.FileHandle, name: string, size: number): Promise<string> {
  const ext = extensionOf(name);
  try {
    if (ZIPPED.has(ext)) return await zippedDocumentText(fh, size);
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, 0);
    const bytes = buf.subarray(0, bytesRead);
    if (FLAT.has(ext)) {
      const raw = bytes.toString('utf8');
      return ext === 'rtf' ? rtfText(raw) : xmlText(raw);
    }
    // Word 97 keeps its text as UTF-16 or as Windows-1252: both readings, only the readable runs.
    const runs = (s: string) => s.match(/[\p{L}\p{N}\p{P}\p{Zs}]{4,}/gu)?.join('\n') ?? '';
    return `${runs(bytes.toString('utf16le'))}\n${runs(bytes.toString('latin1'))}`;
  } catch (err) {
    if (err instanceof SkipError) throw err;
    throw new SkipError('unreadable', (err as Error).message);
  }
}

/** RTF's text, roughly: control words dropped, \'hh and \uN escapes decoded. */
function rtfText(rtf: string): string {
  return rtf
    .replace(/\\par[d]?\b/g, '\n')
    .replace(/\\'([0-9a-f]{2})/gi, (_, h: string) =>
      new TextDecoder('windows-1252').decode(Buffer.from([parseInt(h, 16)])),
    )
    .replace(/\\u(-?\d+)\??/g, (_, n: string) => String.fromCharCode((Number(n) + 65536) % 65536))
    .replace(/\\[a-z]+-?\d* ?/gi, '')
    .replace(/[{}]/g, '');
}
