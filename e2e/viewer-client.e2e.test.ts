import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CreatedShare } from '@vitrine/protocol';
import { frameSignature, launchChromium, viewerState, waitForStreaming } from './lib/browser.ts';
import { registerInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { focusViewer, pressAndSettle } from './lib/remote-screen.ts';
import { api, createShare, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import { artifactPath, shootOnFailure } from './lib/screenshots.ts';

// The viewer as a client meets it: a calm header, a cover until the app's first picture, a page
// that never selects itself, a second tab that can take the session, and a server restart the
// viewer gets through by itself. Screenshots of the client's view go to /tmp/client-*.png.

let server: TestServer;
let browser: Browser;
let client: BrowserUser;
let share: CreatedShare;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  const root = ownerRoot(server.config.storage.dir, server.owner.me.id);
  fs.mkdirSync(path.join(root, 'Contracts'), { recursive: true });
  fs.writeFileSync(path.join(root, 'Contracts', 'terms.txt'), 'Terms\n'.repeat(50));
  share = await createShare(server.owner, {
    clientEmail: 'cleo@example.test',
    label: 'Q3 contracts',
    paths: [{ path: 'Contracts', access: 'view' }],
  });
  client = await registerInBrowser(
    browser,
    share.invitation.link,
    { displayName: 'Cleo' },
    { apiUrl: server.url, viewport: { width: 1920, height: 1080 } },
  );
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const sessionIdOf = (page: Page) => page.evaluate(() => (window as any).__vitrine?.sessionId as string | null);

/** What the viewer shows now: its state, the cover (if any) and how much the picture varies. */
async function sample(
  page: Page,
): Promise<{ state: string; cover: string | null; range: number | null; grid?: string }> {
  const state = await viewerState(page);
  const cover = await page
    .getByTestId('viewer-progress')
    .getAttribute('data-kind', { timeout: 100 })
    .catch(() => null);
  let range: number | null = null;
  if (state === 'streaming') {
    const sig = await frameSignature(page).catch(() => null);
    if (sig) range = Math.max(...sig) - Math.min(...sig);
    // What was on screen, for a failure's message: 18 rows of 32 cells, luma / 16 in hex.
    if (sig) {
      const grid = Array.from({ length: 18 }, (_, r) =>
        sig
          .slice(r * 32, r * 32 + 32)
          .map((v) => Math.min(15, v >> 4).toString(16))
          .join(''),
      ).join('\n');
      return { state, cover, range, grid };
    }
  }
  return { state, cover, range };
}

async function openShare(page: Page): Promise<string> {
  await page.goto(`${server.publicUrl()}/shared`);
  await page
    .locator(`[data-testid="received-share"][data-share-id="${share.share.id}"]`)
    .getByTestId('share-open')
    .click();
  await page.waitForURL(/\/session\//);
  return page.evaluate(() => location.pathname.split('/').pop()!);
}

it('covers the empty display until the app has drawn, under a header with no technical chips', async () => {
  const page = client.page;
  shootOnFailure(page, 'viewer-client');
  await openShare(page);
  // Every picture shown uncovered is the app's; the cover never takes the input.
  const seen: Array<Awaited<ReturnType<typeof sample>>> = [];
  let shotTaken = false;
  await waitFor(
    'the app shown without a cover',
    async () => {
      const s = await sample(page);
      seen.push(s);
      if (s.cover) {
        expect(await page.getByTestId('viewer-progress').evaluate((el) => getComputedStyle(el).pointerEvents)).toBe(
          'none',
        );
        if (!shotTaken && s.cover === 'opening') {
          shotTaken = true;
          await page.screenshot({ path: artifactPath('viewer-client', 'client-1920-opening') });
        }
      }
      return s.state === 'streaming' && s.cover === null;
    },
    60_000,
    50,
  );
  const timeline = seen.map((s) => `${s.state}/${s.cover ?? '-'}/${s.range ?? '-'}`).join(' ');
  expect(seen.some((s) => s.cover !== null)).toBe(true);
  for (const s of seen.filter((x) => x.state === 'streaming' && x.cover === null)) {
    expect(s.range, `an uncovered picture shows the app, not a blank display: ${timeline}\n${s.grid}`).toBeGreaterThan(
      30,
    );
  }
  for (const s of seen.filter((x) => x.range !== null && x.range < 10)) expect(s.cover, timeline).not.toBeNull();
  console.log(
    `viewer: ${seen.filter((s) => s.state === 'streaming' && s.cover).length} samples streaming under the cover`,
  );

  // The header: what is open and End; no codec, no round trip, no state word.
  const header = await page.locator('header').first().innerText();
  expect(header).toContain('Q3 contracts');
  expect(header).toContain('File Explorer');
  expect(header).not.toMatch(/H\.?264|VP8|\d+\s*ms\b|error|streaming|codec/i);
  expect(await page.getByTestId('network-quality').count()).toBe(0);
  await page.screenshot({ path: artifactPath('viewer-client', 'client-1920-streaming') });
  // The numbers are one click away.
  await page.getByTestId('connection-info').click();
  const details = page.getByTestId('connection-details');
  await details.waitFor();
  // Its figures come with the next stats sample (seen still "–" right after opening, under load).
  await expect.poll(() => details.innerText(), { timeout: 10_000 }).toMatch(/H264|VP8/);
  await page.screenshot({ path: artifactPath('viewer-client', 'client-1920-details') });
  await page.keyboard.press('Escape');
  await details.waitFor({ state: 'detached' });
}, 120_000);

it('never selects or searches the page itself: select-all and find go to the app', async () => {
  const page = client.page;
  await waitForStreaming(page);
  // Which keydowns the page let act (its own default): recorded after dispatch.
  await page.evaluate(() => {
    (window as any).__keysActed = [];
    window.addEventListener(
      'keydown',
      (e) => setTimeout(() => !e.defaultPrevented && (window as any).__keysActed.push(e.key)),
      true,
    );
  });
  await focusViewer(page);
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+f');
  expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');
  // Focus on nothing (a click on the header's empty middle): the keys still go to the app.
  const bar = (await page.locator('header').first().boundingBox())!;
  await page.mouse.click(bar.x + bar.width / 2, bar.y + bar.height / 2);
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
  await page.keyboard.press('Control+a');
  expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');
  expect(await page.evaluate(() => (window as any).__keysActed as string[])).toEqual([]);
  // The explorer's filter opens on "/": proof the key reached the app.
  await pressAndSettle(page, '/');
  await pressAndSettle(page, 'Escape');
  expect(
    await page
      .locator('header')
      .first()
      .evaluate((el) => getComputedStyle(el).userSelect),
  ).toBe('none');
}, 60_000);

it('a second tab offers "Use here"; taking over tells the first tab, which can take it back', async () => {
  const first = client.page;
  const id = (await sessionIdOf(first))!;
  const second = await client.context.newPage();
  await second.setViewportSize({ width: 1440, height: 900 });
  const problems: string[] = [];
  second.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  second.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  onTestFailed(async () => {
    console.log('second tab:', problems.join('\n'));
    await first.screenshot({ path: artifactPath('viewer-client', 'dbg-viewer-client-tab1') });
    await second.screenshot({ path: artifactPath('viewer-client', 'dbg-viewer-client-tab2') });
  });
  await second.goto(`${server.publicUrl()}/session/${id}`);
  const busy = second.getByTestId('viewer-message');
  await busy.waitFor({ timeout: 60_000 });
  expect(await busy.getAttribute('data-kind')).toBe('already-viewed');
  expect(await busy.innerText()).toMatch(/open in another tab/i);
  await second.screenshot({ path: artifactPath('viewer-client', 'client-1440-already-open') });
  expect(await viewerState(first)).toBe('streaming');

  await second.getByTestId('use-here').click();
  await waitForStreaming(second, 30_000);
  const told = first.getByTestId('viewer-message');
  await told.waitFor();
  expect(await told.getAttribute('data-kind')).toBe('taken-over');
  expect(await told.innerText()).toMatch(/opened in another tab/i);
  expect(await first.getByTestId('use-here').isVisible()).toBe(true);
  await first.screenshot({ path: artifactPath('viewer-client', 'client-1920-taken-over') });
  // The takeover is on the trail as its own action.
  await server.audit.flush();
  const trail = await api<{ events: Array<{ action: string; actor: { id: string | null } }> }>(
    server.owner,
    'GET',
    `/api/audit?session=${id}&action=session.take-over`,
  );
  expect(trail.body.events).toHaveLength(1);

  await first.getByTestId('use-here').click();
  await waitForStreaming(first, 30_000);
  await second.getByTestId('viewer-message').waitFor();
  expect(await second.getByTestId('viewer-message').getAttribute('data-kind')).toBe('taken-over');
  await second.close();
}, 90_000);

it('rejoins by itself when the connection to the server drops', async () => {
  const page = client.page;
  const id = (await sessionIdOf(page))!;
  await waitForStreaming(page);
  // A dropped connection as the browser sees it: the socket gone without a close handshake.
  const sockets = (server.app as unknown as { websocketServer: { clients: Set<{ terminate(): void }> } })
    .websocketServer.clients;
  expect(sockets.size).toBeGreaterThanOrEqual(1);
  for (const s of sockets) s.terminate();
  await waitFor('the viewer to notice', async () => (await viewerState(page)) !== 'streaming', 10_000);
  await waitForStreaming(page, 30_000);
  expect(await sessionIdOf(page)).toBe(id);
  expect(await page.getByTestId('viewer-message').count()).toBe(0);
}, 60_000);

it('says the server is restarting and opens the app again when it is back, without a click', async () => {
  const page = client.page;
  await page.setViewportSize({ width: 1440, height: 900 });
  const id = (await sessionIdOf(page))!;
  await waitForStreaming(page);
  shootOnFailure(page, 'viewer-client');
  server = await server.restart({
    between: async () => {
      const cover = page.getByTestId('viewer-progress');
      await waitFor('the restart said', async () => (await cover.getAttribute('data-kind')) === 'restarting', 10_000);
      expect(await cover.innerText()).toMatch(/server is restarting/i);
      expect(await page.getByTestId('viewer-message').count()).toBe(0);
      await page.screenshot({ path: artifactPath('viewer-client', 'client-1440-restarting') });
      // Still saying so while the server stays away a moment.
      await page.waitForTimeout(1500);
      expect(await cover.getAttribute('data-kind')).toBe('restarting');
    },
  });
  // The session did not survive; the same share's app is opened again, in a new session.
  await page.waitForURL((url) => url.pathname.startsWith('/session/') && !url.pathname.endsWith(id), {
    timeout: 60_000,
  });
  await waitForStreaming(page, 60_000);
  expect(await page.getByTestId('viewer-notice').innerText()).toMatch(/server restarted/i);
  const newId = (await sessionIdOf(page))!;
  expect(newId).not.toBe(id);
  const old = await api<{ state: string; endReason?: string }>(client.api, 'GET', `/api/sessions/${id}`);
  expect(old.body).toMatchObject({ state: 'ended' });
  expect(old.body.endReason).toMatch(/server (shutdown|crash)/);
  const reopened = await api<{ shareId: string | null; appId: string }>(client.api, 'GET', `/api/sessions/${newId}`);
  expect(reopened.body).toMatchObject({ shareId: share.share.id, appId: 'file-explorer' });
  await page.getByTestId('viewer-progress').waitFor({ state: 'detached', timeout: 60_000 });
  await page.screenshot({ path: artifactPath('viewer-client', 'client-1440-reopened') });
  await page.getByTestId('end-session').click();
  await page.getByTestId('viewer-message').waitFor();
}, 180_000);
