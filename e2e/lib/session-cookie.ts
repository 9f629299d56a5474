import type { BrowserContext } from 'playwright-core';

/**
 * Signs a browser context in as `user` with the session cookie their API client holds (signing in
 * itself is proven by the passkey tests, not repeated by every test and benchmark). Returns the
 * cookie's name.
 */
export async function addSessionCookie(
  context: BrowserContext,
  user: { cookie: string },
  url: string,
): Promise<string> {
  const [name, value] = user.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url, httpOnly: true, sameSite: 'Strict' }]);
  return name;
}
