import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ApiError, createFolder, getRoots, getStart, moveEntry, reportEvent, trashEntry } from './api.ts';
import { ConfirmDialog, MoveDialog, NameDialog } from './components/Dialogs.tsx';
import { FileList, ROW_HEIGHT } from './components/FileList.tsx';
import { Tree } from './components/Tree.tsx';
import { getListing, invalidate, invalidateAll } from './listingCache.ts';
import { effectiveType, TYPE_FILTERS, typeFromName, type TypeFilter } from './lib/fileTypes.ts';
import { formatSize } from './lib/format.ts';
import { resolveKey, type Action, type KeyContext } from './lib/keymap.ts';
import { cycleSortKey, nextSort, visibleEntries, type SortKey, type SortState } from './lib/listing.ts';
import {
  abilitiesFor,
  accessLabel,
  breadcrumbs,
  entryAbilities,
  joinPath,
  NO_ABILITIES,
  parentPath,
  rootOf,
  shownBreadcrumbs,
  validateName,
  wholeStorage,
} from './lib/paths.ts';
import type { Entry, Root } from './lib/types.ts';
import { clampIndex, rowsPerPage } from './lib/windowing.ts';
import { Preview, previewKind } from './viewers/Preview.tsx';
import { SearchPanel } from './search/SearchPanel.tsx';
import { useFirstDraw } from './useFirstDraw.ts';
import type { SearchResult } from './search/searchApi.ts';

type Dialog =
  | { kind: 'new-folder'; dir: string }
  | { kind: 'rename'; entry: Entry }
  | { kind: 'move'; entry: Entry; root: Root }
  | { kind: 'delete'; entry: Entry };

interface Banner {
  kind: 'error' | 'info';
  text: string;
}

interface ListingState {
  path: string;
  entries: Entry[];
  error: string | null;
}

const TEXT_INPUTS = ['text', 'search', 'number', 'email', 'url', 'tel', 'password'];

/** A server error as a sentence, with its code: "Something with that name already exists (exists)". */
function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return err instanceof ApiError && err.status ? `${sentence} (${err.code})` : sentence;
}

function rootEntry(r: Root): Entry {
  return { name: r.name, path: r.path, kind: r.kind, type: r.kind === 'folder' ? 'folder' : typeFromName(r.name) };
}

