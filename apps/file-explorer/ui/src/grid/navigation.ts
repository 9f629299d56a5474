// Moving the active cell: arrows, pages, row ends, the sheet's ends. Pure; clamped to the sheet.

export interface Cell {
  row: number;
  column: number;
}

export type Move =
  'left' | 'right' | 'up' | 'down' | 'page-up' | 'page-down' | 'row-start' | 'row-end' | 'first' | 'last';

export function moveCell(cell: Cell, move: Move, size: { rows: number; columns: number }, pageRows: number): Cell {
  const clamp = (c: Cell): Cell => ({
    row: Math.max(0, Math.min(Math.max(0, size.rows - 1), c.row)),
    column: Math.max(0, Math.min(Math.max(0, size.columns - 1), c.column)),
  });
  switch (move) {
    case 'left':
      return clamp({ ...cell, column: cell.column - 1 });
    case 'right':
      return clamp({ ...cell, column: cell.column + 1 });
    case 'up':
      return clamp({ ...cell, row: cell.row - 1 });
    case 'down':
      return clamp({ ...cell, row: cell.row + 1 });
    case 'page-up':
      return clamp({ ...cell, row: cell.row - Math.max(1, pageRows) });
    case 'page-down':
      return clamp({ ...cell, row: cell.row + Math.max(1, pageRows) });
    case 'row-start':
      return clamp({ ...cell, column: 0 });
    case 'row-end':
      return clamp({ ...cell, column: size.columns - 1 });
    case 'first':
      return { row: 0, column: 0 };
    case 'last':
      return clamp({ row: size.rows - 1, column: size.columns - 1 });
  }
}
