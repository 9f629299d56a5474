import fs from 'node:fs';
import path from 'node:path';
import { ApiError, type FileRoot } from './paths.ts';
import {
  DEFAULT_RESULTS,
  MAX_QUERY_LENGTH,
  MAX_RESULTS,
  SEARCH_SCOPES,
  SKIP_REASONS,
  type SearchResponse,
  type SearchResult,
  type SearchScope,
  type SkipReason,
} from './search-contract.ts';
import {
  MAX_OFFICE_BYTES,
  MAX_PDF_BYTES,
  SkipError,
  TextCache,
  cacheKey,
  hasPages,
  openFile,
  officeWords,
  pdfText,
  readTextFile,
  textKind,
  type Extract,
} from './search-extract.ts';
import { fold, locate, snippet } from './search-fold.ts';
import { NameIndex, type IndexView } from './search-index.ts';
import { fileType } from './types.ts';

// GET /api/search?q=…&in=names|contents[&limit=N] (docs/file-explorer.md): every grant, every
// folder, within bounds, and honest about what it did not look at.

/** The walk of a search (names: the whole answer) stops after this long; the next one resumes. */
const WALK_BUDGET_MS = 2_000;
/** A search inside files stops looking after this long (what is left is said to be not searched). */
const CONTENTS_BUDGET_MS = 20_000;
/** Office documents laid out into pages (LibreOffice: seconds each) per search, at most. */
const MAX_CONVERSIONS = 12;
/** Hits reported per file (one per page, or per line of a text file). */
const MAX_HITS_PER_FILE = 5;
/** Files named in `skippedFiles`. */
const MAX_SKIPPED_LISTED = 20;
/** Longer lines are searched in pieces of this size (a match across two pieces is missed). */
const PIECE = 4096;

export interface SearchOptions {
  root: FileRoot;
  /** The grants' sandbox paths. */
  grants: readonly string[];
  /** The PDF an office document is laid out into (LibreOffice, inside the sandbox); absent: not available. */
  officePdf?: (sandboxPath: string) => Promise<string>;
  /** For tests: a smaller time budget (ms) for searching inside files. */
  contentsBudgetMs?: number;
}

export interface SearchRequest {
  query: string;
  scope: SearchScope;
  limit: number;
}

