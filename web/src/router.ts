/**
 * A tiny history-based router: the app has two screens (`/` and `/session/:id`), which does not
 * justify a routing dependency.
 */
import { useSyncExternalStore } from 'react';

const NAVIGATE_EVENT = 'vitrine:navigate';

export interface Location {
  pathname: string;
  search: string;
}

function subscribe(callback: () => void): () => void {
  window.addEventListener('popstate', callback);
  window.addEventListener(NAVIGATE_EVENT, callback);
  return () => {
    window.removeEventListener('popstate', callback);
    window.removeEventListener(NAVIGATE_EVENT, callback);
  };
}

// The snapshot must be referentially stable between changes, so compare by value.
let cached: Location = { pathname: '', search: '' };
function snapshot(): Location {
  const { pathname, search } = window.location;
  if (cached.pathname !== pathname || cached.search !== search) cached = { pathname, search };
  return cached;
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  if (url.origin !== window.location.origin) throw new Error(`refusing cross-origin navigation to ${to}`);
  const target = url.pathname + url.search + url.hash;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export type Route = { name: 'apps' } | { name: 'session'; sessionId: string };

export function matchRoute(pathname: string): Route {
  const m = /^\/session\/([^/]+)\/?$/.exec(pathname);
  if (m) {
    try {
      return { name: 'session', sessionId: decodeURIComponent(m[1]!) };
    } catch {
      return { name: 'apps' };
    }
  }
  return { name: 'apps' };
}

/** Path to the viewer for a session, keeping a `?codec=` choice if one is given. */
export function sessionPath(sessionId: string, codec?: string | null): string {
  const base = `/session/${encodeURIComponent(sessionId)}`;
  return codec ? `${base}?codec=${encodeURIComponent(codec)}` : base;
}
