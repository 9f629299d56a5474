import { describe, expect, it } from 'vitest';
import {
  bodyRowsPerPage,
  columnWidth,
  computeLayout,
  DEFAULT_COLUMN_WIDTH,
  gridBands,
  HEADER_HEIGHT,
  revealCell,
  ROW_HEIGHT,
  visibleColumns,
  visibleRows,
} from './layout.ts';
import { moveCell } from './navigation.ts';

const shape = (over: Partial<Parameters<typeof computeLayout>[0]> = {}) => ({
  rows: 50_000,
  columns: 30,
  frozenRows: 0,
  frozenColumns: 0,
  columnWidths: [] as number[],
  ...over,
});

describe('grid layout', () => {
  it('takes column widths from the file, bounded, with a default', () => {
    expect(columnWidth(120.4)).toBe(120);
    expect(columnWidth(0)).toBe(DEFAULT_COLUMN_WIDTH);
    expect(columnWidth(Number.NaN)).toBe(DEFAULT_COLUMN_WIDTH);
    expect(columnWidth('80')).toBe(DEFAULT_COLUMN_WIDTH);
    expect(columnWidth(3)).toBe(16);
    expect(columnWidth(1e9)).toBe(800);
    const l = computeLayout(shape({ columns: 3, columnWidths: [100, 50] }));
    expect(Array.from(l.columnLefts)).toEqual([0, 100, 150, 150 + DEFAULT_COLUMN_WIDTH]);
  });

  it('places frozen panes before the scrolling cells', () => {
    const l = computeLayout(shape({ frozenRows: 2, frozenColumns: 1, columnWidths: [120, 80, 80] }));
    expect(l.rowHeaderWidth).toBe(65); // "50000": five digits
    expect(l.frozenWidth).toBe(120);
    expect(l.frozenHeight).toBe(2 * ROW_HEIGHT);
    expect(l.originX).toBe(65 + 120);
    expect(l.originY).toBe(HEADER_HEIGHT + 2 * ROW_HEIGHT);
    expect(l.contentHeight).toBe(l.originY + 49_998 * ROW_HEIGHT);
    expect(l.contentWidth).toBe(l.originX + l.columnLefts[30]! - 120);
  });

  it('clamps frozen counts and bad shapes', () => {
    const l = computeLayout(shape({ rows: 3, columns: 2, frozenRows: 10, frozenColumns: -1 }));
    expect(l.frozenRows).toBe(3);
    expect(l.frozenColumns).toBe(0);
    const e = computeLayout(shape({ rows: Number.NaN, columns: -4 }));
    expect([e.rows, e.columns, e.contentWidth - e.rowHeaderWidth]).toEqual([0, 0, 0]);
  });

  it('mounts only the window in view of a 50,000-row sheet', () => {
    const l = computeLayout(shape({ frozenRows: 1 }));
    const top = 40_000 * ROW_HEIGHT;
    const rows = visibleRows(l, top, 600);
    expect(rows.start).toBeGreaterThanOrEqual(40_000 - 3);
    expect(rows.start).toBeLessThanOrEqual(40_001);
    expect(rows.end - rows.start).toBeLessThan(40);
    const cols = visibleColumns(l, 0, 1280);
    expect(cols.start).toBe(0);
    expect(cols.end).toBeLessThan(20);
    // Scrolled to the right end: the last column is mounted, nothing past it.
    const right = visibleColumns(l, l.contentWidth - 1280, 1280);
    expect(right.end).toBe(30);
  });

  it('keeps frozen rows and columns in place and scrolls the rest', () => {
    const l = computeLayout(shape({ frozenRows: 1, frozenColumns: 1, columnWidths: new Array(30).fill(100) }));
    const view = { width: 800, height: 400 };
    const at0 = gridBands(l, { left: 0, top: 0 }, view);
    const far = gridBands(l, { left: 1000, top: 1000 * ROW_HEIGHT }, view);
    // The frozen bands: the same place and the same cells, whatever the scroll.
    expect(far.rows[0]!.range).toEqual({ start: 0, end: 1 });
    expect(far.rows[0]!.offset(0)).toBe(at0.rows[0]!.offset(0));
    expect(far.columns[0]!.range).toEqual({ start: 0, end: 1 });
    expect(far.columns[0]!.offset(0)).toBe(0);
    // The scrolling bands start below and right of them, and show other cells.
    expect(far.rows[1]!.at).toBe(l.originY);
    expect(far.columns[1]!.at).toBe(l.originX);
    expect(far.rows[1]!.offset(1001)).toBe(0);
    expect(far.columns[1]!.offset(11)).toBe(0);
    expect(far.rows[1]!.range.start).toBeGreaterThan(990);
  });

  it('leaves out empty bands when nothing is frozen', () => {
    const b = gridBands(computeLayout(shape()), { left: 0, top: 0 }, { width: 800, height: 400 });
    expect(b.rows).toHaveLength(1);
    expect(b.columns).toHaveLength(1);
  });

  it('scrolls the least to show a cell, and not at all for a frozen one', () => {
    const l = computeLayout(shape({ frozenRows: 1, columnWidths: new Array(30).fill(100) }));
    const view = { width: l.originX + 500, height: l.originY + 10 * ROW_HEIGHT };
    expect(revealCell(l, { row: 5, column: 2 }, { left: 0, top: 0 }, view)).toEqual({ left: 0, top: 0 });
    expect(revealCell(l, { row: 0, column: 0 }, { left: 0, top: 5000 }, view)).toEqual({ left: 0, top: 5000 });
    // Below the view: the row ends at the bottom edge.
    expect(revealCell(l, { row: 119, column: 1 }, { left: 0, top: 0 }, view).top).toBe(
      (119 - 1 + 1) * ROW_HEIGHT - 10 * ROW_HEIGHT,
    );
    // Above it: the row at the top.
    expect(revealCell(l, { row: 3, column: 0 }, { left: 0, top: 9999 }, view).top).toBe(2 * ROW_HEIGHT);
    // Right of it: the column ends at the right edge.
    expect(revealCell(l, { row: 1, column: 9 }, { left: 0, top: 0 }, view).left).toBe(1000 - 500);
  });

  it('moves the active cell within the sheet', () => {
    const size = { rows: 100, columns: 5 };
    expect(moveCell({ row: 0, column: 0 }, 'up', size, 20)).toEqual({ row: 0, column: 0 });
    expect(moveCell({ row: 0, column: 0 }, 'page-down', size, 20)).toEqual({ row: 20, column: 0 });
    expect(moveCell({ row: 95, column: 2 }, 'page-down', size, 20)).toEqual({ row: 99, column: 2 });
    expect(moveCell({ row: 10, column: 2 }, 'row-end', size, 20)).toEqual({ row: 10, column: 4 });
    expect(moveCell({ row: 10, column: 2 }, 'row-start', size, 20)).toEqual({ row: 10, column: 0 });
    expect(moveCell({ row: 10, column: 2 }, 'last', size, 20)).toEqual({ row: 99, column: 4 });
    expect(moveCell({ row: 10, column: 2 }, 'first', size, 20)).toEqual({ row: 0, column: 0 });
    expect(bodyRowsPerPage(computeLayout(shape()), { width: 800, height: HEADER_HEIGHT + 10.5 * ROW_HEIGHT })).toBe(10);
  });
});
