/**
 * A share's oversight in Chromium (issue 17): the owner sets terms and recording in the share
 * dialog; the client reads and accepts the terms (Accept only once a name is typed and the box
 * ticked), is told the session is recorded, goes on, and the viewer streams. A new text of the
 * terms asks the client again. E2E_SHOTS=<folder> keeps pictures of both dialogs at two sizes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { waitForStreaming } from './lib/browser.ts';
import { openDiagnosticsLab, type DiagnosticsLab } from './lib/diagnostics-lab.ts';
import { shotAtBothSizes } from './lib/screenshots.ts';
import { registerInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { api, type TestServer } from '../server/test/helpers.ts';
import type { TermsAcceptances } from '@vitrine/protocol';
import { openDetail } from '../server/src/audit/sealed-detail.ts';

let lab: DiagnosticsLab;
let server: TestServer;
let browser: Browser;
let owner: BrowserUser;
let client: BrowserUser;

const TERMS = [
  'Confidentiality',
  '',
  ...Array.from(
    { length: 14 },
    (_, i) =>
      `${i + 1}. The documents in this share are confidential. You may read them for the review only; do not copy, photograph or pass on what you see.`,
  ),
].join('\n');

beforeAll(async () => {
  lab = await openDiagnosticsLab({}, { width: 1440, height: 900 });
  ({ server, browser, owner } = lab);
  expect((await api(owner.api, 'POST', '/api/files/folders', { path: 'Deal' })).status).toBe(201);
}, 90_000);
afterAll(async () => {
  await lab?.close();
});

const shot = (page: Page, name: string) => shotAtBothSizes(page, name);

/** The client opens the share from "Shared with me" and meets the terms dialog. */
async function openToTerms(page: Page) {
  await page.goto(`${server.publicUrl()}/shared`);
  await page.getByTestId('share-open').click();
  const dialog = page.getByTestId('terms-dialog');
  await dialog.waitFor();
  return dialog;
}

/** Accepting: Accept is disabled until a name is typed and the box ticked. */
async function acceptTerms(page: Page, name: string) {
  const accept = page.getByTestId('terms-accept');
  expect(await accept.isDisabled()).toBe(true);
  await page.getByTestId('terms-name').fill(name);
  expect(await accept.isDisabled()).toBe(true);
  await page.getByTestId('terms-name').fill('');
  await page.getByTestId('terms-agree').check();
  expect(await accept.isDisabled()).toBe(true);
  await page.getByTestId('terms-name').fill(name);
  expect(await accept.isDisabled()).toBe(false);
  await accept.click();
}

/** The recording notice, then Continue: the viewer streams. */
async function continueRecorded(page: Page) {
  const notice = page.getByTestId('recording-notice');
  await notice.waitFor();
  expect(await notice.textContent()).toContain(
    'This session will be recorded by Ada Admin. The recording shows everything you see and do.',
  );
  return notice;
}

it('asks the client to accept the terms, tells them the session is recorded, then streams', async () => {
  const page = owner.page;
  await page.goto(`${server.publicUrl()}/shares`);
  await page.getByTestId('share-create').click();
  await page.getByTestId('share-email').fill('cleo@example.test');
  await page.getByTestId('share-label').fill('Deal room');
  await page.getByTestId('share-path-input').fill('Deal');
  await page.getByTestId('share-recording').check();
  await page.getByTestId('share-terms').fill(TERMS);
  await page.getByTestId('share-terms').scrollIntoViewIfNeeded();
  await shot(page, 'share-form');
  await page.getByTestId('share-submit').click();
  const link = await page.getByTestId('share-invite-link').inputValue();
  await page.getByTestId('share-done').click();
  const row = page.getByTestId('share-row');
  expect(await row.getByTestId('share-oversight').textContent()).toMatch(/Sessions are recorded.*version 1/);
  await row.getByTestId('share-terms-csv').waitFor();
  await shot(page, 'share-list');

  client = await registerInBrowser(
    browser,
    link,
    { displayName: 'Cleo Client' },
    { apiUrl: server.url, viewport: { width: 1920, height: 1080 } },
  );
  const card = client.page.getByTestId('received-share');
  await card.waitFor();
  expect(await card.getByTestId('received-share-oversight').textContent()).toContain('Sessions are recorded.');

  const dialog = await openToTerms(client.page);
  expect(await client.page.getByTestId('terms-text').textContent()).toBe(TERMS);
  expect(await dialog.getByTestId('terms-changed').count()).toBe(0);
  await client.page.getByTestId('terms-name').fill('Cleo Client');
  await shot(client.page, 'terms-dialog');
  await client.page.getByTestId('terms-name').fill('');
  await acceptTerms(client.page, 'Cleo Client');

  const notice = await continueRecorded(client.page);
  await shot(client.page, 'recording-notice');
  // Cancel starts nothing; opening again goes straight to the notice (the terms are accepted).
  await client.page.getByTestId('recording-cancel').click();
  await notice.waitFor({ state: 'detached' });
  expect(client.page.url()).toMatch(/\/shared$/);
  await client.page.getByTestId('share-open').click();
  await continueRecorded(client.page);
  await client.page.getByTestId('recording-continue').click();
  await client.page.waitForURL(/\/session\//);
  await waitForStreaming(client.page);

  const accepted = await api<TermsAcceptances>(owner.api, 'GET', `/api/shares/${await shareId()}/terms/acceptances`);
  expect(accepted.body.acceptances.map((a) => [a.version, a.typedName])).toEqual([[1, 'Cleo Client']]);
  await server.audit.flush();
  const launch = await server.db
    .selectFrom('audit_events')
    .select('detail')
    .where('action', '=', 'session.launch')
    .where('outcome', '=', 'ok')
    .executeTakeFirstOrThrow();
  expect(JSON.parse(openDetail(server.columnCipher, launch.detail))).toMatchObject({ recorded: true });
}, 120_000);

it('asks again once the owner changes the text, saying the terms changed', async () => {
  const page = owner.page;
  await page.goto(`${server.publicUrl()}/shares`);
  await page.getByTestId('share-edit').click();
  await page.getByTestId('share-terms').fill(`${TERMS}\n15. Report anything you found by mistake.`);
  await page.getByTestId('share-submit').click();
  await page.getByTestId('share-dialog').waitFor({ state: 'detached' });
  expect(await page.getByTestId('share-oversight').textContent()).toContain('version 2');

  // The change ended the client's session; back on their list, the share says the terms changed.
  await client.page.goto(`${server.publicUrl()}/shared`);
  expect(await client.page.getByTestId('received-share-oversight').textContent()).toContain('terms changed');
  const dialog = await openToTerms(client.page);
  await dialog.getByTestId('terms-changed').waitFor();
  expect(await client.page.getByTestId('terms-text').textContent()).toContain('15. Report anything');
  await acceptTerms(client.page, 'Cleo Client');
  await continueRecorded(client.page);
  await client.page.getByTestId('recording-continue').click();
  await client.page.waitForURL(/\/session\//);
  await waitForStreaming(client.page);
  const accepted = await api<TermsAcceptances>(owner.api, 'GET', `/api/shares/${await shareId()}/terms/acceptances`);
  expect(accepted.body.acceptances.map((a) => a.version)).toEqual([2, 1]);
}, 120_000);

async function shareId(): Promise<string> {
  return (await owner.page.getByTestId('share-row').getAttribute('data-share-id'))!;
}
