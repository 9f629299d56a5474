import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CLIPBOARD_ORIGIN, clipboardText, launchChromium, viewerState, waitForStreaming } from './lib/browser.ts';
import { dragOnto, entryAction, fileRow, trashRow, uploadFiles, uploadRow } from './lib/files-page.ts';
import { registerInBrowser, setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { findColour, focusViewer, openByName, shownSize, waitForStill } from './lib/remote-screen.ts';
import { writePdf, writePng, writeTextPdf } from './lib/sample-files.ts';
import { grabFrame, readAs, readDocument, stampsByQuarter, type Frame } from './lib/screen-text.ts';
import { api, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';

// The whole way, with real parts: a lawyer (the owner, at 1440x900) sets up Vitrine with a
// passkey, uploads and organises a case's files, shares the case folder with her client and sends
// the link; the client (at 1920x1080) signs up from it, reads the statement in the streamed File
// Explorer through the watermark, gets through a server restart without a click, and is cut off
// when the share is revoked. A picture of each step is kept in test-artifacts/journey/.

const ARTIFACTS = path.join(import.meta.dirname, '..', 'test-artifacts', 'journey');
const OWNER_SIZE = { width: 1440, height: 900 };
const CLIENT_SIZE = { width: 1920, height: 1080 };
const CASE = 'Dupont v. Acme';
const STATEMENT_PDF = 'Statement of claim.pdf';
const EXHIBIT = 'Exhibit A - site photo.png';
const NOTES = 'Meeting notes.txt';
const STATEMENT = [
  'Statement of claim in the matter of Dupont against Acme Building Ltd',
  'The claimant engaged the defendant on 14 March 2024 to renovate',
  'the roof of her house at 12 Rue des Lilas for a fixed price.',
  'The works were to be finished by 30 June 2024 under clause 4.',
  'The defendant stopped work on 2 May 2024 and left the roof open.',
  'Rain damaged the ceilings, the floors and the furniture below.',
  'The claimant paid 18400 euros in advance and asks for its return,',
  'the cost of repairs of 9750 euros, and interest from 1 July 2024.',
  'A photograph of the site is attached to this statement as Exhibit A.',
  'Signed for the claimant by her counsel on 3 February 2025.',
];

let server: TestServer;
let browser: Browser;
let tmp: string;
let shot = 0;

beforeAll(async () => {
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-journey-'));
  server = await startTestServer({}, { registerOwner: false });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A picture of what the person sees now, numbered in the journey's order. */
async function screenshot(page: Page, step: string): Promise<void> {
  const file = path.join(ARTIFACTS, `${String(++shot).padStart(2, '0')}-${step}.png`);
  // Dialogs fade in: the picture is of where they settle.
  await page.screenshot({ path: file, animations: 'disabled' });
}

/** The frame the client's browser decoded, kept beside the screenshots (the last one's number). */
function decodedFrame(page: Page, name: string): Promise<Frame> {
  return grabFrame(page, path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-decoded-${name}.png`));
}

/** Runs one step of the journey, saying how long it took. */
const timings: string[] = [];
async function step(name: string, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  await body();
  timings.push(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

it('an owner sets up, uploads, organises and shares a case; her client reads it through a restart until it is revoked', async () => {
  let owner!: BrowserUser;
  let client!: BrowserUser;
  let link = '';
  let sessionId = '';
  let root = '';
  const onDisk = (rel: string) => path.join(root, rel);
  onTestFailed(async () => {
    console.log(`journey: ${timings.join(', ')}`);
    if (owner) await owner.page.screenshot({ path: path.join(ARTIFACTS, 'failed-owner.png') }).catch(() => {});
    if (client) await client.page.screenshot({ path: path.join(ARTIFACTS, 'failed-client.png') }).catch(() => {});
  });

  await step('1. the owner registers a passkey from the setup link', async () => {
    owner = await setupAdminInBrowser(browser, server, OWNER_SIZE);
    const page = owner.page;
    expect(await page.getByTestId('me-name').textContent()).toContain('Ada Admin');
    const me = (await api<{ id: string; role: string; admin: boolean }>(owner.api, 'GET', '/api/auth/me')).body;
    expect(me).toMatchObject({ role: 'owner', admin: true });
    root = ownerRoot(server.config.storage.dir, me.id);
    await page.getByTestId('nav-files').click();
    await page.getByTestId('breadcrumb').waitFor();
    await screenshot(page, 'owner-signed-up-files');
  });

  await step(
    '2. uploads with progress, a folder, moves by drag and by picker, replace keeping the old version',
    async () => {
      const page = owner.page;
      const statementPdf = path.join(tmp, STATEMENT_PDF);
      writeTextPdf(statementPdf, STATEMENT, 12);
      const photo = path.join(tmp, 'photo.png');
      writePng(photo, 640, 400);
      const fees = path.join(tmp, 'fees.pdf');
      writePdf(fees, 'Fee agreement');
      const files = [
        { name: STATEMENT_PDF, body: fs.readFileSync(statementPdf) },
        { name: EXHIBIT, body: fs.readFileSync(photo) },
        { name: NOTES, body: 'Call with Mrs Dupont, 20 January: wants the roof repaired first.\n' },
        { name: 'Fee agreement.pdf', body: fs.readFileSync(fees) },
      ];

      // The uploads are held on their way, so their progress is seen: three at a time, one let through.
      const held: Array<() => void> = [];
      const route = '**/api/files/content?**';
      let holding = true;
      await page.route(route, async (r) => {
        if (holding && r.request().method() === 'PUT') await new Promise<void>((release) => held.push(release));
        await r.continue();
      });
      const summary = page.getByTestId('upload-summary');
      const overall = async () => Number(await page.getByTestId('upload-overall').getAttribute('aria-valuenow'));
      const done = () => page.locator('[data-testid="upload-row"][data-state="done"]').count();
      try {
        await uploadFiles(page, ...files);
        await waitFor('three uploads on their way', () => held.length === 3);
        expect(await summary.textContent()).toBe('Uploading 1–3 of 4');
        held.shift()!();
        await expect.poll(done).toBe(1);
        await expect.poll(() => summary.textContent()).toBe('Uploading 2–4 of 4');
        expect(await overall()).toBeGreaterThan(0);
        expect(await overall()).toBeLessThan(100);
        for (const f of files) expect(await uploadRow(page, f.name).getByRole('progressbar').count()).toBe(1);
        // (The folder shows a finished upload a moment later: the picture is of both.)
        await fileRow(page, STATEMENT_PDF).waitFor();
        await screenshot(page, 'owner-uploading');
      } finally {
        holding = false;
        for (const release of held.splice(0)) release();
      }
      await expect.poll(done).toBe(files.length);
      await page.unroute(route);
      await expect.poll(() => summary.textContent()).toBe('Uploaded 4 of 4');
      expect(await overall()).toBe(100);
      for (const f of files) {
        expect(await uploadRow(page, f.name).getAttribute('data-state')).toBe('done');
        await fileRow(page, f.name).waitFor();
        expect(fs.readFileSync(onDisk(f.name))).toEqual(Buffer.from(f.body));
      }

      // The case folder, and the statement dragged onto its row.
      await page.getByTestId('files-new-folder').click();
      await page.getByTestId('folder-name-input').fill(CASE);
      await page.getByTestId('dialog-confirm').click();
      await fileRow(page, CASE).waitFor();
      await dragOnto(page, fileRow(page, STATEMENT_PDF), fileRow(page, CASE), () =>
        screenshot(page, 'owner-drag-onto-folder'),
      );
      await fileRow(page, STATEMENT_PDF).waitFor({ state: 'detached' });
      expect(fs.existsSync(onDisk(`${CASE}/${STATEMENT_PDF}`))).toBe(true);

      // A subfolder for the evidence, then the photo moved there by browsing folders.
      await fileRow(page, CASE).click();
      await fileRow(page, STATEMENT_PDF).waitFor();
      await page.getByTestId('files-new-folder').click();
      await page.getByTestId('folder-name-input').fill('Evidence');
      await page.getByTestId('dialog-confirm').click();
      await fileRow(page, 'Evidence').waitFor();
      await page.locator('[data-testid="breadcrumb-folder"][data-path=""]').click();
      await fileRow(page, EXHIBIT).waitFor();
      await entryAction(page, EXHIBIT, 'file-move');
      const picker = page.getByTestId('folder-picker');
      await picker.locator(`[data-testid="folder-picker-item"][data-path="${CASE}"]`).click();
      await picker.locator(`[data-testid="folder-picker-item"][data-path="${CASE}/Evidence"]`).click();
      await expect.poll(() => picker.getAttribute('data-path')).toBe(`${CASE}/Evidence`);
      await screenshot(page, 'owner-move-picker');
      await page.getByTestId('dialog-confirm').click();
      await fileRow(page, EXHIBIT).waitFor({ state: 'detached' });
      expect(fs.existsSync(onDisk(`${CASE}/Evidence/${EXHIBIT}`))).toBe(true);

      // Newer notes under the same name: refused first, then Replace, which keeps the old version.
      const newer = 'Call with Mrs Dupont, 20 January: wants the roof repaired first, then the ceilings.\n';
      await uploadFiles(page, { name: NOTES, body: newer });
      const conflict = uploadRow(page, NOTES).last();
      await expect.poll(() => conflict.getAttribute('data-state')).toBe('failed');
      expect(await conflict.getByTestId('upload-error').textContent()).toMatch(/A file called “.*” is already in/);
      await conflict.getByTestId('upload-replace').click();
      await page.getByTestId('replace-explanation').waitFor();
      expect(await page.getByTestId('replace-explanation').textContent()).toMatch(/goes to the Trash/);
      await screenshot(page, 'owner-replace-confirm');
      await page.getByTestId('dialog-confirm').click();
      await expect.poll(() => conflict.getAttribute('data-state')).toBe('done');
      expect(await conflict.getByTestId('upload-status').textContent()).toMatch(/Replaced · old version in Trash/);
      expect(fs.readFileSync(onDisk(NOTES), 'utf8')).toBe(newer);
      await page.getByTestId('nav-trash').click();
      const replaced = trashRow(page, NOTES);
      await replaced.waitFor();
      expect(await replaced.getAttribute('data-reason')).toBe('replaced');
      expect(await replaced.getByTestId('trash-reason').textContent()).toBe('Replaced');
      await screenshot(page, 'owner-trash-replaced');
    },
  );

  await step('3. the owner shares the case folder and copies the link', async () => {
    const page = owner.page;
    await owner.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: CLIPBOARD_ORIGIN });
    await owner.context.grantPermissions(['clipboard-write'], { origin: server.publicUrl() });
    await page.getByTestId('nav-files').click();
    await fileRow(page, CASE).waitFor();
    await entryAction(page, CASE, 'file-share');
    // The folder is filled in, the watermark is on: only the client's address and a label to give.
    expect(await page.getByTestId('share-path-input').inputValue()).toBe(CASE);
    expect(await page.getByTestId('share-access-select').inputValue()).toBe('view');
    expect(await page.getByTestId('share-watermark').isChecked()).toBe(true);
    await page.getByTestId('share-email').fill('claire.dupont@example.test');
    await page.getByTestId('share-label').fill('Dupont v. Acme, statement of claim');
    await screenshot(page, 'owner-share-dialog');
    await page.getByTestId('share-submit').click();
    expect(await page.getByTestId('share-created-text').textContent()).toMatch(
      /ready for claire\.dupont@example\.test.*sign up with a passkey/,
    );
    await page.getByTestId('share-copy-link').click();
    await expect.poll(() => page.getByTestId('share-copy-link').textContent()).toMatch(/Copied/);
    await screenshot(page, 'owner-share-created-copied');
    const shown = await page.getByTestId('share-invite-link').inputValue();
    link = await clipboardText(owner.context);
    expect(link).toBe(shown);
    expect(link).toMatch(/\/invite#[A-Za-z0-9_-]{43}$/);
    await page.bringToFront();
    await page.getByTestId('share-done').click();
  });

  await step('4. the client signs up from the link, opens the share and reads the statement', async () => {
    client = await registerInBrowser(
      browser,
      link,
      { displayName: 'Claire Dupont' },
      { apiUrl: server.url, viewport: CLIENT_SIZE },
    );
    const page = client.page;
    if (!page.url().endsWith('/shared')) await page.goto(`${server.publicUrl()}/shared`);
    const card = page.getByTestId('received-share');
    await card.waitFor();
    expect(await card.textContent()).toMatch(/Dupont v\. Acme, statement of claim/);
    expect(await card.getByTestId('received-share-owner').textContent()).toMatch(/Shared by Ada Admin/);
    expect(await card.textContent()).toMatch(/watermark with your e-mail address/);
    await screenshot(page, 'client-shared-with-me');

    // Opening: a cover says so until the File Explorer has drawn; then the folder is there.
    await card.getByTestId('share-open').click();
    await page.waitForURL(/\/session\//);
    const cover = page.getByTestId('viewer-progress');
    const covers = new Set<string>();
    await waitFor(
      'the app shown without a cover',
      async () => {
        const kind = await cover.getAttribute('data-kind', { timeout: 100 }).catch(() => null);
        // A picture of each thing the cover says (connecting, opening the app).
        if (kind && !covers.has(kind)) {
          covers.add(kind);
          await screenshot(page, `client-cover-${kind}`);
        }
        return (await viewerState(page)) === 'streaming' && kind === null;
      },
      60_000,
      50,
    );
    expect(covers.size).toBeGreaterThan(0);
    sessionId = await page.evaluate(() => (window as any).__vitrine.sessionId as string);
    const claims = () => server.sessions.claimsOf(sessionId);
    await waitFor(
      'the case folder listed',
      () => claims().some((c) => c.kind === 'folder-opened' && c.path === `/files/${CASE}`),
      30_000,
    );
    const header = await page.locator('header').first().innerText();
    expect(header).toContain('Dupont v. Acme, statement of claim');
    expect(header).toContain('File Explorer');
    await waitForStill(page);
    await screenshot(page, 'client-streaming-folder');

    // The watermark (default settings): OCR finds this session in each quarter of the decoded picture.
    const folderFrame = await decodedFrame(page, 'folder');
    expect([folderFrame.width, folderFrame.height]).toEqual(Object.values(await shownSize(page)));
    const session = (read: string) => readAs(read, sessionId.slice(0, 8), 2);
    const quarters = stampsByQuarter(folderFrame, { enlarge: [2, 3, 4], enough: session });
    quarters.forEach((read, i) =>
      expect(session(read), `session ${sessionId.slice(0, 8)} in quarter ${i + 1}: ${read}`).toBe(true),
    );

    // The statement, opened from the list (filter, Enter), shown as wide as the viewer.
    await focusViewer(page);
    await openByName(page, 'statement');
    await waitFor(
      'the statement opened',
      () => claims().some((c) => c.kind === 'file-opened' && c.path === `/files/${CASE}/${STATEMENT_PDF}`),
      15_000,
    );
    const { width, height } = await shownSize(page);
    const sheet = await waitFor('the page drawn', async () => {
      // The white page, right of the thumbnails and below the viewer's bar.
      const r = await findColour(page, [255, 255, 255], 12, [200, Math.round(height * 0.2), width, height]);
      return r.share > 0.3 ? r : null;
    });
    // At "fit width" the page spans the area right of the thumbnails; at "fit page" about 40 %.
    expect(sheet.width / width).toBeGreaterThan(0.75);
    await waitForStill(page);
    await screenshot(page, 'client-statement-pdf');
    // Every line legible through the watermark: OCR recovers at least 99 % of its characters.
    const pdfFrame = await decodedFrame(page, 'statement');
    const read = readDocument(pdfFrame.file, STATEMENT, 1);
    console.log(`journey: OCR recovered ${read.recovered}/${read.total} characters of the statement`);
    expect(read.recovered / read.total, read.read).toBeGreaterThanOrEqual(0.99);
  });

  await step('5. the server restarts; the viewer says so and streams again without a click', async () => {
    const page = client.page;
    const cover = page.getByTestId('viewer-progress');
    server = await server.restart({
      between: async () => {
        await waitFor('the restart said', async () => (await cover.getAttribute('data-kind')) === 'restarting', 10_000);
        expect(await cover.innerText()).toMatch(/server is restarting/i);
        expect(await page.getByTestId('viewer-message').count()).toBe(0);
        await screenshot(page, 'client-server-restarting');
      },
    });
    await page.waitForURL((url) => url.pathname.startsWith('/session/') && !url.pathname.endsWith(sessionId), {
      timeout: 60_000,
    });
    await waitForStreaming(page, 60_000);
    await cover.waitFor({ state: 'detached', timeout: 60_000 });
    expect(await page.getByTestId('viewer-notice').innerText()).toMatch(/server restarted/i);
    const reopened = await page.evaluate(() => (window as any).__vitrine.sessionId as string);
    expect(reopened).not.toBe(sessionId);
    sessionId = reopened;
    await waitFor(
      'the case folder listed again',
      () => server.sessions.claimsOf(sessionId).some((c) => c.kind === 'folder-opened' && c.path === `/files/${CASE}`),
      30_000,
    );
    await waitForStill(page);
    await screenshot(page, 'client-reopened-after-restart');
  });

  await step('6. the owner revokes the share; the client’s session ends within 5 s', async () => {
    const page = owner.page;
    await page.getByTestId('nav-shares').click();
    const row = page.getByTestId('share-row').first();
    await expect.poll(() => row.getAttribute('data-status')).toBe('active');
    await expect.poll(() => row.getByTestId('share-live-sessions').count(), { timeout: 10_000 }).toBe(1);
    await screenshot(page, 'owner-shares-live');
    await row.getByTestId('share-revoke').click();
    await page.getByTestId('dialog-confirm').waitFor();
    await screenshot(page, 'owner-revoke-confirm');
    await page.getByTestId('dialog-confirm').click();
    const revokedAt = Date.now();
    const message = client.page.getByTestId('viewer-message');
    await message.waitFor({ timeout: 5000 });
    expect(Date.now() - revokedAt).toBeLessThan(5000);
    expect(await message.innerText()).toMatch(/The owner revoked this share, so the session ended/);
    expect(await viewerState(client.page)).not.toBe('streaming');
    await screenshot(client.page, 'client-share-revoked');
    await expect.poll(() => row.getAttribute('data-status')).toBe('revoked');
    await screenshot(page, 'owner-share-revoked');
  });
  console.log(`journey: ${timings.join(', ')}`);
}, 240_000);
