import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './lib/browser.ts';
import type { BrowserUser } from './lib/passkeys.ts';
import { inviteClient, openShare, type SharedSession } from './lib/shared-session.ts';
import { clickDisplay, findColour, openByName, pressAndSettle, waitForStill } from './lib/remote-screen.ts';
import { distance, grabFrame, ocrWords, type Word } from './lib/screen-text.ts';
import { BUDGET, PEOPLE_CSV, SOURCE, writeBudgetXlsx, writePeopleCsv } from './lib/sheet-files.ts';
import { startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import type { AppClaim } from '../server/src/control/ports.ts';
import { artifactPath } from './lib/screenshots.ts';

// Spreadsheets and source files in the File Explorer, as a client sees them through the video
// only (OCR of the decoded frame, pixel colours, the app's claims): a real .xlsx read by
// LibreOffice inside the sandbox shown as a grid whose frozen header row stays while the body
// scrolls, its sheets as tabs; a CSV parsed by the UI; a Python file highlighted.

let server: TestServer;
let browser: Browser;
let client: BrowserUser;
let tmp: string;
let session: SharedSession;
/** The highlighter's keyword colour (#c5221f, lib/highlight.css). */
const KEYWORD: [number, number, number] = [197, 34, 31];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-spreadsheets-'));
  const dir = path.join(ownerRoot(server.config.storage.dir, server.owner.me.id), 'Sheets');
  fs.mkdirSync(dir, { recursive: true });
  await writeBudgetXlsx(path.join(dir, 'budget.xlsx'));
  writePeopleCsv(path.join(dir, 'people.csv'));
  fs.writeFileSync(path.join(dir, 'ledger.py'), SOURCE);
  fs.writeFileSync(path.join(dir, 'ledger.txt'), SOURCE);
  ({ client } = await inviteClient(browser, server, {
    folder: 'Sheets',
    name: 'Sasha',
    email: 'sasha@example.test',
    viewport: { width: 1280, height: 800 },
  }));
  session = await openShare(server, client.page, 'Sheets');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const claimed = (what: string, match: (c: AppClaim) => boolean, timeoutMs = 10_000) =>
  session.claimed(what, match, timeoutMs);

/** After a failure: out of any viewer and the filter, so the next test starts at the list. */
async function backToList(page: Page): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
  }
}

/** The words OCR reads in the frame shown now. */
let shots = 0;
async function wordsShown(page: Page): Promise<Word[]> {
  return ocrWords((await grabFrame(page, path.join(tmp, `frame-${shots++}.png`))).file);
}

/** Below the viewer's bar (the active cell's text is repeated there). */
const BAR_BOTTOM = 52;
/** OCR's reading of a word, without the edges of the box or the cell lines around it. */
const bareWord = (t: string) => t.replace(/^[[|(]+/, '').replace(/[\]|),.:;]+$/, '');
/**
 * A word of the grid (below the bar) read as `text`: exactly but for case (OCR reads "City" as
 * "city" in some frames), or for a word of 5 letters or more but for one letter (the active cell's
 * blue box touches its first letter).
 */
const find = (words: Word[], text: string) =>
  words.find((w) => w.y > BAR_BOTTOM && bareWord(w.text).toLowerCase() === text.toLowerCase()) ??
  (text.length >= 5
    ? words.find((w) => w.y > BAR_BOTTOM && distance(bareWord(w.text).toLowerCase(), text.toLowerCase()) <= 1)
    : undefined);

