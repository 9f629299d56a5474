import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ApiErrorBody, SessionInfo } from '@vitrine/protocol';
import { createAppsRoot } from '../bench/lib/apps-root.ts';
import { api, startTestServer, type TestServer } from '../server/test/helpers.ts';
import { launchChromium, waitForStreaming } from './lib/browser.ts';
import { registerInBrowser, setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { shootOnFailure, shotAtBothSizes } from './lib/screenshots.ts';

/**
 * The owner chooses the app (issue 20): in the share dialog the owner picks which installed apps
 * the client may open; "Shared with me" offers the client exactly those (a button per app, or one
 * Open when there is one), and the server refuses the others.
 */
let apps: ReturnType<typeof createAppsRoot>;
let server: TestServer;
let browser: Browser;
let owner: BrowserUser;

/** Two light apps (the diagnostics pattern) under names an owner would see: Slides and Ledger. */
function twoApps() {
  const root = createAppsRoot([
    { id: 'slides', width: 1280, height: 720, fps: 5 },
    { id: 'ledger', width: 1280, height: 720, fps: 5 },
  ]);
  for (const [id, name] of [
    ['slides', 'Slides'],
    ['ledger', 'Ledger'],
  ] as const) {
    const file = path.join(root.root, id, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    // Apps for everyone, whatever the diagnostics app they are copied from says about its audience.
    delete manifest.audience;
    fs.writeFileSync(file, JSON.stringify({ ...manifest, name, description: `${name} of the deal` }, null, 2));
  }
  return root;
}

beforeAll(async () => {
  apps = twoApps();
  server = await startTestServer({ APPS_ROOT: apps.root }, { registerOwner: false });
  browser = await launchChromium();
  owner = await setupAdminInBrowser(browser, server, { width: 1440, height: 900 });
  expect((await api(owner.api, 'POST', '/api/files/folders', { path: 'Deal' })).status).toBe(201);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  apps?.remove();
});

it('offers the client only the apps the owner picked, and the server refuses the others', async () => {
  const page = owner.page;
  shootOnFailure(page, 'share-apps');
  await page.goto(`${server.publicUrl()}/shares`);
  await page.getByTestId('share-create').click();
  await page.getByTestId('share-email').fill('cleo@example.test');
  await page.getByTestId('share-label').fill('Deal room');
  await page.getByTestId('share-path-input').fill('Deal');
  // No File Explorer here: a new share starts with the first installed app (by id: Ledger).
  const slides = page.getByTestId('share-app-slides');
  const ledger = page.getByTestId('share-app-ledger');
  await slides.waitFor();
  expect([await ledger.isChecked(), await slides.isChecked()]).toEqual([true, false]);
  // Not one app: nothing to save.
  await ledger.uncheck();
  await page.getByTestId('share-submit').click();
  expect(await page.getByTestId('share-apps').textContent()).toContain('Choose at least one app.');
  await slides.check();
  await ledger.check();
  await page.getByTestId('share-apps').scrollIntoViewIfNeeded();
  await shotAtBothSizes(page, 'share-apps-dialog', { width: 1440, height: 900 });
  await page.getByTestId('share-submit').click();
  const link = await page.getByTestId('share-invite-link').inputValue();
  await page.getByTestId('share-done').click();
  const row = page.getByTestId('share-row');
  expect(await row.getByTestId('share-apps-text').textContent()).toBe('Opens in Slides, Ledger');
  await shotAtBothSizes(page, 'share-apps-list', { width: 1440, height: 900 });
  const shareId = await row.getAttribute('data-share-id');

  const client = await registerInBrowser(
    browser,
    link,
    { displayName: 'Cleo Client' },
    { apiUrl: server.url, viewport: { width: 1440, height: 900 } },
  );
  const shared = client.page;
  shootOnFailure(shared, 'share-apps');
  await shared.goto(`${server.publicUrl()}/shared`);
  const buttons = shared.getByTestId('received-share').getByTestId('share-open');
  await buttons.first().waitFor();
  expect(await buttons.evaluateAll((bs) => bs.map((b) => [b.getAttribute('data-app-id'), b.textContent]))).toEqual([
    ['slides', 'Open in Slides'],
    ['ledger', 'Open in Ledger'],
  ]);
  await shotAtBothSizes(shared, 'share-apps-client-two', { width: 1440, height: 900 });
  await shared.locator('[data-testid="share-open"][data-app-id="ledger"]').click();
  await shared.waitForURL(/\/session\//);
  await waitForStreaming(shared, 30_000);
  const sessionId = /\/session\/([^/?]+)/.exec(shared.url())![1]!;
  expect((await api<SessionInfo>(client.api, 'GET', `/api/sessions/${sessionId}`)).body.appId).toBe('ledger');
  expect((await api(client.api, 'DELETE', `/api/sessions/${sessionId}`)).status).toBe(204);

  // The owner takes Slides off: the client has one Open, for Ledger, and Slides is refused.
  await page.getByTestId('share-edit').click();
  expect(await page.getByTestId('share-app-ledger').isChecked()).toBe(true);
  await page.getByTestId('share-app-slides').uncheck();
  await page.getByTestId('share-submit').click();
  await page.getByTestId('share-dialog').waitFor({ state: 'detached' });
  expect(await row.getByTestId('share-apps-text').textContent()).toBe('Opens in Ledger');

  await shared.goto(`${server.publicUrl()}/shared`);
  await buttons.first().waitFor();
  expect(await buttons.count()).toBe(1);
  expect([await buttons.getAttribute('data-app-id'), await buttons.textContent()]).toEqual(['ledger', 'Open']);
  expect(await shared.getByTestId('share-app-name').textContent()).toBe('in Ledger');
  await shotAtBothSizes(shared, 'share-apps-client-one', { width: 1440, height: 900 });
  const refused = await api<ApiErrorBody>(client.api, 'POST', '/api/sessions', { appId: 'slides', shareId });
  expect([refused.status, refused.body.error]).toEqual([403, 'app-not-shared']);
}, 180_000);
