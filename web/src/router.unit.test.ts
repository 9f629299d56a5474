import { describe, expect, it } from 'vitest';
import { defaultPath, matchRoute, redirectFor, routeAllowed, safeNext, sessionPath } from './router.ts';

const at = (pathname: string, search = '') => ({ pathname, search });

describe('router', () => {
  it('matches the viewer route', () => {
    expect(matchRoute('/session/abc-123')).toEqual({ name: 'session', sessionId: 'abc-123' });
    expect(matchRoute('/session/abc/')).toEqual({ name: 'session', sessionId: 'abc' });
    // `/` and anything unknown fall back to home (redirected by role).
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/session/')).toEqual({ name: 'home' });
    expect(matchRoute('/session/%E0%A4%A')).toEqual({ name: 'home' });
  });

  it('builds viewer paths', () => {
    expect(sessionPath('x y')).toBe('/session/x%20y');
    expect(sessionPath('x', 'vp8')).toBe('/session/x?codec=vp8');
  });

  it('matches the account and storage pages', () => {
    for (const name of [
      'signin',
      'invite',
      'files',
      'trash',
      'shares',
      'shared',
      'apps',
      'audit',
      'account',
    ] as const) {
      expect(matchRoute(`/${name}`)).toEqual({ name });
      expect(matchRoute(`/${name}/`)).toEqual({ name });
    }
    // Pages that keep state in their path.
    expect(matchRoute('/files/a/b c')).toEqual({ name: 'files' });
    expect(matchRoute('/shares/0b7c')).toEqual({ name: 'shares' });
    // Exact pages do not.
    expect(matchRoute('/apps/x')).toEqual({ name: 'home' });
    expect(matchRoute('/account/x')).toEqual({ name: 'home' });
    expect(matchRoute('/audit/x')).toEqual({ name: 'home' });
    expect(matchRoute('/invite/abc')).toEqual({ name: 'home' });
    expect(matchRoute('/filesystem')).toEqual({ name: 'home' });
    expect(matchRoute('/Files')).toEqual({ name: 'home' });
    expect(matchRoute('/nope')).toEqual({ name: 'home' });
  });

  it('knows what each role may see and where it lands', () => {
    expect(defaultPath('owner')).toBe('/files');
    expect(defaultPath('client')).toBe('/shared');
    for (const name of ['files', 'trash', 'shares', 'apps', 'audit', 'account'] as const) {
      expect(routeAllowed({ name }, 'owner')).toBe(true);
    }
    expect(routeAllowed({ name: 'shared' }, 'owner')).toBe(false);
    expect(routeAllowed({ name: 'shared' }, 'client')).toBe(true);
    expect(routeAllowed({ name: 'account' }, 'client')).toBe(true);
    expect(routeAllowed({ name: 'session', sessionId: 'x' }, 'client')).toBe(true);
    for (const name of ['files', 'trash', 'shares', 'apps', 'audit'] as const) {
      expect(routeAllowed({ name }, 'client')).toBe(false);
    }
  });

  it('accepts only same-origin app paths as next', () => {
    expect(safeNext('/files?path=a')).toBe('/files?path=a');
    expect(safeNext('/session/abc?codec=vp8')).toBe('/session/abc?codec=vp8');
    expect(safeNext(null)).toBeNull();
    expect(safeNext('')).toBeNull();
    expect(safeNext('files')).toBeNull();
    expect(safeNext('//evil.example/files')).toBeNull();
    expect(safeNext('/\\evil.example')).toBeNull();
    expect(safeNext('https://evil.example/files')).toBeNull();
    expect(safeNext('/signin?next=/files')).toBeNull();
    expect(safeNext('/invite')).toBeNull();
    expect(safeNext('/')).toBeNull();
  });

  it('sends signed-out people to sign in, keeping where they were going', () => {
    expect(redirectFor(at('/'), null)).toBe('/signin');
    expect(redirectFor(at('/nope'), null)).toBe('/signin');
    expect(redirectFor(at('/files', '?path=a%2Fb'), null)).toBe(
      `/signin?next=${encodeURIComponent('/files?path=a%2Fb')}`,
    );
    expect(redirectFor(at('/session/s1', '?codec=h264'), null)).toBe(
      `/signin?next=${encodeURIComponent('/session/s1?codec=h264')}`,
    );
    expect(redirectFor(at('/signin'), null)).toBeNull();
    expect(redirectFor(at('/invite'), null)).toBeNull();
  });

  it('redirects signed-in people by role', () => {
    expect(redirectFor(at('/'), 'owner')).toBe('/files');
    expect(redirectFor(at('/'), 'client')).toBe('/shared');
    expect(redirectFor(at('/nope'), 'client')).toBe('/shared');
    expect(redirectFor(at('/files'), 'owner')).toBeNull();
    expect(redirectFor(at('/apps'), 'owner')).toBeNull();
    expect(redirectFor(at('/files'), 'client')).toBe('/shared');
    expect(redirectFor(at('/apps'), 'client')).toBe('/shared');
    expect(redirectFor(at('/shared'), 'owner')).toBe('/files');
    expect(redirectFor(at('/account'), 'client')).toBeNull();
    expect(redirectFor(at('/session/s1'), 'client')).toBeNull();
    // The invitation page works whoever is signed in (accepting another share, or signing out).
    expect(redirectFor(at('/invite'), 'owner')).toBeNull();
    expect(redirectFor(at('/invite'), 'client')).toBeNull();
  });

  it('leaves the sign-in page for next, when next suits the role', () => {
    expect(redirectFor(at('/signin'), 'owner')).toBe('/files');
    expect(redirectFor(at('/signin', `?next=${encodeURIComponent('/trash')}`), 'owner')).toBe('/trash');
    expect(redirectFor(at('/signin', `?next=${encodeURIComponent('/trash')}`), 'client')).toBe('/shared');
    expect(redirectFor(at('/signin', `?next=${encodeURIComponent('/session/s?codec=vp8')}`), 'client')).toBe(
      '/session/s?codec=vp8',
    );
    expect(redirectFor(at('/signin', '?next=//evil.example/'), 'owner')).toBe('/files');
  });
});

it('routes the connection self-test for owners and clients alike', () => {
  expect(matchRoute('/connection-test')).toEqual({ name: 'connection-test' });
  expect(matchRoute('/connection-test/x')).toEqual({ name: 'home' });
  expect(redirectFor({ pathname: '/connection-test', search: '' }, 'client')).toBeNull();
  expect(redirectFor({ pathname: '/connection-test', search: '' }, 'owner')).toBeNull();
});

it('routes recordings and their player for owners only', () => {
  const id = '0b7c3f0e-9a55-4c1e-8f7a-2d2f6b1c9e11';
  expect(matchRoute('/recordings')).toEqual({ name: 'recordings' });
  expect(matchRoute(`/recordings/${id}`)).toEqual({ name: 'recordings' });
  expect(routeAllowed({ name: 'recordings' }, 'owner')).toBe(true);
  expect(routeAllowed({ name: 'recordings' }, 'client')).toBe(false);
  expect(redirectFor({ pathname: `/recordings/${id}`, search: '' }, 'owner')).toBeNull();
  expect(redirectFor({ pathname: `/recordings/${id}`, search: '' }, 'client')).toBe('/shared');
  expect(redirectFor({ pathname: `/recordings/${id}`, search: '' }, null)).toBe(
    `/signin?next=${encodeURIComponent(`/recordings/${id}`)}`,
  );
});
