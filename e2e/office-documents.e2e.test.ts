import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './lib/browser.ts';
import type { BrowserUser } from './lib/passkeys.ts';
import { inviteClient, openShare, type SharedSession } from './lib/shared-session.ts';
import { findColour, openByName, pressAndSettle, typeRemote, type Rgb } from './lib/remote-screen.ts';
import { grabFrame, ocr } from './lib/screen-text.ts';
import {
  SLIDE_BACKGROUNDS,
  TABLE_FILL,
  docxHeading,
  makeDocx,
  makeHostileOdt,
  makeOdt,
  makePptx,
  makeZipBomb,
  slideTitle,
} from './lib/office-files.ts';
import { startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import type { AppClaim } from '../server/src/control/ports.ts';
import { artifactPath, shootOnFailure } from './lib/screenshots.ts';

// Office documents in a client's File Explorer session, read from the video only: LibreOffice in the
// sandbox converts them, the PDF viewer shows their pages (OCR finds the headings, the table's red
// header and the slides' backgrounds are on screen, "go to page" shows that page), a hostile document
// opens without its macro writing into the (editable) share, and a zip bomb is refused with a message.

let server: TestServer;
let browser: Browser;
let client: BrowserUser;
let tmp: string;
let folder: string;
let session: SharedSession;

const rgb = (hex: string): Rgb => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-office-e2e-'));
  folder = path.join(ownerRoot(server.config.storage.dir, server.owner.me.id), 'Office');
  fs.mkdirSync(folder, { recursive: true });
  await makeDocx(path.join(folder, 'Contract.docx'), 30);
  await makePptx(path.join(folder, 'Deck.pptx'));
  makeOdt(path.join(folder, 'Minutes.odt'), 'Board Minutes Approved', 'The board approved the plan.');
  makeHostileOdt(path.join(folder, 'Hostile.odt'), '/files/Office/macro-ran.txt', 'http://127.0.0.1:9/image.png');
  makeZipBomb(path.join(folder, 'Bomb.docx'), 2);
  ({ client } = await inviteClient(browser, server, {
    folder: 'Office',
    name: 'Olga',
    email: 'olga@example.test',
    access: 'edit',
    viewport: { width: 1440, height: 900 },
  }));
  session = await openShare(server, client.page, 'Office');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const claimed = (what: string, match: (c: AppClaim) => boolean, timeoutMs = 10_000) =>
  session.claimed(what, match, timeoutMs);

let shots = 0;
async function ocrShown(page: Page): Promise<string> {
  return ocr((await grabFrame(page, path.join(tmp, `frame-${shots++}.png`))).file);
}
/** Waits until OCR of the shown frame matches. */
const seen = (page: Page, what: string, re: RegExp, timeoutMs = 30_000) =>
  waitFor(
    what,
    async () => {
      const text = await ocrShown(page);
      return re.test(text) ? text : null;
    },
    timeoutMs,
    200,
  );

/** The session sandbox's cgroup folder for `controller` (v1), or its one folder (v2): named by its session id. */
function cgroupDir(id: string, controller: 'memory' | 'pids'): { dir: string; v2: boolean } {
  const search = (dir: string, depth: number): string | undefined => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const d of names) {
      if (!d.isDirectory()) continue;
      if (d.name === id) return path.join(dir, d.name);
      const found = depth > 0 ? search(path.join(dir, d.name), depth - 1) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const v1 = search(`/sys/fs/cgroup/${controller}`, 4);
  if (v1) return { dir: v1, v2: false };
  const v2 = search('/sys/fs/cgroup', 4);
  if (!v2) throw new Error(`no cgroup for session ${id}`);
  return { dir: v2, v2: true };
}

function sessionCgroup(id: string): { memoryPeak: () => number; tasks: () => number } {
  const memory = cgroupDir(id, 'memory');
  const pids = cgroupDir(id, 'pids');
  const read = (dir: string, file: string) => Number(fs.readFileSync(path.join(dir, file), 'utf8'));
  return {
    memoryPeak: () => read(memory.dir, memory.v2 ? 'memory.peak' : 'memory.max_usage_in_bytes'),
    tasks: () => read(pids.dir, 'pids.current'),
  };
}

async function back(page: Page) {
  await pressAndSettle(page, 'Escape');
  await pressAndSettle(page, 'Escape'); // the filter
}

it('shows a .pptx slide with its background colour and title, and an .odt', async () => {
  const page = client.page;
  shootOnFailure(page, 'office');
  // The session's first document: LibreOffice may still be starting (it starts once the UI is up).
  const t = Date.now();
  await openByName(page, 'Deck');
  const slide = await waitFor(
    'the first slide’s blue background',
    async () => {
      const r = await findColour(page, rgb(SLIDE_BACKGROUNDS[0]!), 30, [160, 0, 1e9, 1e9]);
      return r.share > 0.1 ? r : null;
    },
    30_000,
  );
  expect(slide.width).toBeGreaterThan(400);
  console.log(`Deck.pptx (the session's first document): slide shown ${Date.now() - t} ms after Enter`);
  await seen(page, 'the first slide’s title', new RegExp(slideTitle(1).replace(/ /g, '\\s+')));
  await back(page);

  await openByName(page, 'Minutes');
  await seen(page, 'the ODT heading', /Board\s+Minutes\s+Approved/);
  await back(page);
}, 90_000);

it('shows a 30-page .docx as pages: the heading, the red table header, and page 17 after "go to page"', async () => {
  const page = client.page;
  shootOnFailure(page, 'office');
  // LibreOffice is warm by now (the slides and the ODT before): this is the budget's case.
  const t = Date.now();
  await openByName(page, 'Contract');
  await seen(page, 'the first heading', /Chapter 1 Quarterly/);
  console.log(`Contract.docx (LibreOffice warm): first page read by OCR ${Date.now() - t} ms after Enter`);
  const table = await waitFor('the table header', async () => {
    const r = await findColour(page, rgb(TABLE_FILL), 30, [160, 0, 1e9, 1e9]);
    return r.share > 0.002 ? r : null;
  });
  expect(table.width).toBeGreaterThan(200);
  await claimed('file-opened', (c) => c.kind === 'file-opened' && c.path === '/files/Office/Contract.docx');
  // "g", the page number, Enter: page 17 is shown, and claimed as viewed.
  await pressAndSettle(page, 'g');
  await typeRemote(page, '17');
  await pressAndSettle(page, 'Enter');
  await seen(page, 'page 17', new RegExp(docxHeading(17).replace(/ /g, '\\s+').slice(0, 24)));
  await claimed('page 17 viewed', (c) => c.kind === 'page-viewed' && c.path.endsWith('Contract.docx') && c.page === 17);
  await page.screenshot({ path: artifactPath('office', 'office-docx') });
  // The whole session (Chromium, Xvfb, the explorer server, LibreOffice warm, this document open)
  // within the manifest's 768 MiB and 256 tasks.
  const cg = sessionCgroup(session.sessionId);
  const peakMiB = cg.memoryPeak() / 2 ** 20;
  const tasks = cg.tasks();
  console.log(`session with a document open: memory peak ${peakMiB.toFixed(0)} MiB, ${tasks} tasks`);
  expect(peakMiB).toBeLessThan(768);
  expect(tasks).toBeLessThan(256);
  await back(page);
}, 120_000);

it('opens the hostile document without running its macro, and refuses a zip bomb with a message', async () => {
  const page = client.page;
  shootOnFailure(page, 'office');
  await openByName(page, 'Hostile');
  await seen(page, 'the hostile document shown', /Hostile\s+document/);
  await back(page);
  // The share is editable, so a macro could have written here; none ran.
  expect(fs.existsSync(path.join(folder, 'macro-ran.txt'))).toBe(false);

  await openByName(page, 'Bomb');
  const text = await seen(page, 'the refusal', /too\s+large/i);
  expect(text).toMatch(/Bomb\.docx/);
  await page.screenshot({ path: artifactPath('office', 'office-bomb') });
  await back(page);
  expect(fs.readdirSync(folder).sort()).toEqual([
    'Bomb.docx',
    'Contract.docx',
    'Deck.pptx',
    'Hostile.odt',
    'Minutes.odt',
  ]);
}, 90_000);
