import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { effectiveType, typeLabel } from '../lib/fileTypes.ts';
import { formatDate, formatSize } from '../lib/format.ts';
import type { SortKey, SortState } from '../lib/listing.ts';
import type { Entry } from '../lib/types.ts';
import { isSecondClick } from '../lib/clicks.ts';
import { scrollToReveal, visibleRange } from '../lib/windowing.ts';
import { FileIcon } from './Icon.tsx';

export const ROW_HEIGHT = 36;

const COLUMNS: { key: SortKey; label: string; className: string }[] = [
  { key: 'name', label: 'Name', className: 'col-name' },
  { key: 'size', label: 'Size', className: 'col-size' },
  { key: 'modified', label: 'Modified', className: 'col-modified' },
  { key: 'type', label: 'Type', className: 'col-type' },
];

interface Props {
  entries: readonly Entry[];
  selectedIndex: number;
  sort: SortState;
  onSort: (key: SortKey) => void;
  onSelect: (index: number) => void;
  onOpen: (index: number) => void;
  listRef: (el: HTMLDivElement | null) => void;
  /** Shown instead of rows (loading, error, empty folder, nothing matches). */
  placeholder: ReactNode;
  /** Reports the visible height, for PageUp/PageDown. */
  onViewportHeight: (h: number) => void;
}

/** The file list: a sortable header and a windowed body (only the rows in view are mounted). */
export function FileList({
  entries,
  selectedIndex,
  sort,
  onSort,
  onSelect,
  onOpen,
  listRef,
  placeholder,
  onViewportHeight,
}: Props) {
  const scroller = useRef<HTMLDivElement | null>(null);
  const lastClick = useRef<{ path: string; at: number; x: number; y: number } | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  // The header stops where the rows do: above the list's vertical scrollbar.
  const [gutter, setGutter] = useState(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      setHeight(el.clientHeight);
      setGutter(el.offsetWidth - el.clientWidth);
      onViewportHeight(el.clientHeight);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [onViewportHeight]);

  // Keep the selected row in view.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || selectedIndex < 0) return;
    const next = scrollToReveal(selectedIndex, el.scrollTop, el.clientHeight, ROW_HEIGHT);
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
  }, [selectedIndex, entries]);

  const { start, end } = visibleRange(scrollTop, height, ROW_HEIGHT, entries.length, 6);
  const rows = [];
  for (let i = start; i < end; i++) {
    const e = entries[i]!;
    const type = effectiveType(e);
    const selected = i === selectedIndex;
    rows.push(
      <div
        key={e.path}
        id={`row-${i}`}
        role="option"
        aria-selected={selected}
        className={selected ? 'row selected' : 'row'}
        style={{ top: i * ROW_HEIGHT }}
        data-testid="explorer-row"
        data-name={e.name}
        data-path={e.path}
        data-kind={e.kind}
        data-type={type}
        data-index={i}
        onMouseDown={(ev) => {
          if (ev.button !== 0) return;
          onSelect(i);
        }}
        onClick={(ev) => {
          if (ev.button !== 0) return;
          const click = { path: e.path, at: performance.now(), x: ev.clientX, y: ev.clientY };
          const second = ev.detail === 2 || isSecondClick(lastClick.current, click);
          lastClick.current = second ? null : click;
          if (second) onOpen(i);
        }}
      >
        <span className="col-name">
          <FileIcon type={type} />
          <span className="name-text">{e.name}</span>
        </span>
        <span className="col-size">{e.kind === 'folder' ? '' : formatSize(e.size)}</span>
        <span className="col-modified">{formatDate(e.modifiedAt)}</span>
        <span className="col-type">{typeLabel(e)}</span>
      </div>,
    );
  }

  return (
    <div className="file-list">
      <div className="list-header" role="row" style={{ paddingRight: gutter }}>
        {COLUMNS.map((c) => {
          const active = sort.key === c.key;
          return (
            <button
              key={c.key}
              type="button"
              role="columnheader"
              className={`${c.className} header-cell${active ? ' active' : ''}`}
              data-testid={`sort-${c.key}`}
              aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
              onClick={() => onSort(c.key)}
            >
              {c.label}
              {active ? <span className="sort-arrow">{sort.dir === 'asc' ? ' ▲' : ' ▼'}</span> : null}
            </button>
          );
        })}
      </div>
      <div
        ref={(el) => {
          scroller.current = el;
          listRef(el);
        }}
        className="list-body"
        role="listbox"
        tabIndex={0}
        aria-label="Files"
        aria-activedescendant={selectedIndex >= 0 ? `row-${selectedIndex}` : undefined}
        data-testid="explorer-list"
        data-keyctx="list"
        data-count={entries.length}
        data-selected-index={selectedIndex}
        onScroll={(ev) => setScrollTop(ev.currentTarget.scrollTop)}
      >
        {entries.length === 0 ? (
          <div className="list-placeholder">{placeholder}</div>
        ) : (
          <div className="list-inner" style={{ height: entries.length * ROW_HEIGHT }}>
            {rows}
          </div>
        )}
      </div>
    </div>
  );
}
