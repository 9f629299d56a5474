import type { Ceremony, Me } from '@vitrine/protocol';
import { SoftwareAuthenticator } from './passkey-authenticator.ts';

/** Someone signed in over HTTP: the base URL, their cookie and their passkey. */
export interface TestUser {
  url: string;
  cookie: string;
  me: Me;
  authenticator: SoftwareAuthenticator;
}

export type Target = string | { url: string; cookie?: string };

export async function call<T = unknown>(
  target: Target,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const base = typeof target === 'string' ? target : target.url;
  const cookie = typeof target === 'string' ? undefined : target.cookie;
  const res = await fetch(base + url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** The sign-in cookie a response set, as a request `cookie` header value. */
export function cookieFrom(headers: Headers): string {
  const set = headers.getSetCookie().find((c) => c.includes('vitrine_session='));
  if (!set) throw new Error('no sign-in cookie was set');
  return set.split(';')[0]!;
}

/** The token of an invitation link (`…/invite#<token>`). */
export function tokenOf(link: string): string {
  return new URL(link).hash.slice(1);
}

/** Registers a new account through an invitation link with a fresh software passkey. */
export async function register(
  url: string,
  origin: string,
  link: string,
  who: { displayName: string; email?: string },
): Promise<TestUser> {
  const authenticator = new SoftwareAuthenticator({ origin });
  const opts = await call<Ceremony>(url, 'POST', '/api/auth/register/options', { token: tokenOf(link), ...who });
  if (opts.status !== 200) throw new Error(`register/options: ${opts.status} ${JSON.stringify(opts.body)}`);
  const response = authenticator.register(opts.body.options);
  const done = await call<Me>(url, 'POST', '/api/auth/register/verify', { ceremonyId: opts.body.ceremonyId, response });
  if (done.status !== 201) throw new Error(`register/verify: ${done.status} ${JSON.stringify(done.body)}`);
  return { url, cookie: cookieFrom(done.headers), me: done.body, authenticator };
}

/** Signs in again with a user's passkey (a new cookie, a new sign-in), optionally at another server. */
export async function signIn(user: TestUser, at?: { url: string; origin: string }): Promise<TestUser> {
  const url = at?.url ?? user.url;
  const opts = await call<Ceremony>(url, 'POST', '/api/auth/login/options', {});
  const response = user.authenticator.authenticate(opts.body.options, at ? { origin: at.origin } : {});
  const done = await call<Me>(url, 'POST', '/api/auth/login/verify', { ceremonyId: opts.body.ceremonyId, response });
  if (done.status !== 200) throw new Error(`login/verify: ${done.status} ${JSON.stringify(done.body)}`);
  return { ...user, url, cookie: cookieFrom(done.headers), me: done.body };
}