/** Waits until OCR reads every one of `texts` as a word, and returns the words read. */
async function untilRead(page: Page, what: string, texts: readonly string[], timeoutMs = 20_000): Promise<Word[]> {
  let last: string[] = [];
  try {
    return await waitFor(
      what,
      async () => {
        const words = await wordsShown(page);
        last = words.map((w) => w.text);
        return texts.every((t) => find(words, t)) ? words : null;
      },
      timeoutMs,
      200,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; read: ${last.join(' ')}`, { cause: err });
  }
}

/** The body rows' labels read ("Store 48" → 48), top to bottom. */
function storeNumbers(words: Word[]): number[] {
  const out: Array<{ y: number; n: number }> = [];
  words.forEach((w, i) => {
    const next = words[i + 1];
    if (w.text === 'Store' && next && /^\d+$/.test(next.text)) out.push({ y: w.y, n: Number(next.text) });
  });
  return out.sort((a, b) => a.y - b.y).map((s) => s.n);
}

it('shows a CSV as a grid: quoted fields whole, numbers right-aligned', async () => {
  const page = client.page;
  onTestFailed(async () => {
    await page.screenshot({ path: artifactPath('spreadsheets', 'dbg-spreadsheets-csv') });
    await backToList(page);
  });
  await openByName(page, 'people');
  await claimed('people opened', (c) => c.kind === 'file-opened' && c.path === '/files/Sheets/people.csv');
  const words = await untilRead(page, 'the CSV grid', [...PEOPLE_CSV.header, 'Lindqvist', 'Ikeja', '1204.50']);
  // One column per field: each value under its heading (the BOM is not part of "Person").
  const left = (t: string) => find(words, t)!.x;
  expect(Math.abs(left('Lindqvist') - left('Person'))).toBeLessThanOrEqual(8); // the active cell's box may be read as part of it
  expect(Math.abs(left('Uppsala') - left('City'))).toBeLessThanOrEqual(4);
  // "Lagos; Ikeja" is one quoted field: the semicolon did not split it into the next column.
  expect(find(words, 'Ikeja')!.right).toBeLessThan(left('1204.50'));
  // Numbers end at the same right edge.
  const right = (t: string) => find(words, t)!.right;
  expect(Math.abs(right('1204.50') - right('3310.00'))).toBeLessThanOrEqual(4);
  expect(Math.abs(right('98.10') - right('1204.50'))).toBeLessThanOrEqual(4);
  await page.screenshot({ path: artifactPath('spreadsheets', 'spreadsheets-csv') });
  await pressAndSettle(page, 'Escape');
  await pressAndSettle(page, 'Escape');
}, 60_000);

it('highlights source by its extension, and leaves plain text plain', async () => {
  const page = client.page;
  onTestFailed(async () => {
    await page.screenshot({ path: artifactPath('spreadsheets', 'dbg-spreadsheets-source') });
    await backToList(page);
  });
  const keywordInk = async (name: string) => {
    await openByName(page, name);
    await claimed(`${name} opened`, (c) => c.kind === 'file-opened' && c.path === `/files/Sheets/${name}`);
    // The text is shown (read by OCR), and the picture is still.
    await untilRead(page, `${name}'s text`, ['Ledger', 'yield']);
    await waitForStill(page, 600);
    const ink = await findColour(page, KEYWORD, 60, [0, 60, 1e9, 1e9]);
    await pressAndSettle(page, 'Escape');
    await pressAndSettle(page, 'Escape');
    return ink;
  };
  const py = await keywordInk('ledger.py');
  await page.screenshot({ path: artifactPath('spreadsheets', 'spreadsheets-source') });
  const txt = await keywordInk('ledger.txt');
  console.log('keyword-coloured share of the frame: ledger.py', py.share, 'ledger.txt', txt.share);
  // The keywords (import, class, def, return, for, while…) are drawn in the keyword colour, on
  // the lines where the source has them; the same text as .txt has none of it.
  expect(py.share).toBeGreaterThan(0.001);
  expect(py.height).toBeGreaterThan(150);
  expect(txt.share).toBeLessThan(py.share / 20);
}, 60_000);

it('shows an .xlsx as a grid: a frozen header row over scrolling rows, its sheets as tabs', async () => {
  const page = client.page;
  onTestFailed(async () => {
    await page.screenshot({ path: artifactPath('spreadsheets', 'dbg-spreadsheets-xlsx') });
    await backToList(page);
  });
  await openByName(page, 'budget');
  await claimed('budget opened', (c) => c.kind === 'file-opened' && c.path === '/files/Sheets/budget.xlsx');
  // LibreOffice starts (at a low priority) as the explorer comes up; this test runs last so that
  // its start overlaps the others. Allow it a slow start on a busy machine all the same.
  // A1 (the active cell, in its box, also repeated in the bar) is left to the other words.
  const first = await untilRead(
    page,
    'the header row and the tabs',
    [...BUDGET.header.slice(1), ...BUDGET.sheets],
    60_000,
  );
  const header = find(first, 'Revenue')!;
  const tab = find(first, 'Forecast')!;
  expect(tab.y).toBeGreaterThan(header.y + 300); // the tabs are at the bottom
  // The top of the sheet: its first body rows (OCR may miss a row or two, not all of them).
  const top = storeNumbers(first);
  expect(top.length).toBeGreaterThan(5);
  expect(Math.min(...top)).toBeLessThanOrEqual(3);
  await page.screenshot({ path: artifactPath('spreadsheets', 'spreadsheets-xlsx') });

  // Three pages down: the header row stays where it was, the body shows rows far below.
  for (let i = 0; i < 3; i++) await pressAndSettle(page, 'PageDown');
  await waitForStill(page, 600);
  const scrolled = await untilRead(page, 'the header row after scrolling', BUDGET.header.slice(1));
  const stay = find(scrolled, 'Revenue')!;
  expect(Math.abs(stay.y - header.y)).toBeLessThanOrEqual(3);
  const body = storeNumbers(scrolled);
  expect(body.length).toBeGreaterThan(5);
  expect(body[0]).toBeGreaterThan(40);
  expect(body).not.toContain(1);
  await page.screenshot({ path: artifactPath('spreadsheets', 'spreadsheets-xlsx-scrolled') });

  // A click on the second tab shows sheet 2, reported as page 2.
  await clickDisplay(page, Math.round((tab.x + tab.right) / 2), Math.round((tab.y + tab.bottom) / 2));
  const second = await untilRead(page, 'sheet 2', [...BUDGET.forecast.slice(1), 'Launch']);
  expect(find(second, 'Revenue')).toBeUndefined();
  await claimed('sheet 2 viewed', (c) => c.kind === 'page-viewed' && c.path.endsWith('/budget.xlsx') && c.page === 2);
  // Ctrl+PageDown: the next sheet.
  await pressAndSettle(page, 'Control+PageDown');
  await untilRead(page, 'sheet 3', [...BUDGET.archive.slice(1), 'Filed']);
  await claimed('sheet 3 viewed', (c) => c.kind === 'page-viewed' && c.path.endsWith('/budget.xlsx') && c.page === 3);
  await pressAndSettle(page, 'Escape');
  await pressAndSettle(page, 'Escape'); // the filter
}, 120_000);
