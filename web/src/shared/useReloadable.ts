/**
 * What a list page loads on mount and again on Reload/Retry: the data, the load error (as a
 * sentence), when it was loaded (for "in 3 days"), and a setter for edits made in place. A request
 * still running when the page reloads or goes away is aborted, and its failure is not reported.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Dispatch, SetStateAction } from 'react';
import { describeError } from './format.ts';

export interface Reloadable<T> {
  /** Null until the first load succeeds. */
  data: T | null;
  setData: Dispatch<SetStateAction<T | null>>;
  loadError: string | null;
  /** Milliseconds since the epoch at the last successful load. */
  loadedAt: number;
  reload: () => void;
}

/** `load` must keep its identity across renders (a module-level function): a new one loads again. */
export function useReloadable<T>(load: (signal: AbortSignal) => Promise<T>): Reloadable<T> {
  const [data, setData] = useState<T | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loadedAt, setLoadedAt] = useState(() => Date.now());
  const [reloadKey, setReloadKey] = useState(0);

  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  useEffect(() => {
    const ctrl = new AbortController();
    load(ctrl.signal)
      .then((value) => {
        setData(value);
        setLoadError(null);
        setLoadedAt(Date.now());
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoadError(describeError(err));
      });
    return () => ctrl.abort();
  }, [load, reloadKey]);

  return { data, setData, loadError, loadedAt, reload };
}
