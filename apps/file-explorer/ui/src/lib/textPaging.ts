// Large text files are read in fixed-size parts with HTTP Range requests, never whole. A part
// fetches a few bytes more than its size so that a UTF-8 character cut by the boundary is shown
// whole, in the part where its first byte is.

export const TEXT_PAGE_SIZE = 64 * 1024;
/** Longest UTF-8 sequence minus one: the most a character can overhang a boundary. */
const OVERHANG = 3;

export function pageCount(size: number, pageSize = TEXT_PAGE_SIZE): number {
  if (!Number.isFinite(size) || size <= 0) return 1;
  return Math.ceil(size / pageSize);
}

export interface ByteRange {
  /** First byte (inclusive). */
  start: number;
  /** Last byte (inclusive), as in an HTTP Range header. */
  end: number;
}

/** Bytes to request for part `page` (0-based) of a file of `size` bytes. */
export function pageRequestRange(page: number, size: number, pageSize = TEXT_PAGE_SIZE): ByteRange {
  const start = page * pageSize;
  const end = Math.min(size, start + pageSize + OVERHANG) - 1;
  return { start, end: Math.max(start, end) };
}

export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end}`;
}

const isContinuation = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

/**
 * The bytes of part `page` to decode, given what a pageRequestRange request returned: skips the
 * continuation bytes of a character begun in the previous part, and completes the last character
 * from the overhang.
 */
export function trimPageBytes(bytes: Uint8Array, page: number, pageSize = TEXT_PAGE_SIZE): Uint8Array {
  let begin = 0;
  if (page > 0) {
    while (begin < OVERHANG && begin < bytes.length && isContinuation(bytes[begin])) begin++;
  }
  let finish = Math.min(bytes.length, pageSize);
  while (finish < bytes.length && isContinuation(bytes[finish])) finish++;
  return bytes.subarray(begin, Math.max(begin, finish));
}

export function decodePage(bytes: Uint8Array, page: number, pageSize = TEXT_PAGE_SIZE): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(trimPageBytes(bytes, page, pageSize));
}

/** "Part 2 of 16": which part is shown, for the status line. */
export function pageLabel(page: number, size: number, pageSize = TEXT_PAGE_SIZE): string {
  const total = pageCount(size, pageSize);
  return `Part ${page + 1} of ${total}`;
}
