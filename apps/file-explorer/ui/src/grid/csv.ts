// CSV and TSV files are shown as a one-sheet grid, parsed here in the UI (LibreOffice is not
// needed for them). The file is whatever the person stored: any delimiter, quotes, newlines in
// quoted fields, a byte order mark, an encoding that is not UTF-8, and any size; only a bounded
// part of it is read and parsed.

import Papa from 'papaparse';
import { MAX_COLUMN_WIDTH } from './layout.ts';

/** Bytes read at most: more than a grid of CSV_MAX_ROWS rows usually needs. */
export const CSV_MAX_BYTES = 16 * 1024 * 1024;
export const CSV_MAX_ROWS = 100_000;
/** Excel's own limit; a longer row is cut there. */
export const CSV_MAX_COLUMNS = 16_384;

/**
 * Text from a file's bytes: a byte order mark decides (UTF-8, UTF-16 LE/BE); otherwise UTF-8 if
 * the bytes are valid UTF-8 (a character cut at the end of a partial read forgiven), else
 * Windows-1252 (what spreadsheet programs on Windows write), which decodes any byte.
 */
export function decodeText(bytes: Uint8Array, cut = false): { text: string; encoding: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  }
  // A read cut short may end inside a character: decode without its last incomplete bytes.
  let end = bytes.length;
  if (cut) {
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && (bytes[end - back - 1]! & 0xc0) === 0x80) back++;
    const lead = bytes[end - back - 1];
    if (lead !== undefined && lead >= 0xc0) end -= back + 1;
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end)), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

const DELIMITERS = [',', ';', '\t', '|'];
/** Text the delimiter is guessed from: the first lines are enough. */
const GUESS_SAMPLE = 64 * 1024;

/**
 * The delimiter that splits the first lines into the same number of fields most often, with more
 * than one field (ties: the more fields, then the order above); a comma when none does.
 * (papaparse's own guess is thrown off by the line break at the end of a file.)
 */
export function guessDelimiter(text: string): string {
  const sample = text.slice(0, GUESS_SAMPLE);
  let best = { delimiter: ',', consistent: 0, fields: 1 };
  for (const delimiter of DELIMITERS) {
    const rows = Papa.parse<string[]>(sample, { delimiter, preview: 50, skipEmptyLines: 'greedy' }).data;
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(row.length, (counts.get(row.length) ?? 0) + 1);
    let fields = 1;
    let consistent = 0;
    for (const [n, times] of counts) {
      if (n > 1 && (times > consistent || (times === consistent && n > fields))) {
        fields = n;
        consistent = times;
      }
    }
    if (consistent > best.consistent || (consistent === best.consistent && consistent > 0 && fields > best.fields)) {
      best = { delimiter, consistent, fields };
    }
  }
  return best.delimiter;
}

export interface ParsedTable {
  cells: string[][];
  rows: number;
  columns: number;
  /** Rows were left out: past CSV_MAX_ROWS, or past the CSV_MAX_BYTES read. */
  truncated: boolean;
  delimiter: string;
}

/**
 * Rows of delimited text. `tsv` fixes the delimiter to a tab; otherwise it is guessed among
 * comma, semicolon, tab and bar. `cut`: the text is the beginning of a longer file, so its last
 * row may be incomplete and is left out.
 */
export function parseDelimited(
  text: string,
  { tsv = false, cut = false, maxRows = CSV_MAX_ROWS }: { tsv?: boolean; cut?: boolean; maxRows?: number } = {},
): ParsedTable {
  const result = Papa.parse<string[]>(text, {
    delimiter: tsv ? '\t' : guessDelimiter(text),
    skipEmptyLines: false,
    preview: maxRows + 1,
    dynamicTyping: false,
    header: false,
  });
  const rows = result.data;
  let truncated = cut;
  if (cut && rows.length > 0) rows.pop();
  if (rows.length > maxRows) {
    rows.length = maxRows;
    truncated = true;
  }
  // The line break ending the last line is no row of its own.
  const last = rows.at(-1);
  if (last && last.length === 1 && last[0] === '') rows.pop();
  let columns = 0;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.length > CSV_MAX_COLUMNS) rows[i] = rows[i]!.slice(0, CSV_MAX_COLUMNS);
    columns = Math.max(columns, rows[i]!.length);
  }
  return { cells: rows, rows: rows.length, columns, truncated, delimiter: result.meta.delimiter || ',' };
}

/** Rows sampled for column widths: enough to see the data's shape, few enough to be instant. */
const WIDTH_SAMPLE = 2000;
const CHAR_WIDTH = 9;
const PADDING = 16;
const MIN_WIDTH = 48;
const MAX_WIDTH = Math.min(MAX_COLUMN_WIDTH, 360);

/** Column widths from the content (CSS px): the longest text of a sample of rows, within bounds. */
export function contentWidths(cells: readonly (readonly string[])[], columns: number): number[] {
  const longest = new Array<number>(columns).fill(0);
  const step = Math.max(1, Math.floor(cells.length / WIDTH_SAMPLE));
  for (let r = 0; r < cells.length; r += step) {
    const row = cells[r]!;
    for (let c = 0; c < row.length && c < columns; c++) {
      const len = row[c]!.length;
      if (len > longest[c]!) longest[c] = len;
    }
  }
  return longest.map((n) => Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, n * CHAR_WIDTH + PADDING)));
}
