import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { readRange } from '../api.ts';
import { formatSize } from '../lib/format.ts';
import { highlightHtml, languageFor } from '../lib/highlight.ts';
import type { Action } from '../lib/keymap.ts';
import { decodePage, pageCount, pageRequestRange, TEXT_PAGE_SIZE } from '../lib/textPaging.ts';
import type { Entry } from '../lib/types.ts';
import '../lib/highlight.css';

interface Props {
  entry: Entry;
  header: ReactNode;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
}

type State = { part: number; text: string | null; error: string | null; size: number | null };

/**
 * Monospace text, read in 64 KB parts with Range requests: a large log is never loaded whole.
 * Source files are highlighted by their extension, one part at a time (so a huge file costs what
 * one part does).
 */
export function TextViewer({ entry, header, registerKeys }: Props) {
  const [part, setPart] = useState(0);
  const [state, setState] = useState<State>({ part: -1, text: null, error: null, size: entry.size ?? null });
  const scroller = useRef<HTMLDivElement | null>(null);

  const size = state.size ?? entry.size ?? null;
  const parts = size === null ? 1 : pageCount(size);

  useEffect(() => {
    const controller = new AbortController();
    const known = entry.size ?? Number.MAX_SAFE_INTEGER;
    const range = pageRequestRange(part, known > 0 ? known : TEXT_PAGE_SIZE);
    readRange(entry.path, range.start, range.end, controller.signal).then(
      ({ bytes, total }) => {
        setState({ part, text: decodePage(bytes, part), error: null, size: total ?? entry.size ?? null });
        if (scroller.current) scroller.current.scrollTop = 0;
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ ...s, part, text: null, error: err instanceof Error ? err.message : 'Cannot be read.' }));
      },
    );
    return () => controller.abort();
  }, [entry.path, entry.size, part]);

  const go = (p: number) => setPart(Math.max(0, Math.min(parts - 1, p)));

  const handleKey = (action: Action): boolean => {
    switch (action) {
      case 'next-part':
        go(part + 1);
        return true;
      case 'prev-part':
        go(part - 1);
        return true;
    }
    return false;
  };
  useLayoutEffect(() => registerKeys(handleKey));

  const loading = state.part !== part;
  const language = languageFor(entry.name);
  const highlighted = useMemo(() => (state.text ? highlightHtml(state.text, language) : null), [state.text, language]);
  return (
    <div className="viewer text-viewer" data-testid="text-viewer" data-part={part + 1} data-parts={parts}>
      <div className="preview-bar">
        {header}
        {parts > 1 ? (
          <div className="bar-group">
            <button type="button" data-testid="text-prev" onClick={() => go(part - 1)} title="Previous part ([)">
              ◀ Prev
            </button>
            <span className="bar-text" data-testid="text-part">
              Part {part + 1} of {parts}
            </span>
            <button type="button" data-testid="text-next" onClick={() => go(part + 1)} title="Next part (])">
              Next ▶
            </button>
            <span className="bar-text muted">{formatSize(TEXT_PAGE_SIZE)} parts</span>
          </div>
        ) : null}
      </div>
      <div ref={scroller} className="text-scroller" tabIndex={0} data-testid="text-scroller">
        {state.error ? (
          <div className="viewer-message" role="alert">
            {state.error}
          </div>
        ) : state.text === null ? (
          <div className="viewer-message">Loading…</div>
        ) : state.size === 0 ? (
          <div className="viewer-message" data-testid="empty-file">
            <strong>This file is empty</strong>
            <br />
            {entry.name}
          </div>
        ) : (
          <pre
            className={loading ? 'text-content stale' : 'text-content'}
            data-testid="text-content"
            data-language={highlighted === null ? 'plain' : (language ?? 'plain')}
            // highlight.js's output: its own spans around the text, which it has escaped.
            {...(highlighted === null
              ? { children: state.text }
              : { dangerouslySetInnerHTML: { __html: highlighted } })}
          />
        )}
      </div>
    </div>
  );
}
