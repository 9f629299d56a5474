// The shapes of GET /api/office/workbook (docs/file-explorer.md). Pure (no Node APIs): the UI
// imports them, so the server and the grid never disagree on what a sheet's shape is.

/** One sheet of a workbook: its used area (after truncation), frozen panes and column widths. */
export interface SheetInfo {
  name: string;
  rows: number;
  columns: number;
  frozenRows: number;
  frozenColumns: number;
  /** CSS px at 100 %, one per column. */
  columnWidths: number[];
  truncated: boolean;
}
