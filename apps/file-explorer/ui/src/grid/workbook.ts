// Where a spreadsheet's sheets and cells come from: LibreOffice (through the explorer server)
// for office files, the UI's own parser for CSV and TSV.

import { readRange } from '../api.ts';
import { extensionOf } from '../../../server/types.ts';
import { contentWidths, CSV_MAX_BYTES, decodeText, parseDelimited } from './csv.ts';
import { getSheetCells, getWorkbook, type SheetInfo } from './officeApi.ts';

export type { SheetInfo } from './officeApi.ts';

export interface WorkbookSource {
  /** The sheets' names and shapes. */
  sheets(signal: AbortSignal): Promise<SheetInfo[]>;
  /** One sheet's cells, rows of text. */
  cells(index: number, signal: AbortSignal): Promise<string[][]>;
}

export function isDelimitedText(name: string): boolean {
  const ext = extensionOf(name);
  return ext === 'csv' || ext === 'tsv';
}

/** A CSV/TSV file as a workbook of one sheet named after the file (read once, at most CSV_MAX_BYTES). */
function delimitedSource(path: string, name: string, size: number | null | undefined): WorkbookSource {
  let parsed: Promise<{ sheet: SheetInfo; cells: string[][] }> | null = null;
  const load = (signal: AbortSignal) => {
    parsed ??= (async () => {
      const want = size && size > 0 ? Math.min(size, CSV_MAX_BYTES) : CSV_MAX_BYTES;
      const { bytes, total } = await readRange(path, 0, want - 1, signal);
      const cut = (total ?? size ?? 0) > bytes.length;
      const { text } = decodeText(bytes, cut);
      const table = parseDelimited(text, { tsv: extensionOf(name) === 'tsv', cut });
      const sheet: SheetInfo = {
        name: name.replace(/\.(csv|tsv)$/i, '') || name,
        rows: table.rows,
        columns: table.columns,
        frozenRows: 0,
        frozenColumns: 0,
        columnWidths: contentWidths(table.cells, table.columns),
        truncated: table.truncated,
      };
      return { sheet, cells: table.cells };
    })();
    // A failed or aborted read is tried again next time.
    parsed.catch(() => {
      parsed = null;
    });
    return parsed;
  };
  return {
    sheets: async (signal) => [(await load(signal)).sheet],
    cells: async (_index, signal) => (await load(signal)).cells,
  };
}

function officeSource(path: string): WorkbookSource {
  return {
    sheets: (signal) => getWorkbook(path, signal),
    cells: (index, signal) => getSheetCells(path, index, signal),
  };
}

export function workbookSource(entry: { path: string; name: string; size?: number | null }): WorkbookSource {
  return isDelimitedText(entry.name) ? delimitedSource(entry.path, entry.name, entry.size) : officeSource(entry.path);
}
