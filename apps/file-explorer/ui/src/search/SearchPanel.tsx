import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { FileIcon } from '../components/Icon.tsx';
import { breadcrumbs } from '../lib/paths.ts';
import type { Root } from '../lib/types.ts';
import { searchShares, type SearchResponse, type SearchResult, type SearchScope } from './searchApi.ts';
import { resolveSearchKey } from './searchKeys.ts';
import { resultsLine, skippedLine } from './searchSummary.ts';
import './search.css';

/** Names are searched as the person types; inside files only once typing pauses (it costs more). */
const DEBOUNCE_MS: Record<SearchScope, number> = { names: 150, contents: 500 };
const RESULTS_PER_PAGE = 8;

interface Props {
  open: boolean;
  roots: readonly Root[];
  onOpen: (result: SearchResult) => void;
  onClose: () => void;
}

interface Answer {
  key: string;
  response: SearchResponse | null;
  error: string | null;
}

const keyOf = (query: string, scope: SearchScope) => `${scope}\0${query}`;

/** A piece of text with [start, end) marked. */
function Marked({ text, range }: { text: string; range: { start: number; end: number } | null }): ReactNode {
  if (!range || range.end <= range.start) return text;
  return (
    <>
      {text.slice(0, range.start)}
      <mark>{text.slice(range.start, range.end)}</mark>
      {text.slice(range.end)}
    </>
  );
}

/**
 * The search across every shared folder: a field, "names" or "inside files", the results. It stays
 * mounted while hidden, so the last search is still there when it is opened again (Ctrl+Shift+F).
 */
export function SearchPanel({ open, roots, onOpen, onClose }: Props) {
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<SearchScope>('names');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [selected, setSelected] = useState(0);
  const input = useRef<HTMLInputElement | null>(null);
  const list = useRef<HTMLUListElement | null>(null);

  const trimmed = query.trim();
  const key = keyOf(trimmed, scope);
  const current = answer?.key === key ? answer : null;
  const busy = trimmed !== '' && !current;
  const results = current?.response?.results ?? [];

  useLayoutEffect(() => {
    if (!open) return;
    input.current?.focus();
    input.current?.select();
  }, [open]);

  useEffect(() => {
    if (trimmed === '') return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      searchShares(trimmed, scope, abort.signal).then(
        (response) => {
          setAnswer({ key: keyOf(trimmed, scope), response, error: null });
          setSelected(0);
        },
        (err: unknown) => {
          if (abort.signal.aborted) return;
          setAnswer({ key: keyOf(trimmed, scope), response: null, error: (err as Error).message });
        },
      );
    }, DEBOUNCE_MS[scope]);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [trimmed, scope]);

  // The selected result stays in view.
  useLayoutEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [selected, current]);

  const pick = (i: number) => setSelected(Math.max(0, Math.min(results.length - 1, i)));

  const onKeyDown = (ev: React.KeyboardEvent<HTMLElement>) => {
    const action = resolveSearchKey({
      key: ev.key,
      ctrl: ev.ctrlKey || ev.metaKey,
      alt: ev.altKey,
      shift: ev.shiftKey,
    });
    if (!action) return;
    ev.preventDefault();
    switch (action) {
      case 'result-next':
        return pick(selected + 1);
      case 'result-prev':
        return pick(selected - 1);
      case 'result-first':
        return pick(0);
      case 'result-last':
        return pick(results.length - 1);
      case 'result-page-down':
        return pick(selected + RESULTS_PER_PAGE);
      case 'result-page-up':
        return pick(selected - RESULTS_PER_PAGE);
      case 'result-open': {
        // Only results of what the field says now: Enter never opens an answer to an older query.
        const r = current ? results[selected] : undefined;
        if (r) onOpen(r);
        return;
      }
      case 'toggle-scope':
        return setScope((s) => (s === 'names' ? 'contents' : 'names'));
      case 'close-search':
        return onClose();
    }
  };

  const folderLabel = (folder: string) =>
    breadcrumbs(folder, roots)
      .slice(1)
      .map((c) => c.label)
      .join(' › ') || 'Files';

  const response = current?.response ?? null;
  const skipped = response ? skippedLine(response) : null;
  const status =
    trimmed === ''
      ? scope === 'names'
        ? 'Type part of a name: every folder of the share is searched.'
        : 'Type a word: text files, PDFs and office documents of the share are searched.'
      : busy
        ? scope === 'names'
          ? 'Searching…'
          : 'Searching inside the files… (this can take a few seconds)'
        : current?.error
          ? `The search failed: ${current.error}`
          : response
            ? resultsLine(response)
            : '';

  return (
    <div
      className="search-panel"
      data-testid="search-panel"
      data-keyctx="search"
      data-scope={scope}
      data-busy={busy}
      tabIndex={-1}
      hidden={!open}
      onKeyDown={onKeyDown}
    >
      <div className="search-bar">
        <button type="button" data-testid="search-close" onClick={onClose} title="Back to the folder (Esc)">
          ← Back
        </button>
        <input
          ref={input}
          type="search"
          className="search-input"
          data-testid="search-input"
          placeholder={scope === 'names' ? 'Search names in the whole share' : 'Search inside files in the whole share'}
          aria-label="Search the whole share"
          value={query}
          spellCheck={false}
          autoComplete="off"
          onChange={(ev) => setQuery(ev.target.value)}
        />
        <div className="type-filters" role="group" aria-label="Search in">
          <button
            type="button"
            aria-pressed={scope === 'names'}
            data-testid="search-scope-names"
            onClick={() => setScope('names')}
            title="Search names (Tab switches)"
          >
            Names
          </button>
          <button
            type="button"
            aria-pressed={scope === 'contents'}
            data-testid="search-scope-contents"
            onClick={() => setScope('contents')}
            title="Search inside files (Tab switches)"
          >
            Inside files
          </button>
        </div>
      </div>
      <div className="search-status" data-testid="search-status" role="status">
        {status}
        {skipped && !busy ? (
          <div className="search-skipped" data-testid="search-skipped">
            {skipped}
          </div>
        ) : null}
      </div>
      <ul ref={list} className="search-results" data-testid="search-results" role="listbox" aria-label="Results">
        {(current ? results : []).map((r, i) => (
          <li
            key={`${r.path}\0${r.page ?? ''}\0${r.line ?? ''}`}
            className="search-result"
            data-testid="search-result"
            data-path={r.path}
            data-page={r.page ?? ''}
            role="option"
            aria-selected={i === selected}
            onMouseDown={(ev) => ev.preventDefault()}
            onClick={() => {
              setSelected(i);
              onOpen(r);
            }}
          >
            <FileIcon type={r.type} />
            <span className="search-name">
              <Marked text={r.name} range={r.nameMatch} />
            </span>
            <span className="search-where">{r.page ? `page ${r.page}` : r.line ? `line ${r.line}` : ''}</span>
            <span className="search-folder">in {folderLabel(r.folder)}</span>
            {r.snippet ? (
              <span className="search-snippet" data-testid="search-snippet">
                <Marked text={r.snippet.text} range={r.snippet} />
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <div className="search-hint">↑ ↓ choose · Enter open · Tab names / inside files · Esc back</div>
    </div>
  );
}