/** The query string of a request, checked: anything a client sends is hostile. */
export function parseSearch(params: URLSearchParams): SearchRequest {
  const q = params.get('q');
  if (q === null || q.trim() === '') throw new ApiError(400, 'invalid', 'q (what to search for) is missing');
  if (q.length > MAX_QUERY_LENGTH)
    throw new ApiError(400, 'invalid', `q is longer than ${MAX_QUERY_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(q)) throw new ApiError(400, 'invalid', 'q contains control characters');
  const scope = (params.get('in') ?? 'names') as SearchScope;
  if (!SEARCH_SCOPES.includes(scope)) throw new ApiError(400, 'invalid', 'in must be "names" or "contents"');
  const rawLimit = params.get('limit');
  const limit = rawLimit === null ? DEFAULT_RESULTS : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS) {
    throw new ApiError(400, 'invalid', `limit must be a whole number from 1 to ${MAX_RESULTS}`);
  }
  return { query: q.trim(), scope, limit };
}

interface Candidate {
  name: string;
  path: string;
  kind: 'file' | 'folder';
}

export class Search {
  readonly #opts: SearchOptions;
  readonly #index: NameIndex;
  readonly #cache = new TextCache();

  constructor(opts: SearchOptions) {
    this.#opts = opts;
    this.#index = new NameIndex(opts.root, opts.grants);
  }

  async run(req: SearchRequest, signal: AbortSignal): Promise<SearchResponse> {
    const started = Date.now();
    const needle = fold(req.query);
    const view = await this.#index.refresh(WALK_BUDGET_MS);
    const skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
    const skippedFiles: SearchResponse['skippedFiles'] = [];
    const skip = (p: string, reason: SkipReason) => {
      skipped[reason]++;
      if (skippedFiles.length < MAX_SKIPPED_LISTED) skippedFiles.push({ path: p, reason });
    };
    for (const p of view.unreadable) skip(p, 'unreadable');
    const out =
      req.scope === 'names'
        ? await this.#names(view, needle, req.limit)
        : await this.#contents(view, needle, req.limit, signal, skip);
    return {
      query: req.query,
      in: req.scope,
      results: out.results,
      more: out.more,
      scanned: out.scanned,
      walk: view.walk,
      skipped,
      skippedFiles,
      tookMs: Date.now() - started,
    };
  }

  async #names(view: IndexView, needle: string, limit: number) {
    const matches: Array<{ c: Candidate; at: number }> = [];
    let scanned = 0;
    const consider = (folder: string, e: { name: string; folded: string; kind: 'file' | 'folder' }, p?: string) => {
      scanned++;
      const at = e.folded.indexOf(needle);
      if (at >= 0) matches.push({ c: { name: e.name, path: p ?? path.posix.join(folder, e.name), kind: e.kind }, at });
    };
    for (const f of view.files) consider('', f.entry, f.path);
    for (const folder of view.folders) for (const e of folder.entries) consider(folder.path, e);
    // Names that start with the query first, then shallower, then by path.
    const depth = (p: string) => p.split('/').length;
    matches.sort(
      (a, b) =>
        Number(a.at !== 0) - Number(b.at !== 0) ||
        depth(a.c.path) - depth(b.c.path) ||
        (a.c.path < b.c.path ? -1 : a.c.path > b.c.path ? 1 : 0),
    );
    const results: SearchResult[] = [];
    // Only what is shown is stat'ed (size, date); gone or turned into a link meanwhile: left out.
    for (const { c } of matches) {
      if (results.length >= limit) break;
      const st = await fs.promises.lstat(this.#opts.root.toReal(c.path)).catch(() => null);
      if (!st || !(st.isFile() || st.isDirectory())) continue;
      results.push({ ...this.#result(c, st), nameMatch: locate(c.name, needle) });
    }
    return { results, more: matches.length > results.length, scanned };
  }

  #result(c: Candidate, st: fs.Stats): SearchResult {
    const folder = st.isDirectory();
    return {
      name: c.name,
      path: c.path,
      folder: path.posix.dirname(c.path),
      kind: folder ? 'folder' : 'file',
      size: folder ? null : st.size,
      modifiedAt: st.mtime.toISOString(),
      type: folder ? 'folder' : fileType(c.name),
      nameMatch: null,
      page: null,
      line: null,
      snippet: null,
    };
  }

  async #contents(
    view: IndexView,
    needle: string,
    limit: number,
    signal: AbortSignal,
    skip: (p: string, reason: SkipReason) => void,
  ) {
    const deadline = Date.now() + (this.#opts.contentsBudgetMs ?? CONTENTS_BUDGET_MS);
    const files: Candidate[] = view.files.map((f) => ({ name: f.entry.name, path: f.path, kind: 'file' }));
    for (const folder of view.folders) {
      for (const e of folder.entries) {
        if (e.kind === 'file' && textKind(e.name)) {
          files.push({ name: e.name, path: path.posix.join(folder.path, e.name), kind: 'file' });
        }
      }
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const results: SearchResult[] = [];
    let scanned = 0;
    let conversions = 0;
    let more = false;
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      if (signal.aborted) throw signal.reason as Error;
      if (Date.now() > deadline) {
        for (const f of files.slice(i)) skip(f.path, 'time');
        break;
      }
      if (results.length > limit) {
        more = true;
        break;
      }
      scanned++;
      try {
        const hits = await this.#searchFile(file, needle, signal, {
          canConvert: () => conversions < MAX_CONVERSIONS && Date.now() < deadline,
          converted: () => conversions++,
          skip,
        });
        results.push(...hits);
      } catch (err) {
        if (signal.aborted) throw signal.reason as Error;
        if (err instanceof SkipError) skip(file.path, err.reason);
        else throw err;
      }
    }
    if (results.length > limit) more = true;
    return { results: results.slice(0, limit), more, scanned };
  }

  async #searchFile(
    file: Candidate,
    needle: string,
    signal: AbortSignal,
    office: { canConvert(): boolean; converted(): void; skip(p: string, reason: SkipReason): void },
  ): Promise<SearchResult[]> {
    const kind = textKind(file.name)!;
    const real = this.#opts.root.toReal(file.path);
    // What the cache knows is found by lstat alone; the file is opened (never through a link)
    // only to read it, and must still be the file that was stat'ed.
    const st = await fs.promises.lstat(real).catch(() => null);
    if (!st?.isFile()) throw new SkipError('unreadable', 'not a plain file');
    let opened: fs.promises.FileHandle | null = null;
    const fh = async () => {
      if (opened) return opened;
      const o = await openFile(real);
      opened = o.fh;
      if (o.st.ino !== st.ino || o.st.size !== st.size || o.st.mtimeMs !== st.mtimeMs) {
        throw new SkipError('unreadable', 'changed while it was searched');
      }
      return opened;
    };
    let extract: Extract;
    let paged = kind === 'pdf';
    try {
      if (kind === 'text') {
        extract = await this.#cached(cacheKey('text', file.path, st), async () => readTextFile(await fh(), st.size));
      } else if (kind === 'pdf') {
        if (st.size > MAX_PDF_BYTES) throw new SkipError('too-large', 'too large');
        extract = await this.#cached(cacheKey('pdf', file.path, st), async () => pdfText(await fh(), signal));
      } else {
        if (st.size > MAX_OFFICE_BYTES) throw new SkipError('too-large', 'too large');
        const words = await this.#cached(cacheKey('words', file.path, st), async () => ({
          pages: [await officeWords(await fh(), file.name, st.size)],
          partly: false,
        }));
        // The cheap look: no such words, no need to lay the document out.
        if (!fold(words.pages[0]!).includes(needle)) return [];
        extract = words;
        if (hasPages(file.name)) {
          const laidOut = await this.#laidOut(file, st, signal, office);
          if (laidOut) {
            extract = laidOut;
            paged = true;
          } else office.skip(file.path, 'not-converted');
        }
      }
    } finally {
      await (opened as fs.promises.FileHandle | null)?.close();
    }
    if (extract.partly) office.skip(file.path, 'partly');
    return this.#hits(file, st, extract, needle, paged);
  }

  /** The document's pages from the PDF LibreOffice lays it out into; null if not (now) possible. */
  async #laidOut(
    file: Candidate,
    st: fs.Stats,
    signal: AbortSignal,
    office: { canConvert(): boolean; converted(): void },
  ): Promise<Extract | null> {
    const officePdf = this.#opts.officePdf;
    const key = cacheKey('laid-out', file.path, st);
    const known = this.#cache.get(key);
    if (known) return known;
    if (!officePdf || !office.canConvert()) return null;
    office.converted();
    let pdf: string;
    try {
      pdf = await officePdf(file.path);
    } catch {
      return null;
    }
    if (signal.aborted) throw signal.reason as Error;
    const { fh } = await openFile(pdf);
    try {
      const extract = await pdfText(fh, signal);
      this.#cache.set(key, extract);
      return extract;
    } finally {
      await fh.close();
    }
  }

  async #cached(key: string, make: () => Promise<Extract>): Promise<Extract> {
    const known = this.#cache.get(key);
    if (known) return known;
    const made = await make();
    this.#cache.set(key, made);
    return made;
  }

  /** One result per page (PDF, laid-out document) or per line (text), the first MAX_HITS_PER_FILE. */
  #hits(file: Candidate, st: fs.Stats, extract: Extract, needle: string, paged: boolean): SearchResult[] {
    const out: SearchResult[] = [];
    let line = 1;
    for (let p = 0; p < extract.pages.length && out.length < MAX_HITS_PER_FILE; p++) {
      const page = extract.pages[p]!;
      if (!fold(page).includes(needle)) {
        // No hit anywhere on the page (folding it whole is folding it line by line): skip its lines.
        line += countLines(page);
        continue;
      }
      let at = 0;
      for (const lineText of page.split('\n')) {
        for (let from = 0; from < Math.max(1, lineText.length); from += PIECE) {
          const piece = lineText.slice(from, from + PIECE);
          if (!fold(piece).includes(needle)) continue;
          const m = locate(piece, needle);
          if (!m) continue;
          // Context across lines: the snippet is cut from the page around the match.
          const start = at + from + m.start;
          const end = at + from + m.end;
          const windowStart = Math.max(0, start - 200);
          const window = page.slice(windowStart, Math.min(page.length, end + 200));
          out.push({
            ...this.#result(file, st),
            page: paged ? p + 1 : null,
            line: paged ? null : line,
            snippet: snippet(window, start - windowStart, end - windowStart),
          });
          break;
        }
        at += lineText.length + 1;
        if (out.length >= MAX_HITS_PER_FILE) break;
        if (paged && out.length > 0 && out.at(-1)!.page === p + 1) break; // one hit per page
        line++;
      }
    }
    return out;
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
