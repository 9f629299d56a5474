// The shapes of GET /api/search (docs/file-explorer.md). Pure (no Node APIs): the UI imports them,
// so the server and the UI never disagree on what a search answers.
import type { EntryType } from './types.ts';

/** What a search looks at: the names of files and folders, or the words inside files. */
export type SearchScope = 'names' | 'contents';
export const SEARCH_SCOPES: readonly SearchScope[] = ['names', 'contents'];

/** The longest query accepted (characters). */
export const MAX_QUERY_LENGTH = 200;
/** Results shown by default, and at most (`limit=`). */
export const DEFAULT_RESULTS = 100;
export const MAX_RESULTS = 500;

/** Why a file was not searched (or only partly): said to the person, never hidden. */
export type SkipReason =
  | 'too-large' // over the size searched for its kind
  | 'partly' // only its beginning was searched (a long text file, a PDF's first pages)
  | 'unreadable' // refused by the kernel, damaged, protected by a password, or not text
  | 'not-converted' // an office document that may match but was not laid out into pages (no converter, or over the number converted per search)
  | 'time'; // the search's time budget ran out before it
export const SKIP_REASONS: readonly SkipReason[] = ['too-large', 'partly', 'unreadable', 'not-converted', 'time'];

/**
 * How much of the shares the search walked: all of it, or it stopped at a bound (time, number of
 * entries, depth) and what lies beyond was not looked at.
 */
export type WalkState = 'complete' | 'time' | 'entries' | 'depth';

export interface SearchResult {
  name: string;
  path: string;
  /** The folder it is in (a sandbox path). */
  folder: string;
  kind: 'file' | 'folder';
  size: number | null;
  modifiedAt: string;
  type: EntryType;
  /** Where the query is in `name` (names search), UTF-16 offsets; null for a contents hit. */
  nameMatch: { start: number; end: number } | null;
  /** The page of a contents hit in a PDF or an office document (1-based); null otherwise. */
  page: number | null;
  /** The line of a contents hit in a text file (1-based); null otherwise. */
  line: number | null;
  /** A short piece of the text around a contents hit, the match at [start, end). */
  snippet: { text: string; start: number; end: number } | null;
}

export interface SearchResponse {
  query: string;
  in: SearchScope;
  results: SearchResult[];
  /** There were more results than shown. */
  more: boolean;
  /** Entries looked at (names) or files looked into (contents). */
  scanned: number;
  walk: WalkState;
  /** Files not searched (or partly), by reason. */
  skipped: Record<SkipReason, number>;
  /** The first few of them, with the reason. */
  skippedFiles: Array<{ path: string; reason: SkipReason }>;
  tookMs: number;
}
