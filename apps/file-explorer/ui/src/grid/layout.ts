// Where a sheet's cells go on the screen. A sheet is drawn as nine panes: the corner, the column
// letters, the row numbers, and the cells split by the frozen rows and columns (which stay in
// place) from the rest (which scrolls). Only the rows and columns in view are mounted: pure maths,
// so a 50,000-row sheet costs what the screen shows.

import { visibleRange, type WindowRange } from '../lib/windowing.ts';

/** Every row has the same height (spreadsheet programs vary it; clipping keeps the text readable). */
export const ROW_HEIGHT = 24;
export const HEADER_HEIGHT = 24;
export const DEFAULT_COLUMN_WIDTH = 80;
export const MIN_COLUMN_WIDTH = 16;
export const MAX_COLUMN_WIDTH = 800;
/** Columns and rows mounted beyond the edges, so a small scroll shows no gap before the next render. */
const OVERSCAN = 2;

export interface SheetShape {
  rows: number;
  columns: number;
  frozenRows: number;
  frozenColumns: number;
  /** CSS pixels per column; missing or unusable values get the default width. */
  columnWidths: readonly number[];
}

export interface GridLayout {
  rows: number;
  columns: number;
  frozenRows: number;
  frozenColumns: number;
  rowHeaderWidth: number;
  /** Left edge of each column from the first column's, and the total width last (columns + 1 values). */
  columnLefts: Float64Array;
  frozenWidth: number;
  frozenHeight: number;
  /** Top left corner of the scrolling cells, in the grid's own coordinates. */
  originX: number;
  originY: number;
  /** The scrollable size: headers, frozen panes and every scrolling row and column. */
  contentWidth: number;
  contentHeight: number;
}

const whole = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

export function columnWidth(width: unknown): number {
  if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) return DEFAULT_COLUMN_WIDTH;
  return Math.round(Math.max(MIN_COLUMN_WIDTH, Math.min(MAX_COLUMN_WIDTH, width)));
}

/** Wide enough for the largest row number in 14 px digits. */
export function rowHeaderWidth(rows: number): number {
  return Math.max(44, 20 + 9 * String(Math.max(1, rows)).length);
}

export function computeLayout(shape: SheetShape): GridLayout {
  const rows = whole(shape.rows);
  const columns = whole(shape.columns);
  const frozenRows = Math.min(whole(shape.frozenRows), rows);
  const frozenColumns = Math.min(whole(shape.frozenColumns), columns);
  const columnLefts = new Float64Array(columns + 1);
  for (let c = 0; c < columns; c++) columnLefts[c + 1] = columnLefts[c]! + columnWidth(shape.columnWidths[c]);
  const header = rowHeaderWidth(rows);
  const frozenWidth = columnLefts[frozenColumns]!;
  const frozenHeight = frozenRows * ROW_HEIGHT;
  const originX = header + frozenWidth;
  const originY = HEADER_HEIGHT + frozenHeight;
  return {
    rows,
    columns,
    frozenRows,
    frozenColumns,
    rowHeaderWidth: header,
    columnLefts,
    frozenWidth,
    frozenHeight,
    originX,
    originY,
    contentWidth: originX + columnLefts[columns]! - frozenWidth,
    contentHeight: originY + (rows - frozenRows) * ROW_HEIGHT,
  };
}

