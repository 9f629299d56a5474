/**
 * The invitation link in Chromium: opening the server as http://127.0.0.1:PORT lands on PUBLIC_URL;
 * Copy puts the link on the clipboard on an owner's page (its Permissions-Policy allows writing),
 * and where the page's policy refuses the clipboard the link is selected instead; "Send by e-mail"
 * reaches a local SMTP server.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { CLIPBOARD_ORIGIN, clipboardText, launchChromium } from './lib/browser.ts';
import { setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { api, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';

let server: TestServer;
let browser: Browser;
let smtp: SMTPServer;
let owner: BrowserUser;
const mails: string[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('latin1'));
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  server = await startTestServer(
    {
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      MAIL_FROM: 'vitrine@example.test',
    },
    { registerOwner: false },
  );
  browser = await launchChromium();
  owner = await setupAdminInBrowser(browser, server);
  expect((await api(owner.api, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

/** E2E_SHOTS=<folder> keeps pictures of the dialogs and the list, to look at. */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env.E2E_SHOTS) await page.screenshot({ path: `${process.env.E2E_SHOTS}/${name}.png`, fullPage: true });
}

/** Creates a share for `email` from the Shares page; returns the link the dialog shows. */
async function createShare(page: Page, email: string): Promise<string> {
  await page.getByTestId('share-create').click();
  await page.getByTestId('share-email').fill(email);
  await page.getByTestId('share-path-input').fill('Reports');
  await page.getByTestId('share-submit').click();
  const link = await page.getByTestId('share-invite-link').inputValue();
  expect(link).toMatch(/\/invite#[A-Za-z0-9_-]{43}$/);
  return link;
}

it('redirects a browser that opened 127.0.0.1 to PUBLIC_URL, where it is signed in', async () => {
  const page = owner.page;
  await page.goto(`${server.url}/shares`);
  expect(page.url()).toBe(`${server.publicUrl()}/shares`);
  await page.getByTestId('share-create').waitFor();
});

it('copies the invitation link to the clipboard, and e-mails it to the client', async () => {
  await owner.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: CLIPBOARD_ORIGIN });
  await owner.context.grantPermissions(['clipboard-write'], { origin: server.publicUrl() });
  const page = owner.page;
  await page.goto(`${server.publicUrl()}/shares`);
  const link = await createShare(page, 'cleo@example.test');
  await page.getByTestId('share-copy-link').click();
  await expect.poll(() => page.getByTestId('share-copy-link').textContent()).toMatch(/Copied/);
  await page.bringToFront();
  expect(await clipboardText(owner.context)).toBe(link);

  await page.getByTestId('share-send-email').click();
  await page.getByTestId('share-email-sent').waitFor();
  expect(await page.getByTestId('share-email-sent').textContent()).toContain('cleo@example.test');
  const mail = await waitFor('the e-mail', () => mails.find((m) => /^to: cleo@example\.test/im.test(m)));
  // Quoted-printable may fold the line; the link is whole once the soft breaks are gone.
  expect(mail.replace(/=\r?\n/g, '')).toContain(link);
  await shot(page, 'share-created');
  await page.getByTestId('share-done').click();
});

it('selects the link for the keyboard where the page may not touch the clipboard', async () => {
  // A document loaded at a client's path (/shared) keeps its locked policy after the app moves
  // the owner on to their own pages: Copy is refused there, and falls back to selecting the link.
  const page = owner.page;
  await page.goto(`${server.publicUrl()}/shared`);
  await page.waitForURL(/\/files/);
  await page.getByTestId('nav-shares').click();
  const link = await createShare(page, 'dora@example.test');
  await page.getByTestId('share-copy-link').click();
  await page.getByTestId('share-copy-select').waitFor();
  expect(await page.getByTestId('share-copy-link').textContent()).toMatch(/^Copy$/);
  const selected = await page.getByTestId('share-invite-link').evaluate((el) => {
    const input = el as HTMLInputElement;
    return document.activeElement === input
      ? input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0)
      : '';
  });
  expect(selected).toBe(link);
  await shot(page, 'copy-refused');
  await page.getByTestId('share-done').click();
});

it('shares a revoked share again from a prefilled dialog, and archives the old one out of the list', async () => {
  const page = owner.page;
  await page.goto(`${server.publicUrl()}/shares`);
  const oldId = await page
    .locator('[data-testid="share-row"]', { hasText: 'cleo@example.test' })
    .getAttribute('data-share-id');
  const old = page.locator(`[data-testid="share-row"][data-share-id="${oldId}"]`);
  await old.getByTestId('share-revoke').click();
  await page.getByTestId('dialog-confirm').click();
  await expect.poll(() => old.getAttribute('data-status')).toBe('revoked');

  await old.getByTestId('share-again').click();
  expect(await page.locator('#share-dialog-title').textContent()).toBe('Share again');
  expect(await page.getByTestId('share-email').inputValue()).toBe('cleo@example.test');
  expect(await page.getByTestId('share-email').isDisabled()).toBe(true);
  expect(await page.getByTestId('share-path-input').inputValue()).toBe('Reports');
  await page.getByTestId('share-submit').click();
  const link = await page.getByTestId('share-invite-link').inputValue();
  expect(link).toMatch(/\/invite#[A-Za-z0-9_-]{43}$/);
  await page.getByTestId('share-done').click();
  const rows = page.locator('[data-testid="share-row"]', { hasText: 'cleo@example.test' });
  await expect.poll(() => rows.count()).toBe(2);

  await old.getByTestId('share-archive').click();
  await old.waitFor({ state: 'detached' });
  await expect.poll(() => rows.count()).toBe(1);
  await page.getByTestId('shares-show-archived').check();
  await old.waitFor();
  expect(await old.getAttribute('data-archived')).toBe('true');
  await old.getByTestId('share-archived').waitFor();
  await shot(page, 'shares-archived');
});
