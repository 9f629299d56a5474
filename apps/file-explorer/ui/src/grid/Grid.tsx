import { memo, type MouseEvent } from 'react';
import { columnName } from './cellNames.ts';
import { looksNumeric } from './cells.ts';
import { gridBands, HEADER_HEIGHT, type GridLayout, type Scroll, type Viewport } from './layout.ts';
import type { Cell } from './navigation.ts';

interface Props {
  layout: GridLayout;
  cells: readonly (readonly string[])[];
  scroll: Scroll;
  viewport: Viewport;
  cursor: Cell;
  onPick: (cell: Cell) => void;
}

/**
 * The visible window of a sheet, drawn in the scroller's viewport: column letters, row numbers,
 * the frozen panes and the scrolling cells, each band clipped to its own box. Only the cells in
 * view are mounted.
 */
export const Grid = memo(function Grid({ layout, cells, scroll, viewport, cursor, onPick }: Props) {
  const bands = gridBands(layout, scroll, viewport);
  const panes = [];

  // Column letters, band by band, above the cells.
  for (const band of bands.columns) {
    const heads = [];
    for (let c = band.range.start; c < band.range.end; c++) {
      const left = band.offset(c);
      heads.push(
        <div
          key={c}
          className={c === cursor.column ? 'sheet-head current' : 'sheet-head'}
          style={{ left, width: layout.columnLefts[c + 1]! - layout.columnLefts[c]! }}
        >
          {columnName(c)}
        </div>,
      );
    }
    panes.push(
      <div
        key={`ch-${band.at}`}
        className="sheet-pane sheet-column-heads"
        data-testid="sheet-column-heads"
        style={{ left: band.at, top: 0, width: band.length, height: HEADER_HEIGHT }}
      >
        {heads}
      </div>,
    );
  }

  // Row numbers, band by band, left of the cells.
  for (const band of bands.rows) {
    const heads = [];
    for (let r = band.range.start; r < band.range.end; r++) {
      heads.push(
        <div
          key={r}
          className={r === cursor.row ? 'sheet-head current' : 'sheet-head'}
          style={{ top: band.offset(r), width: layout.rowHeaderWidth }}
        >
          {r + 1}
        </div>,
      );
    }
    panes.push(
      <div
        key={`rh-${band.at}`}
        className="sheet-pane sheet-row-heads"
        style={{ left: 0, top: band.at, width: layout.rowHeaderWidth, height: band.length }}
      >
        {heads}
      </div>,
    );
  }

  // The cells: each pair of a row band and a column band.
  for (const rows of bands.rows) {
    for (const columns of bands.columns) {
      const out = [];
      for (let r = rows.range.start; r < rows.range.end; r++) {
        const row = cells[r];
        const top = rows.offset(r);
        for (let c = columns.range.start; c < columns.range.end; c++) {
          const text = row?.[c] ?? '';
          const active = r === cursor.row && c === cursor.column;
          let className = 'sheet-cell';
          if (text && looksNumeric(text)) className += ' number';
          if (active) className += ' active';
          out.push(
            <div
              key={`${r}:${c}`}
              className={className}
              data-row={r}
              data-column={c}
              style={{ left: columns.offset(c), top, width: layout.columnLefts[c + 1]! - layout.columnLefts[c]! }}
            >
              {text}
            </div>,
          );
        }
      }
      panes.push(
        <div
          key={`p-${rows.at}-${columns.at}`}
          className="sheet-pane sheet-cells"
          style={{ left: columns.at, top: rows.at, width: columns.length, height: rows.length }}
        >
          {out}
        </div>,
      );
    }
  }

  const width = Math.min(viewport.width, layout.contentWidth);
  const height = Math.min(viewport.height, layout.contentHeight);
  return (
    <div
      className="sheet-layer"
      style={{ width: viewport.width, height: viewport.height }}
      onMouseDown={(ev: MouseEvent<HTMLDivElement>) => {
        const el = (ev.target as HTMLElement).closest<HTMLElement>('.sheet-cell');
        if (el) onPick({ row: Number(el.dataset.row), column: Number(el.dataset.column) });
      }}
    >
      <div className="sheet-corner" style={{ width: layout.rowHeaderWidth, height: HEADER_HEIGHT }} />
      {panes}
      {/* The lines spreadsheet programs draw under frozen rows and right of frozen columns. */}
      {layout.frozenRows > 0 ? (
        <div
          className="sheet-freeze-line horizontal"
          data-testid="sheet-freeze-rows"
          style={{ top: layout.originY - 1, width }}
        />
      ) : null}
      {layout.frozenColumns > 0 ? (
        <div
          className="sheet-freeze-line vertical"
          data-testid="sheet-freeze-columns"
          style={{ left: layout.originX - 1, height }}
        />
      ) : null}
    </div>
  );
});