/** The first index i in [lo, hi) with lefts[i + 1] > x (the column containing x), by bisection. */
function columnAt(lefts: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lefts[mid + 1]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The scrolling columns to mount for a horizontal scroll position and the grid's width. */
export function visibleColumns(layout: GridLayout, scrollLeft: number, width: number): WindowRange {
  const { columnLefts: lefts, frozenColumns: fc, columns } = layout;
  if (fc >= columns) return { start: fc, end: fc };
  const from = lefts[fc]! + Math.max(0, scrollLeft);
  const to = from + Math.max(0, width - layout.originX);
  const first = columnAt(lefts, from, fc, columns);
  const last = columnAt(lefts, Math.max(from, to - 0.5), first, columns);
  return { start: Math.max(fc, first - OVERSCAN), end: Math.min(columns, last + 1 + OVERSCAN) };
}

/** The scrolling rows to mount for a vertical scroll position and the grid's height. */
export function visibleRows(layout: GridLayout, scrollTop: number, height: number): WindowRange {
  const fr = layout.frozenRows;
  const r = visibleRange(scrollTop, height - layout.originY, ROW_HEIGHT, layout.rows - fr, OVERSCAN);
  return { start: r.start + fr, end: r.end + fr };
}

export interface Scroll {
  left: number;
  top: number;
}

export interface Viewport {
  width: number;
  height: number;
}

/** Rows of the scrolling part fully in view (at least 1): the PageUp/PageDown step. */
export function bodyRowsPerPage(layout: GridLayout, viewport: Viewport): number {
  return Math.max(1, Math.floor((viewport.height - layout.originY) / ROW_HEIGHT));
}

/**
 * The scroll position that shows a cell whole with the least movement (unchanged when it is in
 * view). A frozen row or column is always in view along its axis.
 */
export function revealCell(
  layout: GridLayout,
  cell: { row: number; column: number },
  scroll: Scroll,
  viewport: Viewport,
): Scroll {
  let { left, top } = scroll;
  if (cell.column >= layout.frozenColumns && cell.column < layout.columns) {
    const base = layout.columnLefts[layout.frozenColumns]!;
    const x0 = layout.columnLefts[cell.column]! - base;
    const x1 = layout.columnLefts[cell.column + 1]! - base;
    const w = Math.max(0, viewport.width - layout.originX);
    if (x0 < left || x1 - x0 > w) left = x0;
    else if (x1 > left + w) left = x1 - w;
  }
  if (cell.row >= layout.frozenRows && cell.row < layout.rows) {
    const y0 = (cell.row - layout.frozenRows) * ROW_HEIGHT;
    const h = Math.max(0, viewport.height - layout.originY);
    if (y0 < top || ROW_HEIGHT > h) top = y0;
    else if (y0 + ROW_HEIGHT > top + h) top = y0 + ROW_HEIGHT - h;
  }
  return { left: Math.max(0, left), top: Math.max(0, top) };
}

/** A band of columns (or rows) drawn together: the frozen ones, or the scrolling ones in view. */
export interface Band {
  /** Where the band starts and how long it is, along its axis, in the grid's box. */
  at: number;
  length: number;
  range: WindowRange;
  /** Where a column's left (a row's top) is, from the band's start. */
  offset: (index: number) => number;
}

export interface Bands {
  columns: Band[];
  rows: Band[];
}

/**
 * The frozen and the scrolling bands for a scroll position; empty ones left out. The column
 * letters are drawn band by band above, the row numbers left, and the cells in each pair (the
 * frozen corner, the frozen rows, the frozen columns, the body): the nine panes.
 */
export function gridBands(layout: GridLayout, scroll: Scroll, viewport: Viewport): Bands {
  const { frozenRows: fr, frozenColumns: fc, columnLefts: lefts, originX, originY } = layout;
  const columns: Band[] = [
    { at: layout.rowHeaderWidth, length: layout.frozenWidth, range: { start: 0, end: fc }, offset: (c) => lefts[c]! },
    {
      at: originX,
      length: Math.max(0, viewport.width - originX),
      range: visibleColumns(layout, scroll.left, viewport.width),
      offset: (c) => lefts[c]! - lefts[fc]! - scroll.left,
    },
  ];
  const rows: Band[] = [
    { at: HEADER_HEIGHT, length: layout.frozenHeight, range: { start: 0, end: fr }, offset: (r) => r * ROW_HEIGHT },
    {
      at: originY,
      length: Math.max(0, viewport.height - originY),
      range: visibleRows(layout, scroll.top, viewport.height),
      offset: (r) => (r - fr) * ROW_HEIGHT - scroll.top,
    },
  ];
  const shown = (b: Band) => b.length > 0 && b.range.end > b.range.start;
  return { columns: columns.filter(shown), rows: rows.filter(shown) };
}
