import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './lib/browser.ts';
import { setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { openByName, pressAndSettle } from './lib/remote-screen.ts';
import { writeColourPdf } from './lib/sample-files.ts';
import { inviteClient, openShare } from './lib/shared-session.ts';
import { api, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';

// The owner's reading report, end to end: a client reads pages of a PDF in the File Explorer for
// times the test measures, hides the tab for a while, goes back to the list; the owner's "What was
// read" page shows those pages with those times (within 10 %), nothing for the hidden time, and
// exports the same as CSV. Screenshots of the page go to test-artifacts/reading/.

const SHOTS = path.resolve('test-artifacts/reading');
let server: TestServer;
let browser: Browser;
let owner: BrowserUser;
let client: BrowserUser;
let tmp: string;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-reading-'));
  server = await startTestServer({}, { registerOwner: false });
  browser = await launchChromium();
  owner = await setupAdminInBrowser(browser, server, { width: 1440, height: 900 });
  expect((await api(owner.api, 'POST', '/api/files/folders', { path: 'Deal' })).status).toBe(201);
  writeColourPdf(path.join(tmp, 'Contract.pdf'), 4);
  const put = await fetch(`${server.url}/api/files/content?path=${encodeURIComponent('Deal/Contract.pdf')}`, {
    method: 'PUT',
    headers: { cookie: owner.api.cookie, 'content-type': 'application/octet-stream' },
    body: fs.readFileSync(path.join(tmp, 'Contract.pdf')),
  });
  expect(put.status).toBe(201);
  ({ client } = await inviteClient(browser, server, {
    folder: 'Deal',
    name: 'Cleo',
    email: 'cleo@example.test',
    owner: owner.api,
  }));
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('shows the owner which pages the client read and for how long, without the time the tab was hidden', async () => {
  const page = client.page;
  onTestFailed(async () => {
    await page.screenshot({ path: path.join(SHOTS, 'failed-client.png') });
    await owner.page.screenshot({ path: path.join(SHOTS, 'failed-owner.png') });
  });
  // The viewer's tab can be hidden on demand: headless Chromium never hides a tab by itself, so the
  // test stands in for the browser's own visibility (the viewer reads document.visibilityState).
  await page.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
    (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden = (h) => {
      hidden = h;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
  const setHidden = (hidden: boolean) =>
    page.evaluate((h) => (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden(h), hidden);

  const { sessionId, claimed } = await openShare(server, page, 'Deal');

  // Page 1, then page 2 (visible, hidden, visible again), then back to the list.
  await openByName(page, 'Contract');
  await claimed('page 1 shown', (c) => c.kind === 'page-viewed' && c.page === 1 && c.pages === 4);
  const page1From = Date.now();
  await new Promise((r) => setTimeout(r, 15_000));
  await pressAndSettle(page, 'PageDown');
  const page1 = (Date.now() - page1From) / 1000;
  const page2From = Date.now();
  await claimed('page 2 shown', (c) => c.kind === 'page-viewed' && c.page === 2);
  await new Promise((r) => setTimeout(r, 8_000));
  await setHidden(true);
  const hiddenFrom = Date.now();
  await new Promise((r) => setTimeout(r, 10_000));
  await setHidden(false);
  const hidden = (Date.now() - hiddenFrom) / 1000;
  await new Promise((r) => setTimeout(r, 6_000));
  await pressAndSettle(page, 'Escape');
  const page2 = (Date.now() - page2From) / 1000 - hidden;
  await claimed('back to the list', (c) => c.kind === 'file-closed');
  await new Promise((r) => setTimeout(r, 5_000)); // the list: nobody reads the contract now
  await page.getByTestId('end-session').click();
  await waitFor('the session ended', async () => (server.sessions.userOf(sessionId) ? null : true), 20_000);

  // The owner's page, at two sizes.
  const op = owner.page;
  await op.goto(`${server.publicUrl()}/shares`);
  await op.getByTestId('share-reading').click();
  await op.getByTestId('reading-document').waitFor();
  await server.audit.flush();
  await op.reload();
  const bars = op.getByTestId('reading-page-bar');
  await expect.poll(() => bars.count(), { timeout: 10_000 }).toBe(4);
  const seconds = await bars.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seconds)));
  expect(seconds[0]).toBeGreaterThan(page1 * 0.9);
  expect(seconds[0]).toBeLessThan(page1 * 1.1);
  expect(seconds[1]).toBeGreaterThan(page2 * 0.9);
  expect(seconds[1]).toBeLessThan(page2 * 1.1);
  expect(seconds.slice(2)).toEqual([0, 0]);
  const summary = await op.getByTestId('reading-summary').innerText();
  expect(summary).toMatch(/^Cleo read 2 of 4 pages of Contract\.pdf, \d+ s$/);
  await expect.poll(() => op.getByTestId('reading-claims-note').innerText()).toMatch(/claims/);
  await op.screenshot({ path: path.join(SHOTS, 'reading-1440x900.png'), fullPage: true });
  await op.setViewportSize({ width: 1920, height: 1080 });
  await op.screenshot({ path: path.join(SHOTS, 'reading-1920x1080.png'), fullPage: true });
  const width = await op.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(1920);

  // The export says the same.
  const [download] = await Promise.all([op.waitForEvent('download'), op.getByTestId('reading-export').click()]);
  const csv = fs
    .readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\r\n');
  expect(csv[0]).toMatch(/^client_name,client_email,document,page,seconds_on_screen/);
  const pageLine = (n: number) => csv.find((l) => l.startsWith(`Cleo,cleo@example.test,Deal/Contract.pdf,${n},`));
  expect(Number(pageLine(1)!.split(',')[4])).toBeCloseTo(seconds[0]!, 0);
  expect(Number(pageLine(2)!.split(',')[4])).toBeCloseTo(seconds[1]!, 0);
}, 180_000);
