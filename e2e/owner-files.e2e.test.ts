import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it, onTestFailed } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AuditEvent, TrashItem } from '@vitrine/protocol';
import { launchChromium } from './lib/browser.ts';
import {
  dragOnto,
  entryAction as entryActionOn,
  fileRow,
  trashRow,
  uploadFiles,
  uploadRow as uploadRowOf,
} from './lib/files-page.ts';
import { setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { writePdf, writePng } from './lib/sample-files.ts';
import { api, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';

// The owner's Files and Trash pages at 1440x900, as an owner uses them: replacing and keeping
// both on upload, previews, moving by dragging and by browsing folders, names as they are, sizes
// in KiB, and pages that fit the window. Screenshots (1440x900, 1920x1080): kept in
// VITRINE_SCREENSHOTS when it is set, to look at.
let server: TestServer;
let browser: Browser;
let owner: BrowserUser;
let page: Page;
let root: string;
let tmp: string;
const keepShots = process.env.VITRINE_SCREENSHOTS;
const shots = keepShots ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-owner-files-'));
if (keepShots) fs.mkdirSync(keepShots, { recursive: true });

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-e2e-owner-files-'));
  server = await startTestServer({}, { registerOwner: false });
  browser = await launchChromium();
  owner = await setupAdminInBrowser(browser, server, { width: 1440, height: 900 });
  page = owner.page;
  const me = (await api<{ id: string }>(owner.api, 'GET', '/api/auth/me')).body;
  root = ownerRoot(server.config.storage.dir, me.id);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  if (keepShots) console.log(`owner-files: screenshots in ${shots}`);
  else fs.rmSync(shots, { recursive: true, force: true });
});
beforeEach(async (ctx) => {
  onTestFailed(async () => {
    await page.screenshot({ path: path.join(shots, `failed-${ctx.task.name.slice(0, 40)}.png`) }).catch(() => {});
  });
  // Each test starts from an empty storage and trash, at 1440x900, with no uploads listed.
  await page.setViewportSize({ width: 1440, height: 900 });
  // (The storage root is made on first use.)
  await api(owner.api, 'GET', '/api/files?path=');
  for (const name of fs.readdirSync(root)) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  const trash = (await api<TrashItem[]>(owner.api, 'GET', '/api/trash')).body;
  for (const item of trash) await api(owner.api, 'DELETE', `/api/trash/${item.id}`);
  await page.goto(`${server.publicUrl()}/files`);
  await page.getByTestId('breadcrumb').waitFor();
});

const row = (name: string) => fileRow(page, name);
const uploadRow = (name: string) => uploadRowOf(page, name);
const onDisk = (rel: string) => path.join(root, rel);
const entryAction = (name: string, action: string) => entryActionOn(page, name, action);
const upload = (...files: { name: string; body: string | Buffer }[]) => uploadFiles(page, ...files);

async function uploadState(name: string): Promise<string | null> {
  return uploadRow(name).last().getAttribute('data-state');
}

async function shoot(name: string): Promise<void> {
  // Dialogs fade in: the picture is of where they settle.
  await page.screenshot({ path: path.join(shots, `${name}.png`), animations: 'disabled' });
}

