import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CreatedShare } from '@vitrine/protocol';
import { launchChromium, waitForStreaming } from './lib/browser.ts';
import { registerInBrowser, setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { api, createShare, startTestServer, type TestServer } from '../server/test/helpers.ts';

// No page may scroll sideways at 1280 px and wider: every page an owner, a client or a visitor
// can reach is loaded at each width with long names in its data, and the document's width compared
// with the window's.
const WIDTHS = [1280, 1440, 1920];
const LONG = 'Quarterly statement of account for the estate of the late Professor Bartholomew Featherstonehaugh';

let server: TestServer;
let browser: Browser;
let owner: BrowserUser;
let client: BrowserUser;
let share: CreatedShare;

beforeAll(async () => {
  server = await startTestServer({}, { registerOwner: false });
  browser = await launchChromium();
  owner = await setupAdminInBrowser(browser, server);
  const ownerApi = owner.api;
  await api(ownerApi, 'POST', '/api/files/folders', { path: LONG });
  await api(ownerApi, 'POST', '/api/files/folders', { path: `${LONG}/${LONG} (correspondence)` });
  share = await createShare(ownerApi, {
    clientEmail: 'a.very.long.address.for.a.client.of.the.firm@example.test',
    label: LONG,
    paths: [{ path: LONG, access: 'view' }],
  });
  client = await registerInBrowser(
    browser,
    share.invitation.link,
    { displayName: 'Maximilian Alexander Montgomery-Wolfeschlegelstein' },
    { apiUrl: server.url },
  );
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}

/** Loads a page at each width and waits until its content is there (a heading or a table). */
async function checkWidths(page: Page, url: string, ready: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(url);
    await page.locator(ready).first().waitFor();
    // Fonts and data settle after the first paint; measure once the network is quiet.
    await page.waitForLoadState('networkidle');
    const m = await overflow(page);
    expect(m.scrollWidth, `${url} at ${width} px`).toBeLessThanOrEqual(m.innerWidth);
  }
}

it('no owner page scrolls sideways at 1280 px and wider', async () => {
  const base = server.publicUrl();
  const pages: Array<[string, string]> = [
    ['/files', '[data-testid="file-row"]'],
    [`/files/${encodeURIComponent(LONG)}`, '[data-testid="file-row"]'],
    ['/trash', 'main'],
    ['/shares', '[data-testid="share-row"], main'],
    [`/shares/${share.share.id}`, 'main'],
    ['/apps', 'main'],
    ['/audit', 'main'],
    ['/account', 'main'],
    ['/connection-test', 'main'],
  ];
  for (const [url, ready] of pages) await checkWidths(owner.page, base + url, ready);
}, 180_000);

it('no client or visitor page scrolls sideways at 1280 px and wider', async () => {
  const base = server.publicUrl();
  for (const [url, ready] of [
    ['/shared', '[data-testid="received-share"]'],
    ['/account', 'main'],
    ['/connection-test', 'main'],
  ] as const) {
    await checkWidths(client.page, base + url, ready);
  }
  // The viewer: a long share label in its header, at the narrowest width.
  await client.page.setViewportSize({ width: 1280, height: 800 });
  await client.page.goto(`${base}/shared`);
  await client.page.getByTestId('share-open').first().click();
  await client.page.waitForURL(/\/session\//);
  await waitForStreaming(client.page);
  const viewer = await overflow(client.page);
  expect(viewer.scrollWidth, 'the viewer at 1280 px').toBeLessThanOrEqual(viewer.innerWidth);
  await client.page.getByTestId('end-session').click();
  const visitor = await browser.newPage();
  try {
    await checkWidths(visitor, `${base}/signin`, 'button');
    await checkWidths(visitor, share.invitation.link, 'button');
  } finally {
    await visitor.close();
  }
}, 120_000);
