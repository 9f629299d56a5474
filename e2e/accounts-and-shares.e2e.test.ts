import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, waitForStreaming } from './lib/browser.ts';
import { entryAction, fileRow, trashRow, uploadRow } from './lib/files-page.ts';
import { registerInBrowser, setupAdminInBrowser } from './lib/passkeys.ts';
import { sampleFiles } from './lib/sample-files.ts';
import { startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';

let server: TestServer;
let browser: Browser;
let tmp: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-e2e-files-'));
  server = await startTestServer({}, { registerOwner: false });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('owner sets up, uploads, organises and shares; the client opens the share; revoking ends it within 5 s', async () => {
  const files = sampleFiles(tmp);

  // The setup link creates the first owner with a passkey.
  const owner = await setupAdminInBrowser(browser, server);
  const page = owner.page;
  await page.getByTestId('nav-files').click();
  const root = ownerRoot(
    server.config.storage.dir,
    ((await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()))) as { id: string }).id,
  );

  // Upload three files at once; each gets its own row with a progress bar and finishes.
  await page.getByTestId('files-upload-input').setInputFiles([files.pdf, files.png, files.mp4]);
  for (const name of ['Contract.pdf', 'Scan.png', 'Walkthrough.mp4']) {
    const upload = uploadRow(page, name);
    await expect.poll(() => upload.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    expect(await upload.getByRole('progressbar').count()).toBe(1);
    await fileRow(page, name).waitFor();
  }
  for (const f of [files.pdf, files.png, files.mp4]) {
    expect(fs.readFileSync(path.join(root, path.basename(f)))).toEqual(fs.readFileSync(f));
  }

  // A folder, a rename, a move into the folder.
  await page.getByTestId('files-new-folder').click();
  await page.getByTestId('folder-name-input').fill('Reports');
  await page.getByTestId('dialog-confirm').click();
  await fileRow(page, 'Reports').waitFor();
  await entryAction(page, 'Scan.png', 'file-rename');
  await page.getByTestId('rename-input').fill('Scan 2026.png');
  await page.getByTestId('dialog-confirm').click();
  await fileRow(page, 'Scan 2026.png').waitFor();
  await entryAction(page, 'Contract.pdf', 'file-move');
  await page.locator('[data-testid="folder-picker-item"][data-path="Reports"]').click();
  await page.getByTestId('dialog-confirm').click();
  await fileRow(page, 'Contract.pdf').waitFor({ state: 'detached' });
  expect(fs.existsSync(path.join(root, 'Reports', 'Contract.pdf'))).toBe(true);
  expect(fs.existsSync(path.join(root, 'Scan 2026.png'))).toBe(true);

  // Delete to the trash, then restore from the trash page.
  await entryAction(page, 'Walkthrough.mp4', 'file-delete');
  await fileRow(page, 'Walkthrough.mp4').waitFor({ state: 'detached' });
  expect(fs.existsSync(path.join(root, 'Walkthrough.mp4'))).toBe(false);
  await page.getByTestId('nav-trash').click();
  await trashRow(page, 'Walkthrough.mp4').getByTestId('trash-restore').click();
  await page.locator('[data-testid="trash-row"]').first().waitFor({ state: 'detached' });
  expect(fs.readFileSync(path.join(root, 'Walkthrough.mp4'))).toEqual(fs.readFileSync(files.mp4));
  await page.getByTestId('nav-files').click();
  await fileRow(page, 'Walkthrough.mp4').waitFor();

  // Share the Reports folder (view only) with a client; the dialog shows the invitation link.
  await entryAction(page, 'Reports', 'file-share');
  await page.getByTestId('share-email').fill('cleo@example.test');
  await page.getByTestId('share-label').fill('Q3 reports');
  await page.getByTestId('share-access-select').selectOption('view');
  await page.getByTestId('share-submit').click();
  const link = await page.getByTestId('share-invite-link').inputValue();
  expect(link).toMatch(/\/invite#[A-Za-z0-9_-]{43}$/);
  await page.getByTestId('share-done').click();

  // The client, in a separate browser context, registers through the invitation and opens the share.
  const client = await registerInBrowser(browser, link, { displayName: 'Cleo Client' }, { apiUrl: server.url });
  const share = client.page.getByTestId('received-share');
  await share.waitFor();
  expect(await share.textContent()).toMatch(/Q3 reports/);
  expect(await share.textContent()).toMatch(/Ada Admin/);
  await share.getByTestId('share-open').click();
  await client.page.waitForURL(/\/session\//);
  await waitForStreaming(client.page);
  await expect
    .poll(() => client.page.evaluate(() => (window as any).__vitrine.video.videoWidth as number), { timeout: 10_000 })
    .toBeGreaterThan(0);

  // The session runs with the share's policy: the Reports folder, read-only, nothing else
  // (the app opened for a share, the File Explorer, asks for everything; the share decides).
  const [record] = await server.db.selectFrom('streamed_sessions').select(['policy', 'share_id', 'app_id']).execute();
  expect(record!.share_id).not.toBeNull();
  expect(record!.app_id).toBe('file-explorer');
  expect((record!.policy as { grants: unknown[] }).grants).toEqual([
    { hostPath: path.join(root, 'Reports'), sandboxPath: '/files/Reports', access: 'read' },
  ]);

  // The owner revokes; the client's viewer says so within 5 seconds.
  await page.getByTestId('nav-shares').click();
  const shareRow = page.getByTestId('share-row').first();
  await expect.poll(() => shareRow.getAttribute('data-status')).toBe('active');
  await shareRow.getByTestId('share-revoke').click();
  await page.getByTestId('dialog-confirm').click();
  const revokedAt = Date.now();
  const message = client.page.getByTestId('viewer-message');
  await message.waitFor({ timeout: 5000 });
  expect(Date.now() - revokedAt).toBeLessThan(5000);
  expect(await message.textContent()).toMatch(/revoked/i);
  await waitFor('session ended on the server', async () => {
    const rows = await server.db.selectFrom('streamed_sessions').select(['state', 'end_reason']).execute();
    return rows.every((r) => r.state === 'ended' && r.end_reason === 'share revoked');
  });
  // The client no longer sees the share.
  await client.page.goto(`${server.publicUrl()}/shared`);
  await client.page.getByTestId('shared-empty').waitFor();
  await client.context.close();
  await owner.context.close();
});
