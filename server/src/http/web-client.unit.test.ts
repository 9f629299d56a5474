import { describe, expect, it } from 'vitest';
import {
  canonicalRedirect,
  LOCKED_PERMISSIONS_POLICY,
  pageCsp,
  pagePermissionsPolicy,
  socketOrigins,
} from './web-client.ts';

const req = (host: string | undefined, url = '/files', extra: Record<string, string> = {}) => ({
  url,
  headers: { ...(host ? { host } : {}), ...extra },
});

describe('canonicalRedirect', () => {
  it('sends a page asked for under another name to the same path on PUBLIC_URL', () => {
    expect(canonicalRedirect(req('127.0.0.1:8080', '/shares?x=1'), 'http://localhost:8080', false)).toBe(
      'http://localhost:8080/shares?x=1',
    );
    expect(canonicalRedirect(req('10.0.0.5', '/'), 'https://vitrine.example.com', true)).toBe(
      'https://vitrine.example.com/',
    );
  });

  it('serves the page under PUBLIC_URL’s own name, with or without the default port, in any case', () => {
    expect(canonicalRedirect(req('localhost:8080'), 'http://localhost:8080', false)).toBeNull();
    expect(canonicalRedirect(req('LocalHost:8080'), 'http://localhost:8080', false)).toBeNull();
    expect(canonicalRedirect(req('vitrine.example.com'), 'https://vitrine.example.com', true)).toBeNull();
    expect(canonicalRedirect(req('vitrine.example.com:443'), 'https://vitrine.example.com', true)).toBeNull();
    expect(canonicalRedirect(req(undefined), 'http://localhost:8080', false)).toBeNull();
  });

  it('never redirects behind a proxy (PUBLIC_URL https on a plain-http server, or forwarding headers)', () => {
    expect(canonicalRedirect(req('127.0.0.1:8080'), 'https://vitrine.example.com', false)).toBeNull();
    expect(
      canonicalRedirect(req('127.0.0.1:8080', '/', { 'x-forwarded-host': 'a' }), 'http://localhost:8080', false),
    ).toBeNull();
    expect(
      canonicalRedirect(req('127.0.0.1:8080', '/', { forwarded: 'host=a' }), 'http://localhost:8080', false),
    ).toBeNull();
  });
});

describe('pagePermissionsPolicy', () => {
  it('locks the clipboard on the viewer and the client’s list, and allows writing it elsewhere', () => {
    for (const p of ['/session/abc', '/session/', '/shared', '/shared/x'])
      expect(pagePermissionsPolicy(p)).toBe(LOCKED_PERMISSIONS_POLICY);
    for (const p of ['/', '/shares', '/files/a', '/account', '/sessions', '/sharedx']) {
      const policy = pagePermissionsPolicy(p);
      expect(policy).toContain('clipboard-write=(self)');
      expect(policy).toContain('clipboard-read=()');
    }
    expect(LOCKED_PERMISSIONS_POLICY).toContain('clipboard-write=()');
    expect(LOCKED_PERMISSIONS_POLICY).toContain('clipboard-read=()');
  });
});

describe('page connections', () => {
  it('go back to this server only, and multi-node to the workers’ signaling sockets', () => {
    expect(pageCsp('n')).toContain("connect-src 'self';");
    const workers = socketOrigins([
      'https://w2.example.com',
      'http://198.51.100.11:8090',
      'https://w2.example.com/',
      'https://w1.example.com:8443/base',
    ]);
    expect(workers).toEqual(['ws://198.51.100.11:8090', 'wss://w1.example.com:8443', 'wss://w2.example.com']);
    expect(pageCsp('n', '/session/x', workers)).toContain(
      "connect-src 'self' ws://198.51.100.11:8090 wss://w1.example.com:8443 wss://w2.example.com;",
    );
  });
});
