/** The installed apps (`GET /api/apps`), loaded once per mount: what an owner may let a share open. */
import { useEffect, useState } from 'react';
import { describeError } from '../shared/format.ts';
import { listApps, type AppInfo } from '../shared/sessionsApi.ts';

export interface InstalledApps {
  /** Null while loading (or when loading failed). */
  apps: AppInfo[] | null;
  loadError: string | null;
}

export function useInstalledApps(): InstalledApps {
  const [state, setState] = useState<InstalledApps>({ apps: null, loadError: null });
  useEffect(() => {
    const ctrl = new AbortController();
    listApps(ctrl.signal)
      .then((apps) => setState({ apps, loadError: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setState({ apps: null, loadError: describeError(err) });
      });
    return () => ctrl.abort();
  }, []);
  return state;
}

/** An app's display name, or its id when it is not installed (any more). */
export function appLabel(apps: AppInfo[] | null, id: string): string {
  return apps?.find((a) => a.id === id)?.name ?? id;
}