export function App() {
  const [roots, setRoots] = useState<Root[] | null>(null);
  const [rootsError, setRootsError] = useState<string | null>(null);
  const [rootsAttempt, setRootsAttempt] = useState(0);
  const [cwd, setCwd] = useState<string | null>(null);
  const [listing, setListing] = useState<ListingState | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [sort, setSort] = useState<SortState>({ key: 'name', dir: 'asc' });
  const [nameFilter, setNameFilter] = useState('');
  const [typeFilter, setTypeFilter] = useState<TypeFilter>('all');
  const [preview, setPreview] = useState<Entry | null>(null);
  /** The page a preview opens at (a search hit's). */
  const [previewPage, setPreviewPage] = useState<number | undefined>(undefined);
  const [searchOpen, setSearchOpen] = useState(false);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [banner, setBanner] = useState<Banner | null>(null);
  const [version, setVersion] = useState(0);

  const listRef = useRef<HTMLDivElement | null>(null);
  const filterRef = useRef<HTMLInputElement | null>(null);
  const treeRef = useRef<HTMLDivElement | null>(null);
  const viewerKeys = useRef<((action: Action) => boolean) | null>(null);
  const treeKeys = useRef<((action: Action) => boolean) | null>(null);
  const listHeight = useRef(500);
  /** What the session asked to show first (/api/start), opened once its folder is listed. */
  const pendingOpen = useRef<string | null>(null);

  const setListEl = useCallback((el: HTMLDivElement | null) => {
    listRef.current = el;
  }, []);
  const setTreeEl = useCallback((el: HTMLDivElement | null) => {
    treeRef.current = el;
  }, []);
  const registerViewerKeys = useCallback((h: ((action: Action) => boolean) | null) => {
    viewerKeys.current = h;
  }, []);
  const registerTreeKeys = useCallback((h: ((action: Action) => boolean) | null) => {
    treeKeys.current = h;
  }, []);

  // Information fades after a few seconds (one change of picture); errors stay until dismissed.
  useEffect(() => {
    if (banner?.kind !== 'info') return;
    const t = setTimeout(() => setBanner(null), 6000);
    return () => clearTimeout(t);
  }, [banner]);

  /** Focus the list once the DOM has settled, unless a dialog or a preview has taken the focus since. */
  const focusListNow = useCallback(() => {
    if (document.activeElement?.closest('.dialog, .preview')) return;
    listRef.current?.focus();
  }, []);
  const focusList = useCallback(() => requestAnimationFrame(focusListNow), [focusListNow]);

  // A folder is reported as opened once it is on screen (after the commit that draws it), not
  // when its listing arrives: whoever reacts to the report (a person, the server, a test) finds
  // the page already showing it and taking keys for it.
  const shownReports = useRef<Array<Parameters<typeof reportEvent>[0]>>([]);

  // The roots (one per grant). Once they are here the list gets the focus, first root selected,
  // so a person (or a test) can type at once. A path the session asked for is shown instead:
  // its folder listed with it selected, then opened (a file in its viewer, a folder entered).
  useEffect(() => {
    let live = true;
    Promise.all([getRoots(), getStart().catch(() => null)]).then(
      ([r, start]) => {
        if (!live) return;
        const list = Array.isArray(r) ? r : [];
        setRoots(list);
        setRootsError(null);
        shownReports.current.push({ kind: 'folder-opened', path: '/files', entries: list.length });
        const root = start === null ? undefined : rootOf(start, list);
        if (start !== null && root && !(start === root.path && root.kind === 'folder')) {
          setCwd(start === root.path ? null : parentPath(start));
          setSelected(start);
          pendingOpen.current = start;
        } else if (start !== null && root) {
          setCwd(start);
        } else {
          // One shared folder (or an owner's whole storage): start inside it, not one level above.
          const only = list.length === 1 && list[0]!.kind === 'folder' ? list[0]!.path : null;
          if (only) setCwd(only);
        }
        focusList();
      },
      (err: unknown) => {
        if (live) setRootsError(describe(err));
      },
    );
    return () => {
      live = false;
    };
  }, [rootsAttempt, focusList]);

  useEffect(() => {
    if (cwd === null) return;
    let live = true;
    getListing(cwd).then(
      (entries) => {
        if (!live) return;
        setListing({ path: cwd, entries, error: null });
        shownReports.current.push({ kind: 'folder-opened', path: cwd, entries: entries.length });
      },
      (err: unknown) => live && setListing({ path: cwd, entries: [], error: describe(err) }),
    );
    return () => {
      live = false;
    };
  }, [cwd, version]);

  const rootEntries = useMemo(() => (roots ?? []).map(rootEntry), [roots]);
  const loading = cwd !== null && listing?.path !== cwd;
  const entries = useMemo(
    () => (cwd === null ? rootEntries : listing?.path === cwd ? listing.entries : []),
    [cwd, rootEntries, listing],
  );
  const listError = cwd !== null && listing?.path === cwd ? listing.error : null;
  const drawn = useFirstDraw(roots !== null && !loading, focusListNow);
  useEffect(() => {
    if (!drawn || shownReports.current.length === 0) return;
    for (const e of shownReports.current.splice(0)) reportEvent(e);
  });
  const visible = useMemo(
    () => visibleEntries(entries, nameFilter, typeFilter, sort),
    [entries, nameFilter, typeFilter, sort],
  );
  // The selection is remembered by path; when that entry is not shown, the first row is selected.
  const found = selected === null ? -1 : visible.findIndex((e) => e.path === selected);
  const selectedIndex = found >= 0 ? found : visible.length > 0 ? 0 : -1;
  const selectedEntry = selectedIndex >= 0 ? visible[selectedIndex] : undefined;

  const currentRoot = cwd !== null && roots ? rootOf(cwd, roots) : undefined;
  const folderAbilities = currentRoot ? abilitiesFor(currentRoot.access) : NO_ABILITIES;
  const itemAbilities =
    selectedEntry && cwd !== null && roots ? entryAbilities(selectedEntry.path, roots) : NO_ABILITIES;

  const navigate = useCallback(
    (path: string | null, select?: string) => {
      setCwd(path);
      setSelected(select ?? null);
      setNameFilter('');
      focusList();
    },
    [focusList],
  );

  const goUp = useCallback(() => {
    if (cwd === null || !roots) return;
    // Nothing is above an owner's whole storage.
    if (cwd === wholeStorage(roots)?.path) return;
    const root = rootOf(cwd, roots);
    if (!root || root.path === cwd) navigate(null, root?.path ?? cwd);
    else navigate(parentPath(cwd), cwd);
  }, [cwd, roots, navigate]);

  const open = useCallback(
    (entry: Entry | undefined, page?: number) => {
      if (!entry) return;
      if (entry.kind === 'folder') {
        navigate(entry.path);
        return;
      }
      setSelected(entry.path);
      setBanner(null);
      setPreview(entry);
      setPreviewPage(page);
      reportEvent(
        ['pdf', 'document', 'spreadsheet'].includes(effectiveType(entry))
          ? { kind: 'file-opened', path: entry.path, page: page ?? 1 }
          : { kind: 'file-opened', path: entry.path },
      );
    },
    [navigate],
  );

  /** A search result: its folder listed with it selected, and a file opened (at the hit's page). */
  const openResult = useCallback(
    (r: SearchResult) => {
      setSearchOpen(false);
      const root = roots ? rootOf(r.path, roots) : undefined;
      if (r.kind === 'folder') {
        navigate(r.path);
        return;
      }
      navigate(root && root.path === r.path ? null : r.folder, r.path);
      const { name, path, kind, size, modifiedAt, type } = r;
      open({ name, path, kind, size, modifiedAt, type }, r.page ?? undefined);
    },
    [roots, navigate, open],
  );

  const closeSearch = useCallback(() => {
    setSearchOpen(false);
    focusList();
  }, [focusList]);

  // The path asked for first, once its folder is listed (gone meanwhile: simply not opened).
  useEffect(() => {
    const wanted = pendingOpen.current;
    if (wanted === null || loading || roots === null) return;
    pendingOpen.current = null;
    open(entries.find((e) => e.path === wanted));
  }, [entries, loading, roots, open]);

  const closePreview = useCallback(() => {
    viewerKeys.current = null;
    // The list is on screen again: the document no longer is (reading time stops here).
    if (preview) reportEvent({ kind: 'file-closed', path: preview.path });
    setPreview(null);
    focusList();
  }, [focusList, preview]);

  const closeDialog = useCallback(() => {
    setDialog(null);
    focusList();
  }, [focusList]);

  /** After an edit: forget the listings it touched and show the result. */
  const changed = useCallback((select: string | null, message: string, ...paths: string[]) => {
    if (paths.length) invalidate(...paths);
    else invalidateAll();
    setVersion((v) => v + 1);
    setSelected(select);
    setNameFilter(''); // the result is shown even if the filter would hide it
    setDialog(null);
    setBanner({ kind: 'info', text: message });
    requestAnimationFrame(() => listRef.current?.focus());
  }, []);

  const neighbourOf = (entry: Entry): string | null => {
    const i = visible.findIndex((e) => e.path === entry.path);
    const n = visible[i + 1] ?? visible[i - 1];
    return n ? n.path : null;
  };

  const startAction = (action: 'new-folder' | 'rename' | 'move' | 'delete') => {
    if (cwd === null || !roots) return;
    const refuse = (what: string) =>
      setBanner({
        kind: 'info',
        text: `This share does not allow ${what}${currentRoot ? ` (${accessLabel(currentRoot.access)})` : ''}.`,
      });
    switch (action) {
      case 'new-folder':
        if (!folderAbilities.create) return refuse('creating folders');
        setDialog({ kind: 'new-folder', dir: cwd });
        return;
      case 'rename':
        if (!selectedEntry) return;
        if (!itemAbilities.rename) return refuse('renaming');
        setDialog({ kind: 'rename', entry: selectedEntry });
        return;
      case 'move': {
        if (!selectedEntry) return;
        const root = rootOf(selectedEntry.path, roots);
        if (!itemAbilities.move || !root) return refuse('moving');
        setDialog({ kind: 'move', entry: selectedEntry, root });
        return;
      }
      case 'delete':
        if (!selectedEntry) return;
        if (!itemAbilities.delete) return refuse('deleting');
        setDialog({ kind: 'delete', entry: selectedEntry });
        return;
    }
  };

  const handleAction = (action: Action, ctx: KeyContext): boolean => {
    switch (action) {
      case 'block':
        return true;
      case 'refresh':
        invalidateAll();
        setVersion((v) => v + 1);
        if (!roots) setRootsAttempt((a) => a + 1);
        return true;
      case 'open-search':
        if (!roots) return true;
        if (searchOpen) document.querySelector<HTMLInputElement>('[data-testid="search-input"]')?.focus();
        setSearchOpen(true);
        return true;
      case 'focus-filter':
        filterRef.current?.focus();
        filterRef.current?.select();
        return true;
      case 'filter-to-list':
        if (visible[0] && found < 0) setSelected(visible[0].path);
        listRef.current?.focus();
        return true;
      case 'filter-escape':
        if (nameFilter) setNameFilter('');
        else listRef.current?.focus();
        return true;
      case 'focus-list':
        listRef.current?.focus();
        return true;
      case 'focus-tree':
        treeRef.current?.focus();
        return true;
      case 'close-preview':
        closePreview();
        return true;
    }
    if (ctx === 'tree') {
      if (action === 'go-up') {
        goUp();
        return true;
      }
      return treeKeys.current?.(action) ?? false;
    }
    if (ctx !== 'list') return viewerKeys.current?.(action) ?? false;

    const pick = (i: number) => {
      const e = visible[clampIndex(i, visible.length)];
      if (e) setSelected(e.path);
    };
    const page = rowsPerPage(listHeight.current, ROW_HEIGHT);
    switch (action) {
      case 'select-next':
        pick(selectedIndex + 1);
        return true;
      case 'select-prev':
        pick(selectedIndex - 1);
        return true;
      case 'select-first':
        pick(0);
        return true;
      case 'select-last':
        pick(visible.length - 1);
        return true;
      case 'select-page-down':
        pick(selectedIndex + page - 1);
        return true;
      case 'select-page-up':
        pick(selectedIndex - page + 1);
        return true;
      case 'open':
        open(selectedEntry);
        return true;
      case 'enter-folder':
        if (selectedEntry?.kind === 'folder') open(selectedEntry);
        return true;
      case 'go-up':
        goUp();
        return true;
      case 'escape':
        if (banner) setBanner(null);
        else if (nameFilter) setNameFilter('');
        else if (typeFilter !== 'all') setTypeFilter('all');
        return true;
      case 'new-folder':
      case 'rename':
      case 'move':
      case 'delete':
        startAction(action);
        return true;
      case 'cycle-sort':
        setSort((s) => cycleSortKey(s));
        return true;
      case 'reverse-sort':
        setSort((s) => ({ key: s.key, dir: s.dir === 'asc' ? 'desc' : 'asc' }));
        return true;
      case 'type-all':
      case 'type-documents':
      case 'type-images':
      case 'type-videos':
      case 'type-text':
        setTypeFilter(action.slice(5) as TypeFilter);
        return true;
    }
    return false;
  };

  // One keyboard dispatcher for the whole app: the context is where the focus is.
  const handler = useRef<(ev: KeyboardEvent) => void>(() => {});
  useLayoutEffect(() => {
    handler.current = (ev: KeyboardEvent) => {
      if (ev.defaultPrevented || ev.isComposing) return;
      const active = document.activeElement as HTMLElement | null;
      const ctxEl = active?.closest<HTMLElement>('[data-keyctx]');
      let ctx: KeyContext;
      if (dialog) ctx = 'dialog';
      else if (preview && !active?.closest('.preview'))
        ctx = previewKind(preview); // focus not moved in yet
      else if (ctxEl) ctx = ctxEl.dataset.keyctx as KeyContext;
      else if (!active || active === document.body) ctx = preview ? previewKind(preview) : 'list';
      else ctx = 'dialog'; // another control (a button reached with Tab): only browser shortcuts are caught
      const inInput =
        (active instanceof HTMLInputElement && TEXT_INPUTS.includes(active.type)) ||
        active instanceof HTMLTextAreaElement;
      const action = resolveKey(ctx, {
        key: ev.key,
        ctrl: ev.ctrlKey,
        alt: ev.altKey,
        shift: ev.shiftKey,
        meta: ev.metaKey,
        inInput,
      });
      if (action && handleAction(action, ctx)) ev.preventDefault();
    };
  });
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => handler.current(ev);
    // Buttons clicked with the mouse do not take the focus from the list or the viewer.
    const onMouseDown = (ev: MouseEvent) => {
      const t = ev.target as HTMLElement | null;
      if (t?.closest('button') && !t.closest('.dialog')) ev.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onMouseDown, true);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onMouseDown, true);
    };
  }, []);

  const onSort = useCallback((key: SortKey) => setSort((s) => nextSort(s, key)), []);
  const onViewportHeight = useCallback((h: number) => {
    listHeight.current = h;
  }, []);
  const onTreeNavigate = useCallback((path: string | null, select?: string) => navigate(path, select), [navigate]);

  // Nothing is painted until the first folder is listed (or STARTING_BLANK_MS has passed): the
  // viewer keeps "Opening File Explorer…" over a blank display, and lifts it on the first picture
  // with content, so a client never sees an empty "Loading…" frame first.
  if (!drawn && !rootsError) return <div className="app starting" data-testid="explorer-starting" aria-busy="true" />;
  if (rootsError) {
    return (
      <div className="app fatal" data-testid="explorer-app">
        <div className="viewer-message" role="alert" data-testid="error-banner">
          <p>The files cannot be listed: {rootsError}</p>
          <button type="button" onClick={() => setRootsAttempt((a) => a + 1)}>
            Try again
          </button>
        </div>
      </div>
    );
  }

  const crumbs = shownBreadcrumbs(cwd, roots ?? []);
  const placeholder = !roots ? (
    'Loading…'
  ) : loading ? (
    'Loading…'
  ) : listError ? (
    <span className="error-text" role="alert" data-testid="list-error">
      This folder cannot be read: {listError}
    </span>
  ) : entries.length === 0 ? (
    cwd === null ? (
      'Nothing is shared in this session.'
    ) : (
      'This folder is empty.'
    )
  ) : (
    'Nothing matches the filter. Esc clears it.'
  );

  const hints = [
    'Enter open',
    'Backspace up',
    '/ filter',
    'Ctrl+Shift+F search all',
    's sort',
    folderAbilities.create ? 'n new folder' : '',
    itemAbilities.rename ? 'F2 rename' : '',
    itemAbilities.move ? 'm move' : '',
    itemAbilities.delete ? 'Del delete' : '',
  ].filter(Boolean);

  return (
    <div className="app" data-testid="explorer-app">
      {banner ? (
        <div
          className={`banner ${banner.kind}`}
          role={banner.kind === 'error' ? 'alert' : 'status'}
          data-testid={banner.kind === 'error' ? 'error-banner' : 'info-banner'}
        >
          <span>{banner.text}</span>
          <button type="button" onClick={() => setBanner(null)}>
            Dismiss
          </button>
        </div>
      ) : null}

      {preview ? (
        <Preview entry={preview} onClose={closePreview} registerKeys={registerViewerKeys} initialPage={previewPage} />
      ) : null}
      {roots ? (
        <SearchPanel open={searchOpen && !preview} roots={roots} onOpen={openResult} onClose={closeSearch} />
      ) : null}

      <div className="explorer" hidden={!!preview}>
        <header className="toolbar">
          <nav className="breadcrumbs" aria-label="Location" data-testid="breadcrumbs">
            {crumbs.map((c, i) => (
              <span key={c.path ?? ''} className="crumb-wrap">
                {i > 0 ? <span className="crumb-sep">›</span> : null}
                <button
                  type="button"
                  className={i === crumbs.length - 1 ? 'crumb current' : 'crumb'}
                  data-testid="breadcrumb"
                  data-path={c.path ?? ''}
                  onClick={() => navigate(c.path)}
                >
                  {c.label}
                </button>
              </span>
            ))}
          </nav>
          <input
            ref={filterRef}
            type="search"
            className="filter"
            data-testid="filter-input"
            data-keyctx="filter"
            placeholder="Filter by name  ( / )"
            aria-label="Filter by name"
            value={nameFilter}
            spellCheck={false}
            autoComplete="off"
            onChange={(ev) => setNameFilter(ev.target.value)}
          />
          <button
            type="button"
            data-testid="search-open"
            onClick={() => setSearchOpen(true)}
            title="Search the whole share: names, or words inside files (Ctrl+Shift+F)"
          >
            Search all <kbd>Ctrl+Shift+F</kbd>
          </button>
        </header>
        <div className="toolbar second">
          <div className="type-filters" role="group" aria-label="Show">
            {TYPE_FILTERS.map((t, i) => (
              <button
                key={t.id}
                type="button"
                aria-pressed={typeFilter === t.id}
                data-testid={`type-filter-${t.id}`}
                onClick={() => setTypeFilter(t.id)}
                title={`${t.label} (${i + 1})`}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div className="actions">
            {folderAbilities.create ? (
              <button type="button" data-testid="action-new-folder" onClick={() => startAction('new-folder')}>
                New folder <kbd>N</kbd>
              </button>
            ) : null}
            {itemAbilities.rename ? (
              <button type="button" data-testid="action-rename" onClick={() => startAction('rename')}>
                Rename <kbd>F2</kbd>
              </button>
            ) : null}
            {itemAbilities.move ? (
              <button type="button" data-testid="action-move" onClick={() => startAction('move')}>
                Move <kbd>M</kbd>
              </button>
            ) : null}
            {itemAbilities.delete ? (
              <button
                type="button"
                className="danger"
                data-testid="action-delete"
                onClick={() => startAction('delete')}
              >
                Delete <kbd>Del</kbd>
              </button>
            ) : null}
          </div>
        </div>
        <div className="main">
          {roots ? (
            <Tree
              roots={roots}
              cwd={cwd}
              version={version}
              onNavigate={onTreeNavigate}
              registerKeys={registerTreeKeys}
              treeRef={setTreeEl}
            />
          ) : (
            <div className="tree" />
          )}
          <FileList
            entries={visible}
            selectedIndex={selectedIndex}
            sort={sort}
            onSort={onSort}
            onSelect={(i) => {
              const e = visible[i];
              if (e) setSelected(e.path);
              listRef.current?.focus();
            }}
            onOpen={(i) => open(visible[i])}
            listRef={setListEl}
            placeholder={placeholder}
            onViewportHeight={onViewportHeight}
          />
        </div>
        <footer className="statusbar" data-testid="status-bar">
          <span data-testid="status-count">
            {visible.length === entries.length
              ? `${entries.length} item${entries.length === 1 ? '' : 's'}`
              : `${visible.length} of ${entries.length} shown`}
            {selectedEntry?.kind === 'file' && selectedEntry.size != null ? ` · ${formatSize(selectedEntry.size)}` : ''}
          </span>
          {currentRoot || (cwd === null && selectedEntry && roots) ? (
            <span data-testid="status-access">
              {accessLabel((currentRoot ?? rootOf(selectedEntry!.path, roots!))?.access ?? 'read')}
            </span>
          ) : null}
          <span className="hints">{hints.join(' · ')}</span>
        </footer>
      </div>

      {dialog?.kind === 'new-folder' ? (
        <NameDialog
          title="New folder"
          label="Name"
          initial="New folder"
          submitLabel="Create"
          validate={(name) =>
            validateName(name) ??
            (entries.some((e) => e.name === name.trim()) ? 'Something with that name is already here.' : null)
          }
          onSubmit={async (name) => {
            const path = joinPath(dialog.dir, name);
            await createFolder(path).catch((err: unknown) => {
              throw new Error(describe(err));
            });
            changed(path, `Folder “${name}” created.`, dialog.dir);
          }}
          onCancel={closeDialog}
        />
      ) : null}
      {dialog?.kind === 'rename' ? (
        <NameDialog
          title={`Rename “${dialog.entry.name}”`}
          label="New name"
          initial={dialog.entry.name}
          submitLabel="Rename"
          selectTo={
            dialog.entry.kind === 'file' && dialog.entry.name.lastIndexOf('.') > 0
              ? dialog.entry.name.lastIndexOf('.')
              : dialog.entry.name.length
          }
          validate={(name) =>
            validateName(name) ??
            (name.trim() !== dialog.entry.name && entries.some((e) => e.name === name.trim())
              ? 'Something with that name is already here.'
              : null)
          }
          onSubmit={async (name) => {
            if (name === dialog.entry.name) {
              closeDialog();
              return;
            }
            const to = joinPath(parentPath(dialog.entry.path), name);
            await moveEntry(dialog.entry.path, to).catch((err: unknown) => {
              throw new Error(describe(err));
            });
            changed(to, `Renamed to “${name}”.`);
          }}
          onCancel={closeDialog}
        />
      ) : null}
      {dialog?.kind === 'move' && roots ? (
        <MoveDialog
          entry={dialog.entry}
          root={dialog.root}
          roots={roots}
          onMove={async (dest) => {
            await moveEntry(dialog.entry.path, joinPath(dest, dialog.entry.name)).catch((err: unknown) => {
              throw new Error(describe(err));
            });
            const where = breadcrumbs(dest, roots)
              .slice(1)
              .map((c) => c.label)
              .join(' › ');
            changed(neighbourOf(dialog.entry), `Moved “${dialog.entry.name}” to ${where}.`);
          }}
          onCancel={closeDialog}
        />
      ) : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete “${dialog.entry.name}”?`}
          message={
            dialog.entry.kind === 'folder'
              ? 'The folder and everything in it go to the owner’s trash, where they can be restored for a while.'
              : 'It goes to the owner’s trash, where it can be restored for a while.'
          }
          confirmLabel="Delete"
          onConfirm={async () => {
            await trashEntry(dialog.entry.path).catch((err: unknown) => {
              throw new Error(describe(err));
            });
            changed(neighbourOf(dialog.entry), `“${dialog.entry.name}” moved to the trash.`);
          }}
          onCancel={closeDialog}
        />
      ) : null}
    </div>
  );
}
