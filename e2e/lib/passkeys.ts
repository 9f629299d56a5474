import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../../server/test/helpers.ts';

/**
 * Gives a page a platform authenticator with user verification (Chromium's CDP virtual
 * authenticator): passkeys are created and used for real, without a person touching a key.
 */
export async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

export interface BrowserUser {
  context: BrowserContext;
  page: Page;
  /** The same sign-in for Node-side API calls (the page's HttpOnly cookie). */
  api: { url: string; cookie: string };
}

/** Opens an invitation link in a fresh browser context and registers a passkey through the UI. */
export async function registerInBrowser(
  browser: Browser,
  link: string,
  who: { displayName: string; email?: string },
  opts: { apiUrl: string; viewport?: { width: number; height: number } },
): Promise<BrowserUser> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(link);
  await page.getByTestId('invite-display-name').fill(who.displayName);
  if (who.email) await page.getByTestId('invite-email').fill(who.email);
  await page.getByTestId('invite-register').click();
  await page.getByTestId('me-name').waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'vitrine_session');
  if (!cookie) throw new Error('the browser was not signed in');
  return { context, page, api: { url: opts.apiUrl, cookie: `${cookie.name}=${cookie.value}` } };
}

/** The first (admin) owner, created in the browser through the server's setup link. */
export async function setupAdminInBrowser(
  browser: Browser,
  server: TestServer,
  viewport?: { width: number; height: number },
): Promise<BrowserUser> {
  const setup = await server.issueSetupLink();
  if (!setup) throw new Error('accounts exist already; start the server with registerOwner: false');
  return registerInBrowser(
    browser,
    setup.link,
    { displayName: 'Ada Admin', email: 'ada@example.test' },
    { apiUrl: server.url, ...(viewport ? { viewport } : {}) },
  );
}
