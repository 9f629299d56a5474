import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { reportEvent } from '../api.ts';
import { cellName, parseCellRef } from '../grid/cellNames.ts';
import { Grid } from '../grid/Grid.tsx';
import { bodyRowsPerPage, computeLayout, revealCell, ROW_HEIGHT, type Scroll, type Viewport } from '../grid/layout.ts';
import { moveCell, type Cell, type Move } from '../grid/navigation.ts';
import { officeErrorMessage } from '../grid/officeApi.ts';
import { workbookSource, type SheetInfo } from '../grid/workbook.ts';
import type { Action } from '../lib/keymap.ts';
import type { Entry } from '../lib/types.ts';
import '../grid/grid.css';

interface Props {
  entry: Entry;
  header: ReactNode;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
}

const SHEET_VIEWED_DEBOUNCE_MS = 300;

const MOVES: Partial<Record<Action, Move>> = {
  'cell-left': 'left',
  'cell-right': 'right',
  'cell-up': 'up',
  'cell-down': 'down',
  'cell-page-up': 'page-up',
  'cell-page-down': 'page-down',
  'cell-row-start': 'row-start',
  'cell-row-end': 'row-end',
  'cell-first': 'first',
  'cell-last': 'last',
};

interface Place {
  cursor: Cell;
  scroll: Scroll;
}

const START: Place = { cursor: { row: 0, column: 0 }, scroll: { left: 0, top: 0 } };

/**
 * A spreadsheet as a grid: column letters and row numbers that stay in view, frozen panes, the
 * sheets as tabs below. Office files are read by LibreOffice in the sandbox (the explorer server's
 * /api/office routes), CSV and TSV by the UI itself.
 */
