// The explorer server's spreadsheet routes (LibreOffice reads the file inside the sandbox):
// GET /api/office/workbook → the sheets' shapes, GET /api/office/sheet → one sheet's cells as
// LibreOffice shows them. Answers are checked before use: a malformed one is an error, not a crash.

import { ApiError } from '../api.ts';

// The shape is the server's (one definition for both sides).
import type { SheetInfo } from '../../../server/office-contract.ts';

export type { SheetInfo };

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);

/** A sheet's shape from the server's JSON (missing or wrong fields fall back to empty values). */
export function toSheetInfo(raw: unknown, index: number): SheetInfo {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    name: typeof o.name === 'string' && o.name ? o.name : `Sheet${index + 1}`,
    rows: count(o.rows),
    columns: count(o.columns),
    frozenRows: count(o.frozenRows),
    frozenColumns: count(o.frozenColumns),
    columnWidths: Array.isArray(o.columnWidths) ? o.columnWidths.map((w) => (typeof w === 'number' ? w : 0)) : [],
    truncated: o.truncated === true,
  };
}

/** Cells from the server's JSON: rows of strings (anything else shown as empty). */
export function toCells(raw: unknown): string[][] {
  const rows = (raw as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(rows))
    throw new ApiError(502, 'invalid', 'The spreadsheet came back in a form that cannot be shown.');
  return rows.map((row) =>
    Array.isArray(row) ? row.map((v) => (typeof v === 'string' ? v : v == null ? '' : String(v))) : [],
  );
}

/** What to tell the person for an error of these routes. */
export function officeErrorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return 'This spreadsheet cannot be shown.';
  switch (err.code) {
    case 'too-large':
      return 'This spreadsheet is too large to be shown here.';
    case 'unreadable':
      return 'This file cannot be read as a spreadsheet (it may be damaged or protected by a password).';
    case 'timeout':
      return 'Opening this spreadsheet took too long.';
    case 'unavailable':
      return 'Spreadsheets cannot be opened right now (the office reader is not available).';
    case 'not-found':
      return 'This file is no longer there.';
    case 'denied':
      return 'This file may not be read.';
  }
  return err.message || 'This spreadsheet cannot be shown.';
}

async function getJson(url: string, signal: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'The explorer server cannot be reached.');
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    if (res.ok) throw new ApiError(502, 'invalid', 'The spreadsheet came back in a form that cannot be shown.');
  }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: unknown; message?: unknown };
    throw new ApiError(
      res.status,
      typeof b.error === 'string' ? b.error : `http-${res.status}`,
      typeof b.message === 'string' ? b.message : `The explorer server answered ${res.status}.`,
    );
  }
  return body;
}

export async function getWorkbook(path: string, signal: AbortSignal): Promise<SheetInfo[]> {
  const body = (await getJson(`/api/office/workbook?path=${encodeURIComponent(path)}`, signal)) as {
    sheets?: unknown;
  } | null;
  if (!Array.isArray(body?.sheets)) {
    throw new ApiError(502, 'invalid', 'The spreadsheet came back in a form that cannot be shown.');
  }
  return body.sheets.map(toSheetInfo);
}

export async function getSheetCells(path: string, index: number, signal: AbortSignal): Promise<string[][]> {
  return toCells(await getJson(`/api/office/sheet?path=${encodeURIComponent(path)}&index=${index}`, signal));
}
