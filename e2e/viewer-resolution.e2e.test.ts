import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it, onTestFailed } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { inboundVideo, launchChromium, waitForStreaming } from './lib/browser.ts';
import { setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { clickDisplay, findColour, pressAndSettle, shownSize } from './lib/remote-screen.ts';
import {
  api,
  ffmpegProcesses,
  sessionProcesses,
  startTestServer,
  waitFor,
  type TestServer,
} from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';

// The File Explorer's picture follows the viewer: made at the video area's device pixels, shown
// one video pixel per screen pixel, following a window resize; input keeps landing where clicked.
let server: TestServer;
let browser: Browser;
let admin: BrowserUser;
/** Screenshots (1920x1080, 1440x900, 960x540@2x) to look at: kept only in VITRINE_SCREENSHOTS. */
const keepShots = process.env.VITRINE_SCREENSHOTS;
const shots = keepShots ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-resolution-'));
if (keepShots) fs.mkdirSync(keepShots, { recursive: true });

beforeAll(async () => {
  server = await startTestServer({}, { registerOwner: false });
  browser = await launchChromium();
  admin = await setupAdminInBrowser(browser, server);
  const me = (await api<{ id: string }>(admin.api, 'GET', '/api/auth/me')).body;
  const root = ownerRoot(server.config.storage.dir, me.id);
  for (const name of ['Alpha', 'Beta', 'Gamma']) {
    fs.mkdirSync(path.join(root, name), { recursive: true });
    fs.writeFileSync(path.join(root, name, 'readme.txt'), `${name}\n`);
  }
}, 120_000);
afterEach(async () => {
  const live = (await api<Array<{ id: string }>>(admin.api, 'GET', '/api/sessions')).body;
  await Promise.all(live.map((s) => api(admin.api, 'DELETE', `/api/sessions/${s.id}`)));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (keepShots) console.log(`viewer-resolution: screenshots in ${shots}`);
  else fs.rmSync(shots, { recursive: true, force: true });
});

interface Shown {
  /** The decoded picture. */
  video: { width: number; height: number };
  /** The video element's CSS box × devicePixelRatio. */
  element: { width: number; height: number };
  /** The viewer's area (the video element's container) in device pixels. */
  area: { width: number; height: number };
  layout: string | null;
}

async function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const video = (window as any).__vitrine.video as HTMLVideoElement;
    const dpr = window.devicePixelRatio;
    const box = video.getBoundingClientRect();
    const area = video.parentElement!.getBoundingClientRect();
    return {
      video: { width: video.videoWidth, height: video.videoHeight },
      element: { width: Math.round(box.width * dpr), height: Math.round(box.height * dpr) },
      area: { width: Math.floor(area.width * dpr), height: Math.floor(area.height * dpr) },
      layout: video.getAttribute('data-layout'),
    };
  });
}

/** The picture is the one made for the area: its size rounded down to 8 (width) and 2 (height). */
const madeFor = (s: Shown) =>
  s.video.width === Math.floor(s.area.width / 8) * 8 &&
  s.video.height === Math.floor(s.area.height / 2) * 2 &&
  s.element.width === s.video.width &&
  s.element.height === s.video.height &&
  s.layout === 'native';

async function pictureFollows(page: Page, timeoutMs = 15_000): Promise<Shown> {
  return waitFor(
    'the picture to be made for the video area',
    async () => {
      const s = await shown(page);
      return madeFor(s) ? s : null;
    },
    timeoutMs,
    20,
  );
}

/** The explorer's list is drawn: its selected row (a saturated blue) is in the picture. */
const listShown = (page: Page) =>
  waitFor(
    'the list drawn',
    async () => {
      // The right half: only the selected row there is this blue (not the "All" button).
      const { width, height } = await shownSize(page);
      const r = await findColour(page, SELECTED, 40, [width / 2, 0, width, height]);
      return r.share > 0.001 && r.height < ROW_HEIGHT + 4 ? r : null;
    },
    15_000,
  );
const SELECTED: [number, number, number] = [0, 95, 204];

/**
 * Clicks the row `below` rows under the selected one, near the right end of the list (which
 * exists only if the app's window has the picture's width), opens it and waits for the app to
 * report that folder opened: the click landed on that row.
 */
async function openRowAtRightEdge(page: Page, id: string, below: number, folder: string): Promise<void> {
  const selected = await listShown(page);
  const { width } = await shownSize(page);
  const x = width - 60;
  expect(selected.cx + selected.width / 2).toBeGreaterThan(x); // the row reaches that far
  expect(selected.height).toBeGreaterThan(ROW_HEIGHT - 6);
  // A click selects the row under it (a double click's timing is the app's business); Enter opens it.
  await clickDisplay(page, x, Math.round(selected.cy + below * ROW_HEIGHT));
  await waitFor('the clicked row selected', async () => {
    const now = await listShown(page);
    return Math.abs(now.cy - (selected.cy + below * ROW_HEIGHT)) < 4;
  });
  await page.keyboard.press('Enter');
  await waitFor(`${folder} opened`, () =>
    server.sessions.claimsOf(id).find((c) => c.kind === 'folder-opened' && c.path === `/files/${folder}`),
  );
  // The claim can come before the picture that shows the folder: the next key's "did the screen
  // change" must start from that picture, not from the list before it.
  await still(page);
}
/** Waits until no new frame came for half a second (a changed picture is refined for a while). */
async function still(page: Page): Promise<void> {
  let last = -1;
  await waitFor(
    'the picture to be still',
    async () => {
      const { framesDecoded } = await inboundVideo(page);
      const same = framesDecoded === last;
      last = framesDecoded;
      return same;
    },
    10_000,
    500,
  );
}