export function SheetViewer({ entry, header, registerKeys }: Props) {
  const source = useMemo(() => workbookSource(entry), [entry]);
  const [sheets, setSheets] = useState<SheetInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const [loaded, setLoaded] = useState<{ index: number; cells: string[][] } | null>(null);
  const [cellsError, setCellsError] = useState<{ index: number; message: string } | null>(null);
  const [place, setPlace] = useState<Place>(START);
  const [viewport, setViewport] = useState<Viewport>({ width: 0, height: 0 });
  const [gotoText, setGotoText] = useState<string | null>(null);
  const [gotoError, setGotoError] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement | null>(null);
  const nameBox = useRef<HTMLInputElement | null>(null);
  const cache = useRef(new Map<number, string[][]>());
  const places = useRef(new Map<number, Place>());

  useEffect(() => {
    // One file per mount (Preview keys this viewer by path): nothing to reset here.
    const controller = new AbortController();
    source.sheets(controller.signal).then(
      (s) => setSheets(s),
      (err: unknown) => {
        if (!controller.signal.aborted) setError(officeErrorMessage(err));
      },
    );
    return () => controller.abort();
  }, [source]);

  // The shown sheet's cells, fetched once per sheet.
  useEffect(() => {
    if (!sheets || sheets.length === 0) return;
    const known = cache.current.get(active);
    if (known) {
      setLoaded({ index: active, cells: known });
      return;
    }
    const controller = new AbortController();
    source.cells(active, controller.signal).then(
      (cells) => {
        cache.current.set(active, cells);
        setLoaded({ index: active, cells });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setCellsError({ index: active, message: officeErrorMessage(err) });
      },
    );
    return () => controller.abort();
  }, [source, sheets, active]);

  const sheet = sheets?.[active] ?? null;
  const cells = loaded?.index === active ? loaded.cells : null;
  const layout = useMemo(() => {
    if (!sheet || !cells) return null;
    let columns = sheet.columns;
    for (const row of cells) if (row.length > columns) columns = row.length;
    return computeLayout({ ...sheet, rows: cells.length, columns });
  }, [sheet, cells]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport({ width: el.clientWidth, height: el.clientHeight }));
    ro.observe(el);
    setViewport({ width: el.clientWidth, height: el.clientHeight });
    // Switching sheets unmounts the scroller while the cells load: give it the keys back.
    const focused = document.activeElement;
    if (!focused || focused === document.body || focused.contains(el)) el.focus();
    return () => ro.disconnect();
  }, [layout !== null]); // eslint-disable-line react-hooks/exhaustive-deps -- the scroller exists once a sheet is shown

  // A sheet shown again comes back where it was left; the scroller follows the place.
  const applyScroll = useCallback((scroll: Scroll) => {
    const el = scroller.current;
    if (!el) return scroll;
    el.scrollLeft = scroll.left;
    el.scrollTop = scroll.top;
    return { left: el.scrollLeft, top: el.scrollTop };
  }, []);
  useLayoutEffect(() => {
    if (!layout) return;
    const saved = places.current.get(active) ?? START;
    setPlace({ ...saved, scroll: applyScroll(saved.scroll) });
  }, [layout, active, applyScroll]);

  const switchSheet = (index: number) => {
    if (!sheets || index < 0 || index >= sheets.length || index === active) return;
    places.current.set(active, place);
    setGotoError(null);
    setActive(index);
    scroller.current?.focus();
  };

  const goTo = (cell: Cell, pageRows = 0) => {
    if (!layout) return;
    const el = scroller.current;
    let scroll = el ? { left: el.scrollLeft, top: el.scrollTop } : place.scroll;
    if (pageRows) scroll = { ...scroll, top: scroll.top + pageRows * ROW_HEIGHT };
    scroll = revealCell(layout, cell, scroll, viewport);
    setPlace({ cursor: cell, scroll: applyScroll(scroll) });
  };

  // What is shown, as the PDF viewer reports pages: the sheet's number once it has settled, with
  // the number of sheets (the owner's reading report counts sheets as a document's pages); the
  // first sheet too, once the workbook is known, so a workbook read on its first sheet says so.
  const lastReported = useRef<number | null>(null);
  useEffect(() => {
    if (!sheets) return;
    const page = active + 1;
    const t = setTimeout(() => {
      if (page !== lastReported.current) {
        lastReported.current = page;
        reportEvent({ kind: 'page-viewed', path: entry.path, page, pages: sheets.length });
      }
    }, SHEET_VIEWED_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [active, sheets, entry.path]);

  const handleKey = (action: Action): boolean => {
    const move = MOVES[action];
    if (move) {
      if (!layout) return true;
      const rows = bodyRowsPerPage(layout, viewport);
      const next = moveCell(place.cursor, move, layout, rows);
      const page =
        move === 'page-down' ? next.row - place.cursor.row : move === 'page-up' ? next.row - place.cursor.row : 0;
      goTo(next, page);
      return true;
    }
    switch (action) {
      case 'next-sheet':
        switchSheet(active + 1);
        return true;
      case 'prev-sheet':
        switchSheet(active - 1);
        return true;
      case 'goto-cell':
        // At once, so the keys typed right after `g` reach the field (its keydown is prevented).
        setGotoError(null);
        nameBox.current?.focus();
        nameBox.current?.select();
        return true;
      case 'leave-input':
        setGotoText(null);
        scroller.current?.focus();
        return true;
    }
    return false;
  };
  useLayoutEffect(() => registerKeys(handleKey));

  const submitGoto = () => {
    const ref = parseCellRef(gotoText ?? '');
    setGotoText(null);
    scroller.current?.focus();
    if (!ref || !layout) {
      setGotoError(`“${(gotoText ?? '').slice(0, 20)}” is not a cell (type a name like B120).`);
      return;
    }
    const row = ref.row ?? place.cursor.row;
    const column = ref.column ?? place.cursor.column;
    const cell = { row: Math.min(row, layout.rows - 1), column: Math.min(column, layout.columns - 1) };
    setGotoError(
      row >= layout.rows || column >= layout.columns
        ? `${cellName(row, column)} is beyond this sheet, which ends at ${cellName(layout.rows - 1, layout.columns - 1)}.`
        : null,
    );
    goTo({ row: Math.max(0, cell.row), column: Math.max(0, cell.column) });
  };

  const shownError = error ?? (cellsError?.index === active ? cellsError.message : null);
  const cursor = place.cursor;
  const cursorText = cells?.[cursor.row]?.[cursor.column] ?? '';
  const empty = layout !== null && (layout.rows === 0 || layout.columns === 0);

  let body: ReactNode;
  if (shownError) {
    body = (
      <div className="viewer-message" role="alert" data-testid="sheet-error">
        {shownError}
      </div>
    );
  } else if (!layout) {
    body = (
      <div className="viewer-message" data-testid="sheet-loading">
        Opening {entry.name}…
      </div>
    );
  } else if (empty) {
    body = (
      <div className="viewer-message" data-testid="sheet-empty">
        This sheet is empty.
      </div>
    );
  }

  return (
    <div
      className="viewer sheet-viewer"
      data-testid="sheet-viewer"
      data-sheet={active + 1}
      data-sheets={sheets?.length ?? 0}
      data-cell={layout ? cellName(cursor.row, cursor.column) : ''}
      data-ready={layout ? 'true' : 'false'}
    >
      <div className="preview-bar">
        {header}
        {layout && !empty ? (
          <div className="bar-group">
            <input
              ref={nameBox}
              className="name-box"
              data-testid="sheet-cell-input"
              aria-label="Go to cell (g)"
              value={gotoText ?? cellName(cursor.row, cursor.column)}
              size={6}
              onFocus={(ev) => {
                if (gotoText === null) setGotoText(cellName(cursor.row, cursor.column));
                ev.currentTarget.select();
              }}
              onBlur={() => setGotoText(null)}
              onChange={(ev) => setGotoText(ev.target.value.slice(0, 16))}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter') {
                  ev.preventDefault();
                  submitGoto();
                }
              }}
            />
            <span className="bar-text sheet-cell-text" data-testid="sheet-cell-text" title={cursorText}>
              {cursorText}
            </span>
          </div>
        ) : null}
      </div>
      {gotoError ? (
        <div className="sheet-notice" role="status" data-testid="sheet-goto-error">
          {gotoError}
        </div>
      ) : null}
      {sheet?.truncated && cells ? (
        <div className="sheet-notice" data-testid="sheet-truncated">
          Showing the first {cells.length.toLocaleString('en-US')} rows.
        </div>
      ) : null}
      {body ?? (
        <div
          ref={scroller}
          className="sheet-scroller"
          data-testid="sheet-scroller"
          tabIndex={0}
          onScroll={(ev) => {
            const el = ev.currentTarget;
            setPlace((p) => ({ ...p, scroll: { left: el.scrollLeft, top: el.scrollTop } }));
          }}
        >
          <div
            className="sheet-content"
            style={{
              width: Math.max(layout!.contentWidth, viewport.width),
              height: Math.max(layout!.contentHeight, viewport.height),
            }}
          >
            <Grid
              layout={layout!}
              cells={cells!}
              scroll={place.scroll}
              viewport={viewport}
              cursor={cursor}
              onPick={(cell) => setPlace((p) => ({ ...p, cursor: cell }))}
            />
          </div>
        </div>
      )}
      {sheets && sheets.length > 0 ? (
        <div className="sheet-tabs" role="tablist" data-testid="sheet-tabs">
          {sheets.map((s, i) => (
            <button
              key={i}
              type="button"
              role="tab"
              className="sheet-tab"
              data-testid="sheet-tab"
              data-index={i}
              aria-selected={i === active}
              title={`${s.name} (Ctrl+PageDown / Ctrl+PageUp)`}
              onClick={() => switchSheet(i)}
            >
              {s.name}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
