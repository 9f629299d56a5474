import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './lib/browser.ts';
import type { BrowserUser } from './lib/passkeys.ts';
import { inviteClient, openShare, type SharedSession } from './lib/shared-session.ts';
import { pressAndSettle, typeRemote } from './lib/remote-screen.ts';
import { DOUBLE, grabFrame, ocr } from './lib/screen-text.ts';
import { writeTextPdfPages } from './lib/sample-files.ts';
import { startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import type { AppClaim } from '../server/src/control/ports.ts';
import { artifactPath, shootOnFailure } from './lib/screenshots.ts';

// A client searches their whole share for a word inside files, through the video only: the word
// is on page 7 of a PDF four folders deep; the results show it (read off the decoded frame), and
// Enter opens it at page 7 (page 7's text read off the frame, and the viewer's page claim).

let server: TestServer;
let browser: Browser;
let client: BrowserUser;
let tmp: string;
let session: SharedSession;

const PDF = '/files/Archive/2023/Board/Minutes/board-minutes.pdf';
/** Each page says which it is; page 7 alone has the word searched. */
const pageLines = (n: number) =>
  n === 7
    ? ['SEVENTH PAGE', 'The board approved the Zanzibar expansion.']
    : [`PAGE NUMBER ${n}`, 'Routine business was discussed.'];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-search-e2e-'));
  const root = ownerRoot(server.config.storage.dir, server.owner.me.id);
  const archive = path.join(root, 'Archive');
  const minutes = path.join(archive, '2023/Board/Minutes');
  fs.mkdirSync(minutes, { recursive: true });
  writeTextPdfPages(
    path.join(minutes, 'board-minutes.pdf'),
    Array.from({ length: 9 }, (_, i) => pageLines(i + 1)),
    22,
  );
  // Other folders and files around it, some with words of their own.
  for (const year of ['2021', '2022', '2023']) {
    for (const dept of ['Finance', 'Legal', 'Board']) {
      const dir = path.join(archive, year, dept);
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 1; i <= 5; i++)
        fs.writeFileSync(path.join(dir, `${dept}-note-${i}.txt`), `${dept} ${year} note ${i}\n`);
      writeTextPdfPages(path.join(dir, `${dept}-summary.pdf`), [[`${dept} summary ${year}`], ['Nothing else.']]);
    }
  }
  ({ client } = await inviteClient(browser, server, {
    folder: 'Archive',
    name: 'Sam',
    email: 'sam@example.test',
    viewport: { width: 1440, height: 900 },
  }));
  session = await openShare(server, client.page, 'Archive');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const claims = (): AppClaim[] => session.claims();
const claimed = (what: string, match: (c: AppClaim) => boolean, timeoutMs = 10_000) =>
  session.claimed(what, match, timeoutMs);

let shots = 0;
/** The text tesseract reads in the frame shown now (doubled: screen text is small for it). */
async function ocrShown(page: Page): Promise<string> {
  return ocr((await grabFrame(page, path.join(tmp, `frame-${shots++}.png`))).file, { filter: DOUBLE });
}

it('finds a word on page 7 of a PDF deep in the share, and opens it at page 7', async () => {
  const page = client.page;
  shootOnFailure(page, 'search');
  await pressAndSettle(page, 'Control+Shift+F'); // the search panel, names first
  await pressAndSettle(page, 'Tab'); // inside files
  await typeRemote(page, 'zanzibar');
  // Read off the decoded frames until each part of the result has been seen: tesseract reads small
  // white-on-blue text unevenly from one frame to the next (the screen is still once it is there).
  const wanted: Record<string, RegExp> = {
    count: /1 result\./,
    name: /board-minutes\.pdf/,
    // The folder as a path of names (› is often read as >).
    folder: /Archive\W{1,4}2023\W{1,4}Board\W{1,4}Minutes/,
    snippet: /SEVENTH PAGE The board approved/,
    page: /page 7/,
  };
  const seen = new Set<string>();
  await waitFor(
    `the result (${Object.keys(wanted).join(', ')})`,
    async () => {
      const { file } = await grabFrame(page, path.join(tmp, `frame-${shots++}.png`));
      // Sparse-text mode reads the page number on the far right apart from the rest; each reading
      // only while something it reads is still missing (tesseract takes seconds on a busy machine).
      let text = '';
      if (['count', 'name', 'folder', 'snippet'].some((k) => !seen.has(k))) text += ocr(file, { filter: DOUBLE });
      if (!seen.has('page')) text += `\n${ocr(file, { filter: DOUBLE, psm: 11 })}`;
      for (const [k, re] of Object.entries(wanted)) if (re.test(text)) seen.add(k);
      return seen.size === Object.keys(wanted).length;
    },
    45_000,
    300,
  );
  await page.screenshot({ path: artifactPath('search', 'search-results') });

  const before = claims().length;
  await page.keyboard.press('Enter');
  // The viewer says which page it shows once it has settled there: 7.
  await claimed('page 7 viewed', (c) => c.kind === 'page-viewed' && c.path === PDF && c.page === 7, 20_000);
  expect(
    claims()
      .slice(before)
      .find((c) => c.kind === 'file-opened'),
  ).toMatchObject({ path: PDF, page: 7 });
  // And the picture shows page 7's text, not page 1's.
  const shown = await waitFor(
    "page 7's text on the screen",
    async () => {
      // Large text (the page at "fit width"): read at its size.
      const text = ocr((await grabFrame(page, path.join(tmp, `frame-${shots++}.png`))).file);
      return /SEVENTH PAGE/.test(text) && /Zanzibar expansion/.test(text) ? text : null;
    },
    20_000,
    300,
  );
  expect(shown).not.toMatch(/PAGE NUMBER 1\b/);
  await page.screenshot({ path: artifactPath('search', 'search-opened-page-7') });
  // Behind the viewer the list moved to the PDF's folder: Esc goes back there, the PDF selected.
  await claimed('the PDF’s folder listed', (c) => c.kind === 'folder-opened' && c.path === path.posix.dirname(PDF));
  await pressAndSettle(page, 'Escape');
  const list = await waitFor('the folder listed', async () => {
    const text = await ocrShown(page);
    return /board-minutes\.pdf/.test(text) && !/SEVENTH PAGE/.test(text) ? text : null;
  });
  expect(list).toMatch(/Minutes/);
}, 120_000);
