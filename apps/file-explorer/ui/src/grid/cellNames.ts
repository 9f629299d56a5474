// Spreadsheet cell names: columns A, B, … Z, AA, AB, … (bijective base 26) and rows from 1, as
// every spreadsheet program names them. Indices here are 0-based.

/** Column letters for a 0-based column index: 0 → A, 25 → Z, 26 → AA, 701 → ZZ, 702 → AAA. */
export function columnName(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`not a column index: ${index}`);
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** 0-based column index of column letters (case-insensitive), or null when they are not letters. */
export function columnIndex(letters: string): number | null {
  if (!/^[A-Za-z]{1,4}$/.test(letters)) return null;
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** "B120" for row 119, column 1. */
export function cellName(row: number, column: number): string {
  return `${columnName(column)}${row + 1}`;
}

export interface CellRef {
  row: number;
  column: number;
}

/**
 * What a person typed to go to a cell: "B120", "b120", "$B$120", " B 120 ", a row alone ("120")
 * or a column alone ("B"). Null when it names no cell.
 */
export function parseCellRef(text: string): Partial<CellRef> | null {
  const t = text.replace(/[\s$]/g, '');
  const m = /^([A-Za-z]{0,4})(\d{0,9})$/.exec(t);
  if (!m || (!m[1] && !m[2])) return null;
  const out: Partial<CellRef> = {};
  if (m[1]) out.column = columnIndex(m[1])!;
  if (m[2]) {
    const row = Number.parseInt(m[2], 10);
    if (row < 1) return null;
    out.row = row - 1;
  }
  return out;
}