/** The page is no wider than the window: nothing sticks out to the right. */
async function horizontalOverflow(): Promise<{ scrollWidth: number; innerWidth: number; widest: string[] }> {
  return page.evaluate(() => {
    const widest = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName}.${String(e.className).slice(0, 40)} "${(e.textContent ?? '').slice(0, 30)}"`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, widest };
  });
}

it('Replace asks first and keeps the old version in the Trash, restorable; Keep both saves "name (2).ext"', async () => {
  await upload({ name: 'plan.txt', body: 'version one' });
  await expect.poll(() => uploadState('plan.txt')).toBe('done');
  await row('plan.txt').waitFor();

  // The same name again: refused, with Replace and Keep both.
  await upload({ name: 'plan.txt', body: 'version two!' });
  await expect.poll(() => uploadState('plan.txt')).toBe('failed');
  const conflict = uploadRow('plan.txt').last();
  expect(await conflict.getByTestId('upload-error').textContent()).toMatch(/A file called “.*” is already in/);
  // Replace asks before anything happens to the file.
  await conflict.getByTestId('upload-replace').click();
  await page.getByTestId('replace-explanation').waitFor();
  expect(await page.getByTestId('replace-explanation').textContent()).toMatch(/goes to the Trash/);
  await shoot('replace-confirm-1440x900');
  expect(fs.readFileSync(onDisk('plan.txt'), 'utf8')).toBe('version one');
  await page.getByTestId('dialog-cancel').click();
  expect(await uploadState('plan.txt')).toBe('failed');
  expect(fs.readFileSync(onDisk('plan.txt'), 'utf8')).toBe('version one');
  await conflict.getByTestId('upload-replace').click();
  await page.getByTestId('dialog-confirm').click();
  await expect.poll(() => uploadState('plan.txt')).toBe('done');
  expect(await conflict.getByTestId('upload-status').textContent()).toMatch(/Replaced · old version in Trash/);
  expect(fs.readFileSync(onDisk('plan.txt'), 'utf8')).toBe('version two!');

  // Keep both: stored as "photo (2).png", the first one untouched.
  await upload({ name: 'photo.png', body: 'first photo' });
  await expect.poll(() => uploadState('photo.png')).toBe('done');
  await upload({ name: 'photo.png', body: 'second photo' });
  await expect.poll(() => uploadState('photo.png')).toBe('failed');
  await uploadRow('photo.png').last().getByTestId('upload-keep-both').click();
  await expect.poll(() => uploadState('photo.png')).toBe('done');
  expect(await uploadRow('photo.png').last().getByTestId('upload-status').textContent()).toMatch(
    /Saved as “photo \(2\)\.png”/,
  );
  await row('photo (2).png').waitFor();
  expect(fs.readFileSync(onDisk('photo.png'), 'utf8')).toBe('first photo');
  expect(fs.readFileSync(onDisk('photo (2).png'), 'utf8')).toBe('second photo');
  await shoot('uploads-done-1440x900');

  // The replaced version is in the Trash, marked so; restoring puts it beside the newer one.
  await page.getByTestId('nav-trash').click();
  const replaced = trashRow(page, 'plan.txt');
  await replaced.waitFor();
  expect(await replaced.getAttribute('data-reason')).toBe('replaced');
  expect(await replaced.getByTestId('trash-reason').textContent()).toBe('Replaced');
  await shoot('trash-replaced-1440x900');
  await replaced.getByTestId('trash-restore').click();
  await replaced.waitFor({ state: 'detached' });
  await waitFor('the restored version', async () => fs.existsSync(onDisk('plan (2).txt')));
  expect(fs.readFileSync(onDisk('plan (2).txt'), 'utf8')).toBe('version one');
  expect(fs.readFileSync(onDisk('plan.txt'), 'utf8')).toBe('version two!');
  expect(await page.getByText('Restored as /plan (2).txt').count()).toBe(1);

  // The trail says the old version went to the trash (and which item), and where both were kept.
  await server.audit.flush();
  const trail = (await api<{ events: AuditEvent[] }>(owner.api, 'GET', '/api/audit?order=asc&limit=500')).body.events;
  const uploads = trail.filter((e) => e.action === 'file.upload' && e.outcome === 'ok');
  const replace = uploads.find((e) => e.detail.conflict === 'replace')!;
  expect(replace.target.path).toBe('plan.txt');
  expect(replace.detail.replaced).toMatchObject({ size: 11 });
  const kept = uploads.find((e) => e.detail.conflict === 'keep-both')!;
  expect(kept).toMatchObject({ target: { path: 'photo (2).png' }, detail: { requestedPath: 'photo.png' } });
  const restore = trail.find((e) => e.action === 'file.restore')!;
  expect(restore.target).toMatchObject({
    id: (replace.detail.replaced as { trashItemId: string }).trashItemId,
    path: 'plan (2).txt',
  });
});

it('moves by dragging rows onto a folder or a breadcrumb, several at once, and by browsing to a nested folder', async () => {
  fs.mkdirSync(onDisk('Projects/Archive/2024'), { recursive: true });
  fs.mkdirSync(onDisk('Inbox'));
  for (const name of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) fs.writeFileSync(onDisk(name), name);
  await page.reload();
  await row('a.txt').waitFor();

  // One row onto a folder row, which shows it takes it while the row is over it.
  await dragOnto(page, row('a.txt'), row('Inbox'), () => shoot('drag-onto-folder-1440x900'));
  await row('a.txt').waitFor({ state: 'detached' });
  expect(fs.readFileSync(onDisk('Inbox/a.txt'), 'utf8')).toBe('a.txt');

  // Two selected rows move together, dragged by either.
  await row('b.txt').getByTestId('file-select').check();
  await row('c.txt').getByTestId('file-select').check();
  expect(await page.getByTestId('selection-count').textContent()).toBe('2 selected');
  await shoot('selection-1440x900');
  await row('c.txt').dragTo(row('Projects'));
  await row('b.txt').waitFor({ state: 'detached' });
  await row('c.txt').waitFor({ state: 'detached' });
  expect(fs.existsSync(onDisk('Projects/b.txt')) && fs.existsSync(onDisk('Projects/c.txt'))).toBe(true);
  expect(fs.existsSync(onDisk('d.txt'))).toBe(true);

  // Onto a breadcrumb segment: back up to All files.
  await row('Projects').click();
  await row('b.txt').waitFor();
  await row('b.txt').dragTo(page.locator('[data-testid="breadcrumb-folder"][data-path=""]'));
  await row('b.txt').waitFor({ state: 'detached' });
  expect(fs.existsSync(onDisk('b.txt'))).toBe(true);

  // A selection holding a folder is not taken by that folder: nothing goes into itself.
  fs.mkdirSync(onDisk('Projects/Notes'));
  await page.getByTestId('files-new-folder').waitFor();
  await page.reload();
  await row('Notes').getByTestId('file-select').check();
  await row('Archive').getByTestId('file-select').check();
  await row('Notes').dragTo(row('Archive'));
  expect(fs.existsSync(onDisk('Projects/Notes')) && fs.existsSync(onDisk('Projects/Archive/2024'))).toBe(true);
  expect(fs.existsSync(onDisk('Projects/Archive/Notes'))).toBe(false);
  await page.getByTestId('selection-clear').click();

  // Move… browses folders: into Projects/Archive/2024, which the old path field did not suggest.
  await entryAction('c.txt', 'file-move');
  const picker = page.getByTestId('folder-picker');
  await picker.locator('[data-testid="folder-picker-item"][data-path="Projects/Archive"]').click();
  await picker.locator('[data-testid="folder-picker-item"][data-path="Projects/Archive/2024"]').click();
  await expect.poll(() => picker.getAttribute('data-path')).toBe('Projects/Archive/2024');
  await shoot('move-picker-1440x900');
  await page.getByTestId('dialog-confirm').click();
  await row('c.txt').waitFor({ state: 'detached' });
  expect(fs.readFileSync(onDisk('Projects/Archive/2024/c.txt'), 'utf8')).toBe('c.txt');

  // A folder cannot be moved into itself: its own entry cannot be opened in the picker.
  await entryAction('Archive', 'file-move');
  const self = picker.locator('[data-testid="folder-picker-item"][data-path="Projects/Archive"]');
  await picker.locator('[data-testid="folder-picker-crumb"][data-path=""]').click();
  await picker.locator('[data-testid="folder-picker-item"][data-path="Projects"]').click();
  expect(await self.getAttribute('aria-disabled')).toBe('true');
  expect(await page.getByTestId('dialog-confirm').isDisabled()).toBe(true); // already in Projects
  // A new folder made in the picker is opened, and the move goes there.
  await page.getByTestId('folder-picker-new').click();
  await page.getByTestId('folder-picker-new-name').fill('Old');
  await page.getByTestId('folder-picker-create').click();
  await expect.poll(() => picker.getAttribute('data-path')).toBe('Projects/Old');
  await page.getByTestId('dialog-confirm').click();
  await row('Archive').waitFor({ state: 'detached' });
  expect(fs.existsSync(onDisk('Projects/Old/Archive/2024/c.txt'))).toBe(true);
});

it('a click on a file opens its preview: picture, PDF, text, or a card; see it as the client will', async () => {
  writePng(onDisk('Scan.png'), 320, 200);
  writePdf(onDisk('Contract.pdf'), 'Hello from the contract');
  fs.writeFileSync(onDisk('notes.txt'), 'Meeting notes\n  - indented line\n');
  fs.writeFileSync(onDisk('letter.docx'), Buffer.alloc(5000, 7));
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (frame|display)/i.test(m.text())) violations.push(m.text());
  });
  await page.reload();
  await row('Scan.png').waitFor();

  // Every type has its own icon.
  const sorts = await page
    .locator('[data-testid="file-row"]')
    .evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-name'), r.querySelector('svg[data-sort]')?.getAttribute('data-sort')]),
    );
  expect(Object.fromEntries(sorts)).toEqual({
    'Contract.pdf': 'pdf',
    'Scan.png': 'image',
    'letter.docx': 'document',
    'notes.txt': 'text',
  });

  const preview = page.getByTestId('file-preview');
  await row('Scan.png').click();
  await preview.waitFor();
  expect(await preview.getAttribute('data-mode')).toBe('image');
  await expect
    .poll(() => page.getByTestId('preview-image').evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBe(320);
  expect(await page.getByTestId('file-preview-name').textContent()).toBe('Scan.png');
  expect(await page.getByTestId('preview-as-client').textContent()).toBe('See it as the client will');
  await shoot('preview-image-1440x900');
  await page.getByTestId('preview-close').click();
  await preview.waitFor({ state: 'detached' });

  await row('notes.txt').click();
  await expect.poll(() => page.getByTestId('preview-text').textContent()).toBe('Meeting notes\n  - indented line\n');
  await page.keyboard.press('Escape');
  await preview.waitFor({ state: 'detached' });

  // The PDF is shown by the browser's own viewer, framed from the owner's content route.
  await row('Contract.pdf').click();
  const pdf = page.getByTestId('preview-pdf');
  await pdf.waitFor();
  await waitFor('the PDF viewer in the frame', async () =>
    page.frames().some((f) => f.url().startsWith('chrome-extension://')),
  );
  const framed = page.frames().find((f) => f.url().includes('/api/files/content'));
  expect(framed?.url()).toContain('disposition=inline');
  // The viewer has read the document: its title and its one page's thumbnail.
  const viewer = page.frames().find((f) => f.url().startsWith('chrome-extension://'))!;
  await viewer.locator('viewer-thumbnail').first().waitFor({ timeout: 15_000 });
  expect(await viewer.locator('#title').first().textContent()).toBe('Contract.pdf');
  await page.waitForTimeout(500);
  await shoot('preview-pdf-1440x900');
  expect(violations).toEqual([]);
  // Owners' pages may frame this site's previews; clients' pages frame nothing.
  const cspOf = async (p: string) => (await fetch(`${server.url}${p}`)).headers.get('content-security-policy') ?? '';
  expect(await cspOf('/files')).toContain("frame-src 'self'");
  for (const p of ['/shared', '/session/x']) expect(await cspOf(p)).toContain("frame-src 'none'");
  await page.keyboard.press('Escape');
  await preview.waitFor({ state: 'detached' });

  await row('letter.docx').click();
  await page.getByTestId('preview-card').waitFor();
  expect(await page.getByTestId('preview-card').textContent()).toMatch(/DOCX document · 4\.9 KiB/);
  expect(await page.getByTestId('preview-card-download').getAttribute('href')).toBe(
    '/api/files/content?path=letter.docx',
  );
  await shoot('preview-card-1440x900');

  // As the client will see it: a streamed session of the file.
  await page.getByTestId('preview-as-client').click();
  await page.waitForURL(/\/session\//, { timeout: 20_000 });
  const sessions = (await api<{ id: string; state: string }[]>(owner.api, 'GET', '/api/sessions')).body;
  await Promise.all(sessions.map((s) => api(owner.api, 'DELETE', `/api/sessions/${s.id}`)));
});

it('names keep their spaces and are cut with "…", sizes are in KiB, Rename selects the name without its extension', async () => {
  fs.writeFileSync(onDisk(' leading space.txt'), 'x'.repeat(3000));
  fs.writeFileSync(onDisk('report.final.pdf'), 'pdf');
  const long = `${'A very long name that goes on and on '.repeat(5).trim()}.pdf`;
  fs.writeFileSync(onDisk(long), 'long');
  await page.reload();
  await row(' leading space.txt').waitFor();

  // " leading space.txt" is shown with its space (and is not "leading space.txt").
  const spaced = row(' leading space.txt').getByTestId('file-name');
  expect(await spaced.evaluate((el: HTMLElement) => el.innerText)).toBe(' leading space.txt');
  expect(await spaced.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('pre');
  expect(await row(' leading space.txt').getByTestId('file-size').textContent()).toBe('2.9 KiB');
  expect(await page.getByTestId('usage').textContent()).toMatch(/KiB of \d+(\.\d)? GiB used/);

  // A long name is cut with an ellipsis; the whole name is in its title.
  const longName = row(long).getByTestId('file-name');
  const cut = await longName.evaluate((el) => ({
    overflow: el.scrollWidth > el.clientWidth,
    ellipsis: getComputedStyle(el).textOverflow,
    title: el.getAttribute('title'),
  }));
  expect(cut).toEqual({ overflow: true, ellipsis: 'ellipsis', title: long });

  // Rename selects "report.final", not ".pdf".
  await entryAction('report.final.pdf', 'file-rename');
  const input = page.getByTestId('rename-input');
  await expect
    .poll(() => input.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd]))
    .toEqual([0, 'report.final'.length]);
  await page.keyboard.type('summary');
  await page.getByTestId('dialog-confirm').click();
  await row('summary.pdf').waitFor();
  // Renaming a name with a leading space and leaving it as it is changes nothing.
  await entryAction(' leading space.txt', 'file-rename');
  await page.getByTestId('dialog-confirm').click();
  await page.getByTestId('rename-input').waitFor({ state: 'detached' });
  expect(fs.existsSync(onDisk(' leading space.txt'))).toBe(true);
  // A folder whose name starts with a space opens (and shows its name as it is).
  fs.mkdirSync(onDisk(' Old stuff'));
  fs.writeFileSync(onDisk(' Old stuff/kept.txt'), 'kept');
  await page.reload();
  await row(' Old stuff').click();
  await row('kept.txt').waitFor();
  expect(
    await page.locator('[data-testid="breadcrumb"] [aria-current="page"]').evaluate((el: HTMLElement) => el.innerText),
  ).toBe(' Old stuff');
  await page.locator('[data-testid="breadcrumb-folder"][data-path=""]').click();
  // It moves (dragged) with its name intact.
  fs.mkdirSync(onDisk('Box'));
  await page.getByTestId('files-new-folder').waitFor();
  await page.reload();
  await row(' leading space.txt').dragTo(row('Box'));
  await row(' leading space.txt').waitFor({ state: 'detached' });
  expect(fs.existsSync(onDisk('Box/ leading space.txt'))).toBe(true);
});

it('the upload list says what is done and what is left, with overall progress', async () => {
  // Uploads held by the test and let through one at a time: the list is seen between them.
  const held: (() => Promise<void>)[] = [];
  await page.route('**/api/files/content?**', async (route) => {
    if (route.request().method() !== 'PUT') return route.continue();
    await new Promise<void>((release) => held.push(async () => release()));
    await route.continue();
  });
  const summary = page.getByTestId('upload-summary');
  const overall = async () => Number(await page.getByTestId('upload-overall').getAttribute('aria-valuenow'));
  const done = () => page.locator('[data-testid="upload-row"][data-state="done"]').count();
  try {
    await upload(...Array.from({ length: 11 }, (_, i) => ({ name: `part-${i + 1}.bin`, body: Buffer.alloc(4096, i) })));
    // Three at a time: the first three are on their way, none done.
    await expect.poll(() => held.length).toBe(3);
    expect(await summary.textContent()).toBe('Uploading 1–3 of 11');
    await held.shift()!();
    await expect.poll(done).toBe(1);
    await expect.poll(() => summary.textContent()).toBe('Uploading 2–4 of 11');
    expect(await overall()).toBeGreaterThan(0);
    expect(await overall()).toBeLessThan(100);
    await shoot('uploading-1440x900');
    // Let all but the last through: "Uploading 11 of 11" is the last one, with ten done.
    for (let finished = 1; finished < 10; finished++) {
      await expect.poll(() => held.length).toBeGreaterThan(0);
      await held.shift()!();
      await expect.poll(done).toBe(finished + 1);
    }
    await expect.poll(() => summary.textContent()).toBe('Uploading 11 of 11');
    await expect.poll(() => held.length).toBe(1);
    await held.shift()!();
  } finally {
    for (const release of held.splice(0)) await release();
    await page.unroute('**/api/files/content?**');
  }
  await expect.poll(() => summary.textContent()).toBe('Uploaded 11 of 11');
  expect(await overall()).toBe(100);
  await row('part-11.bin').waitFor();
});

it('Files and Trash fit the window at 1280, 1440 and 1920 pixels wide', async () => {
  fs.mkdirSync(onDisk('Quarterly reports and everything that goes with them, for the board'), { recursive: true });
  // A deep folder whose every name is long: the breadcrumb shortens its names rather than widen the page.
  const deep = Array.from({ length: 7 }, (_, i) => `Level ${i + 1} of a folder tree with rather long names`).join('/');
  fs.mkdirSync(onDisk(deep), { recursive: true });
  fs.writeFileSync(onDisk(`${deep}/inside.txt`), 'deep');
  for (const name of [
    `${'Contract with an extremely long descriptive name '.repeat(4).trim()}.pdf`,
    'budget.xlsx',
    'deck.pptx',
    'photos.zip',
    'clip.mp4',
    'song.mp3',
    'data.csv',
    ' leading space.txt',
  ]) {
    fs.writeFileSync(onDisk(name), name.repeat(40));
  }
  // Something in the Trash, a replaced version among it.
  await api(owner.api, 'DELETE', `/api/files?path=${encodeURIComponent('deck.pptx')}`);
  await page.reload();
  await upload({ name: 'budget.xlsx', body: 'new budget' });
  await expect.poll(() => uploadState('budget.xlsx')).toBe('failed');
  await uploadRow('budget.xlsx').getByTestId('upload-replace').click();
  await page.getByTestId('dialog-confirm').click();
  await expect.poll(() => uploadState('budget.xlsx')).toBe('done');

  for (const [width, height] of [
    [1280, 800],
    [1440, 900],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.goto(`${server.publicUrl()}/files`);
    await row('budget.xlsx').waitFor();
    // An upload with a long name is listed above the folder too.
    const uploaded = `${'An upload with a name longer than any window is wide '.repeat(4).trim()} ${width}.txt`;
    await upload({ name: uploaded, body: 'u' });
    await expect.poll(() => uploadState(uploaded)).toBe('done');
    await row(uploaded).waitFor();
    const files = await horizontalOverflow();
    expect(files.scrollWidth, `Files at ${width}: ${files.widest.join(', ')}`).toBeLessThanOrEqual(files.innerWidth);
    if (width !== 1280) await shoot(`files-${width}x${height}`);
    await page.goto(`${server.publicUrl()}/files?path=${encodeURIComponent(deep)}`);
    await row('inside.txt').waitFor();
    const deepFiles = await horizontalOverflow();
    expect(deepFiles.scrollWidth, `a deep folder at ${width}: ${deepFiles.widest.join(', ')}`).toBeLessThanOrEqual(
      deepFiles.innerWidth,
    );
    if (width === 1440) await shoot(`files-deep-${width}x${height}`);
    await page.getByTestId('nav-trash').click();
    await page.locator('[data-testid="trash-row"]').first().waitFor();
    const trash = await horizontalOverflow();
    expect(trash.scrollWidth, `Trash at ${width}: ${trash.widest.join(', ')}`).toBeLessThanOrEqual(trash.innerWidth);
    if (width !== 1280) await shoot(`trash-${width}x${height}`);
  }
});
