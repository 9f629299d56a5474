import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AuditPage } from '@vitrine/protocol';
import { launchChromium } from './lib/browser.ts';
import type { BrowserUser } from './lib/passkeys.ts';
import { registerInBrowser } from './lib/passkeys.ts';
import { openShare, type SharedSession } from './lib/shared-session.ts';
import { clickDisplay, findColour, shownSize, waitForStill, type Rgb } from './lib/remote-screen.ts';
import { grabFrame, ocr } from './lib/screen-text.ts';
import { api, createShare, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { artifactPath, shootOnFailure } from './lib/screenshots.ts';

// The Gallery (apps/gallery/), the second app built only on the app SDK, through the stream as a
// client sees it: the owner uploads pictures and shares their folder in the Gallery; the client
// opens a picture by clicking its thumbnail in the video, walks with the keys, runs a slideshow;
// the owner's trail holds what the app claimed.

let server: TestServer;
let browser: Browser;
let client: BrowserUser;
let tmp: string;
let session: SharedSession;

/** Each picture one colour, so the decoded video says which is shown and how much of it. */
const PICTURES: Array<{ name: string; rgb: Rgb; size: string }> = [
  { name: '01 Harbour.png', rgb: [230, 25, 75], size: '1600x900' },
  { name: '02 Forest.jpg', rgb: [60, 180, 75], size: '1600x900' },
  { name: '03 Lake.webp', rgb: [0, 130, 200], size: '1600x900' },
  { name: 'Trips/04 Dunes.avif', rgb: [245, 130, 48], size: '900x1200' },
];
const at = (i: number) => `/files/Holiday/${PICTURES[i]!.name}`;

function writePicture(file: string, rgb: Rgb, size: string): void {
  const hex = rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=0x${hex}:size=${size}`,
    '-frames:v',
    '1',
    file,
  ]);
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-gallery-'));
  // The owner uploads the pictures into a folder of their storage (the API the Files page uses).
  for (const folder of ['Holiday', 'Holiday/Trips']) {
    expect((await api(server.owner, 'POST', '/api/files/folders', { path: folder })).status).toBe(201);
  }
  for (const p of PICTURES) {
    const file = path.join(tmp, path.basename(p.name));
    writePicture(file, p.rgb, p.size);
    const res = await fetch(`${server.url}/api/files/content?path=${encodeURIComponent(`Holiday/${p.name}`)}`, {
      method: 'PUT',
      headers: { cookie: server.owner.cookie, 'content-type': 'application/octet-stream' },
      body: fs.readFileSync(file),
    });
    expect(res.status).toBe(201);
  }
  const share = await createShare(server.owner, {
    clientEmail: 'cleo@example.test',
    label: 'Holiday',
    paths: [{ path: 'Holiday', access: 'view' }],
    apps: ['gallery'],
  });
  expect(share.share.apps).toEqual(['gallery']);
  client = await registerInBrowser(
    browser,
    share.invitation.link,
    { displayName: 'Cleo' },
    { apiUrl: server.url, viewport: { width: 1440, height: 900 } },
  );
  session = await openShare(server, client.page, 'Holiday');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const opened = () => session.claims().filter((c) => c.kind === 'file-opened');

/** How much of the shown picture is `rgb`, and its extent against the picture's. */
async function coverage(page: Page, rgb: Rgb) {
  const [r, size] = await Promise.all([findColour(page, rgb, 40), shownSize(page)]);
  return { share: r.share, width: r.width / size.width, height: r.height / size.height, region: r };
}

/**
 * Waits until picture `i` fills the picture as far as its shape allows (fit: one side whole; the
 * caption's shade along the bottom takes a few percent off the height).
 */
async function waitForFull(page: Page, i: number) {
  return waitFor(`${PICTURES[i]!.name} full screen`, async () => {
    const c = await coverage(page, PICTURES[i]!.rgb);
    return c.share > 0.3 && (c.width > 0.97 || c.height > 0.9) ? c : null;
  });
}

/** Resizes the client's window and waits until the app's picture follows and is still. */
async function atSize(page: Page, width: number, height: number, name: string) {
  const before = await shownSize(page);
  await page.setViewportSize({ width, height });
  await waitFor(`the picture to follow ${width}x${height}`, async () => {
    const now = await shownSize(page);
    return now.width !== before.width || now.height !== before.height;
  }).catch(() => {}); // the same video area at both sizes needs no resize
  await waitForStill(page);
  await page.mouse.move(1, 1);
  await page.screenshot({ path: artifactPath('gallery', `${name}-${width}x${height}`) });
}

it('shows the pictures as a grid, one full screen on a click, and walks with the keys', async () => {
  const page = client.page;
  shootOnFailure(page, 'gallery');
  const listed = session.claims().find((c) => c.kind === 'folder-opened');
  expect(listed).toMatchObject({ path: '/files/Holiday', entries: 4 });
  await waitForStill(page);
  // The grid: every picture is a small tile, names and dates readable.
  const text = await ocr((await grabFrame(page, path.join(tmp, 'grid.png'))).file);
  expect(text).toMatch(/01 Harbour\.png/);
  expect(text).toMatch(/Holiday > Trips|Holiday › Trips/);
  // The date in the viewer's locale and time zone (no browser word at launch: en-US, UTC).
  expect(text).toMatch(/[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M/);
  const tiles = await Promise.all(PICTURES.map((p) => coverage(page, p.rgb)));
  for (const t of tiles) expect(t.share).toBeGreaterThan(0.005);
  for (const t of tiles) expect(t.share).toBeLessThan(0.1);
  await atSize(page, 1920, 1080, 'grid');
  await atSize(page, 1440, 900, 'grid');

  // A click on the first thumbnail, through the video.
  const first = (await coverage(page, PICTURES[0]!.rgb)).region;
  await clickDisplay(page, Math.round(first.cx), Math.round(first.cy));
  await session.claimed('Harbour opened', (c) => c.kind === 'file-opened' && c.path === at(0));
  const full = await waitForFull(page, 0);
  expect(full.share).toBeGreaterThan(0.7); // 16:9 on a near 16:9 picture: all but the caption
  await waitForStill(page);
  await atSize(page, 1920, 1080, 'picture');
  await atSize(page, 1440, 900, 'picture');

  // → the next, ← back, → → → the portrait one in a sub-folder (as tall as the picture).
  await page.keyboard.press('ArrowRight');
  await session.claimed('Forest opened', (c) => c.kind === 'file-opened' && c.path === at(1));
  await waitForFull(page, 1);
  await page.keyboard.press('ArrowLeft');
  await waitFor('Harbour again', () => opened().at(-1)?.path === at(0));
  await waitForFull(page, 0);
  await page.keyboard.press('End');
  await session.claimed('Dunes opened', (c) => c.kind === 'file-opened' && c.path === at(3));
  const portrait = await waitForFull(page, 3);
  expect(portrait.height).toBeGreaterThan(0.9);
  expect(portrait.width).toBeLessThan(0.7);
  await page.keyboard.press('Home');
  await waitFor('Harbour again', () => opened().at(-1)?.path === at(0));
  await waitForFull(page, 0);

  // Esc: back to the grid, the picture closed.
  await page.keyboard.press('Escape');
  await session.claimed('Harbour closed', (c) => c.kind === 'file-closed' && c.path === at(0));
  await waitFor('the grid again', async () => (await coverage(page, PICTURES[0]!.rgb)).share < 0.1);
}, 120_000);

it('runs a slideshow that changes the picture every 5 s, and pauses', async () => {
  const page = client.page;
  shootOnFailure(page, 'gallery');
  const before = opened().length;
  await page.keyboard.press('s');
  await waitFor('the slideshow starts at the selected picture', () => opened().length === before + 1);
  expect(opened().at(-1)!.path).toBe(at(0));
  await waitForFull(page, 0);
  const started = Date.parse(opened().at(-1)!.at);
  // The next picture comes by itself.
  await waitFor('the slideshow to show Forest', () => opened().length === before + 2, 10_000);
  const next = opened().at(-1)!;
  expect(next.path).toBe(at(1));
  const gap = Date.parse(next.at) - started;
  expect(gap).toBeGreaterThan(4500);
  expect(gap).toBeLessThan(7000);
  await waitForFull(page, 1);
  await page.screenshot({ path: artifactPath('gallery', 'slideshow-1440x900') });
  // Space pauses: no picture comes for longer than the interval.
  await page.keyboard.press(' ');
  const paused = opened().length;
  await page.waitForTimeout(6500);
  expect(opened().length).toBe(paused);
  expect((await coverage(page, PICTURES[opened().length - before === 2 ? 1 : 2]!.rgb)).share).toBeGreaterThan(0.3);
  await page.keyboard.press('Escape');
  await session.claimed(
    'the slideshow picture closed',
    (c) => c.kind === 'file-closed' && c.path === opened().at(-1)!.path,
  );
}, 60_000);

it("puts what the app claimed on the owner's trail", async () => {
  const res = await api<AuditPage>(
    server.owner,
    'GET',
    `/api/audit?session=${session.sessionId}&action=app.claim&order=asc&limit=100`,
  );
  expect(res.status).toBe(200);
  const kinds = res.body.events.map((e) => `${String(e.detail.kind)} ${e.target.path ?? ''}`);
  expect(kinds[0]).toBe('folder-opened Holiday');
  expect(kinds).toContain('file-opened Holiday/01 Harbour.png');
  expect(kinds).toContain('file-opened Holiday/Trips/04 Dunes.avif');
  expect(kinds).toContain('file-closed Holiday/01 Harbour.png');
  expect(res.body.events.every((e) => e.outcome === 'ok')).toBe(true);
});

it('says so when a shared folder holds no pictures', async () => {
  expect((await api(server.owner, 'POST', '/api/files/folders', { path: 'Papers' })).status).toBe(201);
  const share = await createShare(server.owner, {
    clientEmail: 'dan@example.test',
    label: 'Papers',
    paths: [{ path: 'Papers', access: 'view' }],
    apps: ['gallery'],
  });
  const dan = await registerInBrowser(
    browser,
    share.invitation.link,
    { displayName: 'Dan' },
    { apiUrl: server.url, viewport: { width: 1440, height: 900 } },
  );
  shootOnFailure(dan.page, 'gallery');
  const empty = await openShare(server, dan.page, 'Papers');
  expect(empty.claims().find((c) => c.kind === 'folder-opened')).toMatchObject({ path: '/files/Papers', entries: 0 });
  const text = await waitFor('the empty message', async () => {
    const t = await ocr((await grabFrame(dan.page, path.join(tmp, 'empty.png'))).file);
    return /No pictures here/.test(t) ? t : null;
  });
  expect(text).toMatch(/holds no pictures/);
  await waitForStill(dan.page);
  await dan.page.screenshot({ path: artifactPath('gallery', 'empty-1440x900') });
}, 90_000);