/** CPU used over `ms` (percent of one core): the session's encoders, its sandbox, this server. */
async function cpuWhile(id: string, ms: number) {
  const ticks = (pid: number) => {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0;
    }
  };
  const encoders = server.sessions.statsOf(id)?.pids.filter((p) => ffmpegProcesses([p]).length > 0 || isPump(p)) ?? [];
  const sandbox = sessionProcesses(server.runtimeDir, id).map((p) => p.pid);
  const sum = (pids: number[]) => pids.reduce((a, p) => a + ticks(p), 0);
  const before = [sum(encoders), sum(sandbox), ticks(process.pid)];
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms)); // a measurement window, not a wait for a condition
  const after = [sum(encoders), sum(sandbox), ticks(process.pid)];
  // Clock ticks are 1/100 s: percent of a core = ticks × 1000 / elapsed ms.
  const pct = (i: number) => ((after[i]! - before[i]!) * 1000) / (Date.now() - t0);
  return { encoders: pct(0), sandbox: pct(1), server: pct(2) };
}
const isPump = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('vitrine-frame-pump');
  } catch {
    return false;
  }
};

/** The explorer's list rows, in CSS pixels of its own page (= picture pixels: its scale is 1). */
const ROW_HEIGHT = 36;

async function launchExplorer(page: Page): Promise<string> {
  await page.goto(`${server.publicUrl()}/apps`);
  await page.getByTestId('launch-file-explorer').click();
  await page.waitForURL(/\/session\//);
  await waitForStreaming(page);
  return page.evaluate(() => (window as any).__vitrine.sessionId as string);
}

it('the File Explorer is streamed at the viewer’s size, follows a resize, and clicks land', async () => {
  const page = await admin.context.newPage();
  onTestFailed(async () => {
    await page.screenshot({ path: path.join(shots, 'failed.png') });
  });
  await page.setViewportSize({ width: 1920, height: 1080 });
  const id = await launchExplorer(page);
  await waitFor('the top level listed', () =>
    server.sessions.claimsOf(id).find((c) => c.kind === 'folder-opened' && c.path === '/files'),
  );
  const big = await pictureFollows(page);
  expect(big.video.width).toBe(1920);
  expect(big.video.height).toBeGreaterThan(1000);
  // What the browser decodes, not only what the element says.
  const rtp = await waitFor('decoded frames of the new size', async () => {
    const v = await inboundVideo(page);
    return v.frameWidth === big.video.width ? v : null;
  });
  expect(rtp.frameHeight).toBe(big.video.height);
  await listShown(page);
  await still(page);
  await page.screenshot({ path: path.join(shots, 'explorer-1920x1080.png') });
  const cpu = await cpuWhile(id, 5000);
  console.log(
    `viewer-resolution: a still ${big.video.width}x${big.video.height} session over 5 s: encoders ` +
      `${cpu.encoders.toFixed(1)} %, sandbox (Xvfb + app) ${cpu.sandbox.toFixed(1)} %, server ${cpu.server.toFixed(1)} % of a core`,
  );
  // x ≈ 1860: beyond the 1280 pixels of the app's starting size.
  await openRowAtRightEdge(page, id, 1, 'Beta');
  await pressAndSettle(page, 'Backspace');

  await page.setViewportSize({ width: 1440, height: 900 });
  const t0 = Date.now();
  const small = await pictureFollows(page);
  const followMs = Date.now() - t0;
  await listShown(page);
  await still(page);
  expect(small.video.width).toBe(1440);
  expect(small.video.height).toBeLessThan(900);
  await page.screenshot({ path: path.join(shots, 'explorer-1440x900.png') });
  // The list is narrower now: the same gesture lands on the row at the new picture's right end.
  await openRowAtRightEdge(page, id, 1, 'Gamma'); // coming back up selected Beta
  console.log(
    `viewer-resolution: ${big.video.width}x${big.video.height} → ${small.video.width}x${small.video.height} ` +
      `shown ${followMs} ms after the viewport changed`,
  );
}, 120_000);

it('on a HiDPI screen the picture has the device pixels, shown at half its size in CSS pixels', async () => {
  const context = await browser.newContext({
    viewport: { width: 960, height: 540 },
    deviceScaleFactor: 2,
    storageState: await admin.context.storageState(),
  });
  try {
    const page = await context.newPage();
    const id = await launchExplorer(page);
    await waitFor('the top level listed', () =>
      server.sessions.claimsOf(id).find((c) => c.kind === 'folder-opened' && c.path === '/files'),
    );
    const s = await pictureFollows(page);
    expect(s.video.width).toBe(1920);
    const css = await page.getByTestId('viewer-video').boundingBox();
    expect(css?.width).toBe(960);
    await listShown(page);
    await still(page);
    await page.screenshot({ path: path.join(shots, 'explorer-960x540@2x.png') });
  } finally {
    await context.close();
  }
}, 90_000);
