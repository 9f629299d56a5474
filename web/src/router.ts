/**
 * A tiny history-based router: a handful of screens, which does not justify a routing dependency.
 * `matchRoute` and `redirectFor` are pure (unit-tested); `App` applies the redirects.
 */
import { useSyncExternalStore } from 'react';
import type { Role } from '@vitrine/protocol';

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

/** Path and query of the current URL. The fragment is deliberately left out (see `/invite`). */
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

/** Screens inside the signed-in shell, reachable from the navigation. */
export type ShellRouteName =
  'files' | 'trash' | 'shares' | 'apps' | 'audit' | 'recordings' | 'shared' | 'account' | 'connection-test';

export type Route =
  /** `/` and unknown paths: redirected to the default page of the person's role. */
  | { name: 'home' }
  | { name: 'signin' }
  /** `/invite#<token>`: the token is in the fragment, read from `window.location.hash`. */
  | { name: 'invite' }
  | { name: ShellRouteName }
  | { name: 'session'; sessionId: string };

/**
 * Pages that own the rest of their path (e.g. `/files/some/folder` or `/shares/<id>`), so the
 * pages may keep their own state in the URL. The others match their exact path only.
 */
const PREFIX_ROUTES: readonly ShellRouteName[] = ['files', 'trash', 'shares', 'shared', 'recordings'];
const EXACT_ROUTES: readonly (ShellRouteName | 'signin' | 'invite')[] = [
  'apps',
  'audit',
  'account',
  'connection-test',
  'signin',
  'invite',
];

export function matchRoute(pathname: string): Route {
  const m = /^\/session\/([^/]+)\/?$/.exec(pathname);
  if (m) {
    try {
      return { name: 'session', sessionId: decodeURIComponent(m[1]!) };
    } catch {
      return { name: 'home' };
    }
  }
  const first = /^\/([a-z]+(?:-[a-z]+)*)(\/.*)?$/.exec(pathname);
  if (first) {
    const [, name, rest] = first;
    if ((PREFIX_ROUTES as readonly string[]).includes(name!)) return { name: name as ShellRouteName };
    if ((EXACT_ROUTES as readonly string[]).includes(name!) && (rest === undefined || rest === '/')) {
      return { name: name as ShellRouteName | 'signin' | 'invite' };
    }
  }
  return { name: 'home' };
}

/** Path to the viewer for a session, keeping a `?codec=` choice if one is given. */
export function sessionPath(sessionId: string, codec?: string | null): string {
  const base = `/session/${encodeURIComponent(sessionId)}`;
  return codec ? `${base}?codec=${encodeURIComponent(codec)}` : base;
}

/** Where each role lands after signing in or on `/`. */
export function defaultPath(role: Role): string {
  return role === 'owner' ? '/files' : '/shared';
}

const ROLE_ROUTES: Record<Role, ReadonlySet<Route['name']>> = {
  owner: new Set(['files', 'trash', 'shares', 'apps', 'audit', 'recordings', 'account', 'connection-test', 'session']),
  client: new Set(['shared', 'account', 'connection-test', 'session']),
};

/** Whether a signed-in person of this role has any business on the route. */
export function routeAllowed(route: Route, role: Role): boolean {
  return ROLE_ROUTES[role].has(route.name);
}

/**
 * A `?next=` value that is safe to go to after signing in: a same-origin path, not the sign-in
 * or invitation page itself. Anything else is dropped (null).
 */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  let url: URL;
  try {
    url = new URL(next, 'http://vitrine.invalid');
  } catch {
    return null;
  }
  if (url.origin !== 'http://vitrine.invalid') return null;
  const route = matchRoute(url.pathname);
  if (route.name === 'signin' || route.name === 'invite' || route.name === 'home') return null;
  return url.pathname + url.search;
}

/**
 * Where to send the person instead of rendering `location`, or null to render it. `role` is
 * null when nobody is signed in.
 */
export function redirectFor(location: Location, role: Role | null): string | null {
  const route = matchRoute(location.pathname);
  if (route.name === 'invite') return null;
  if (role === null) {
    if (route.name === 'signin') return null;
    const next = route.name === 'home' ? null : safeNext(location.pathname + location.search);
    return next ? `/signin?next=${encodeURIComponent(next)}` : '/signin';
  }
  if (route.name === 'signin') {
    const next = safeNext(new URLSearchParams(location.search).get('next'));
    return next && routeAllowed(matchRoute(new URL(next, 'http://vitrine.invalid').pathname), role)
      ? next
      : defaultPath(role);
  }
  if (route.name === 'home' || !routeAllowed(route, role)) return defaultPath(role);
  return null;
}
