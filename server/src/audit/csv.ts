/**
 * RFC 4180 quoting for the trail's exports (audit events, reading reports); a cell a spreadsheet
 * would run as a formula (=, +, -, @, a tab or CR first) is prefixed with a quote, since clients'
 * names and file names end up in these files.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(cells: unknown[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}
