/**
 * The folder the Files page shows: which one (`?path=` in the URL, so a reload or a shared URL
 * opens the same folder), its entries in the chosen order, the storage usage beside it, and
 * loading it again when asked or when an upload into it finishes.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { navigate, useLocation } from '../router.ts';
import { describeError, joinPath } from '../shared/format.ts';
import type { FileEntry, FolderListing, StorageUsage } from './filesApi.ts';
import { getUsage, listFolder } from './filesApi.ts';
import { nextSortOrder, sortEntries, type SortKey, type SortOrder } from './sortEntries.ts';
import { uploads } from './uploadQueue.ts';

export interface Folder {
  /** The folder's storage path ("" = the top level). */
  path: string;
  /** Its entries, sorted; null until they are loaded (or when they could not be). */
  entries: FileEntry[] | null;
  loading: boolean;
  /** Why the folder could not be listed, as a sentence. */
  loadError: string | null;
  /** The folder is not there (any more): offer the top level rather than asking for it again. */
  gone: boolean;
  usage: StorageUsage | null;
  sort: SortOrder;
  sortBy: (key: SortKey) => void;
  refresh: () => void;
  /** Shows another folder (a new history entry). */
  open: (path: string) => void;
}

interface LoadError {
  /** The folder it is about: an error for the folder before does not show on the next. */
  folder: string;
  message: string;
  status: number | null;
}

/** The folder in the URL, its names as they are (a folder may be called " Old"): only slashes are tidied. */
function folderFromSearch(search: string): string {
  return joinPath(new URLSearchParams(search).get('path') ?? '', '');
}

export function useFolder(): Folder {
  const location = useLocation();
  const path = folderFromSearch(location.search);

  const [listing, setListing] = useState<{ folder: string; data: FolderListing } | null>(null);
  const [loadError, setLoadError] = useState<LoadError | null>(null);
  const [usage, setUsage] = useState<StorageUsage | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [sort, setSort] = useState<SortOrder>({ key: 'name', asc: true });

  const refresh = useCallback(() => setReloadKey((k) => k + 1), []);

  useEffect(() => {
    const ctrl = new AbortController();
    listFolder(path, ctrl.signal)
      .then((data) => {
        setListing({ folder: path, data });
        setLoadError(null);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        const status =
          typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : null;
        setLoadError({ folder: path, message: describeError(err), status });
      });
    getUsage(ctrl.signal)
      .then(setUsage)
      .catch(() => {
        // The usage bar is a nicety; the listing reports real trouble.
      });
    return () => ctrl.abort();
  }, [path, reloadKey]);

  // A finished upload into the folder on screen shows up in it (batched: many small files finish together).
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = uploads.onUploaded(() => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [refresh]);

  const entries = useMemo(
    () => (listing && listing.folder === path ? sortEntries(listing.data.entries, sort.key, sort.asc) : null),
    [listing, path, sort],
  );
  const shownError = loadError && loadError.folder === path ? loadError : null;

  const open = (to: string) => {
    const params = new URLSearchParams(location.search);
    if (to) params.set('path', to);
    else params.delete('path');
    const qs = params.toString();
    navigate(location.pathname + (qs ? `?${qs}` : ''));
  };

  return {
    path,
    entries,
    loading: !entries && !shownError,
    loadError: shownError?.message ?? null,
    gone: shownError?.status === 404 && path !== '',
    usage,
    sort,
    sortBy: (key) => setSort((s) => nextSortOrder(s, key)),
    refresh,
    open,
  };
}
