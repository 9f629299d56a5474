import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../../server/test/helpers.ts';
import { PAGE_COLOURS, writeColourPdf } from '../../e2e/lib/sample-files.ts';
import { median } from './stats.ts';

/**
 * The "document over a slow link" measurement of bench/network.ts: the File Explorer
 * (apps/file-explorer) shows a multi-page PDF; the link is then capped and the time from a
 * page-turn key press (PageDown, the PDF viewer's next-page key) until the decoded picture
 * visibly changes is measured from the video, as a person would see it.
 *
 * How a change is seen: every presented frame (requestVideoFrameCallback) is drawn into a
 * THUMB_W x THUMB_H canvas and compared with the previous one; a frame "changes the picture"
 * when ≥ VISIBLE_SHARE of the thumbnail's pixels differ by > PIXEL_DIFF in some channel. The
 * pages are solid colours (PAGE_COLOURS), so a turn changes most of the page area at once, while
 * coding noise or a keyframe of the same picture changes almost none of it. The thumbnail scales
 * whatever size the stream arrives at, so a resolution change alone is not taken for a turn.
 */

// e2e/lib/remote-screen.ts uses DOM types the root tsconfig does not load (see BROWSER_LIB in
// run.ts): imported by a path the type checker does not follow, with the signatures we use.
const REMOTE_SCREEN: string = '../../e2e/lib/remote-screen.ts';
type Area = [number, number, number, number];
interface RemoteScreen {
  findColour(page: Page, rgb: [number, number, number], tolerance: number, area: Area): Promise<{ share: number }>;
  focusViewer(page: Page): Promise<void>;
  clickDisplay(page: Page, x: number, y: number): Promise<void>;
  pressAndSettle(page: Page, key: string): Promise<void>;
  typeRemote(page: Page, text: string): Promise<void>;
}

export const DOCUMENT_APP_ID = 'file-explorer';
export const DOCUMENT_NAME = 'bench-document.pdf';
export const DOCUMENT_PAGES = 40;
/** The PDF viewer's page area, right of the thumbnails strip (display pixels). */
const PAGE_AREA: Area = [200, 120, 1280, 720];
const THUMB_W = 160;
const THUMB_H = 90;
const PIXEL_DIFF = 40;
/** Share of the thumbnail that must change for a frame to count as a visible change. */
export const VISIBLE_SHARE = 0.1;
/** Below this share a frame counts as unchanged ("still"). */
const STILL_SHARE = 0.01;
/** The picture is settled once no frame changed it for this long. */
export const STILL_MS = 700;
/** A turn not visible within this is recorded as not seen (null). */
export const TURN_TIMEOUT_MS = 15_000;
/** A UI frame spreads its luma at least this much (see UI_LUMA_STD in explorer.ts). */
const UI_LUMA_STD = 10;

/** Page code: per presented frame, the share of the thumbnail that changed and the luma spread. */
export const CHANGE_MONITOR_SCRIPT = `(() => {
  const b = (window.__docBench = { changes: [], lastChangeWall: Date.now(), lumaStd: 0, frames: 0 });
  const canvas = document.createElement('canvas');
  canvas.width = ${THUMB_W};
  canvas.height = ${THUMB_H};
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let prev = null;
  let hooked = null;
  const onFrame = (video) => () => {
    if (video !== hooked) return;
    ctx.drawImage(video, 0, 0, ${THUMB_W}, ${THUMB_H});
    const d = ctx.getImageData(0, 0, ${THUMB_W}, ${THUMB_H}).data;
    const wall = Date.now();
    let changed = 0, s = 0, s2 = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (prev && (Math.abs(d[i] - prev[i]) > ${PIXEL_DIFF} || Math.abs(d[i + 1] - prev[i + 1]) > ${PIXEL_DIFF} ||
          Math.abs(d[i + 2] - prev[i + 2]) > ${PIXEL_DIFF})) changed++;
      const y = (d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000;
      s += y;
      s2 += y * y;
    }
    const n = d.length / 4;
    b.lumaStd = Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
    b.frames++;
    const share = prev ? changed / n : 1;
    if (share >= ${STILL_SHARE}) {
      b.lastChangeWall = wall;
      b.changes.push([wall, share]);
      if (b.changes.length > 5000) b.changes.splice(0, 1000);
    }
    prev = d;
    video.requestVideoFrameCallback(onFrame(video));
  };
  setInterval(() => {
    const video = window.__vitrine && window.__vitrine.video;
    if (video && video !== hooked) {
      hooked = video;
      prev = null;
      video.requestVideoFrameCallback(onFrame(video));
    }
  }, 20);
})()`;

interface MonitorState {
  changes: Array<[number, number]>;
  lastChangeWall: number;
  lumaStd: number;
  frames: number;
}
const readMonitor = (page: Page) => page.evaluate('window.__docBench') as Promise<MonitorState>;

export interface PageTurn {
  /** PageDown → first presented frame that visibly changed the picture, ms; null: not within TURN_TIMEOUT_MS. */
  visibleMs: number | null;
  /** PageDown → the last changing frame before the picture settled (STILL_MS without change), ms. */
  settledMs: number | null;
}

export interface DocumentRunResult {
  turns: PageTurn[];
  /** Median and longest of visibleMs over the turns, a turn not seen counting as TURN_TIMEOUT_MS. */
  visibleMedianMs: number | null;
  visibleMaxMs: number | null;
  settledMedianMs: number | null;
  /** Turns whose change was not seen within TURN_TIMEOUT_MS. */
  missed: number;
}

/** Writes the PDF and uploads it into the signed-in owner's storage through the page (the lab's
 *  server is reachable only from the client namespace, where the browser is). */
export async function uploadDocument(page: Page): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-bench-doc-'));
  try {
    const file = path.join(tmp, DOCUMENT_NAME);
    writeColourPdf(file, DOCUMENT_PAGES);
    const base64 = fs.readFileSync(file).toString('base64');
    const status = await page.evaluate(
      async ([name, data]) => {
        const bytes = Uint8Array.from(atob(data!), (c) => c.charCodeAt(0));
        const res = await fetch(`/api/files/content?path=${encodeURIComponent(name!)}&overwrite=true`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: bytes,
        });
        return res.status;
      },
      [DOCUMENT_NAME, base64] as const,
    );
    if (status !== 201) throw new Error(`uploading ${DOCUMENT_NAME}: HTTP ${status}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Waits until no frame has changed the picture for STILL_MS; returns the last change's wall time. */
async function settled(page: Page, timeoutMs: number): Promise<number | null> {
  return waitFor(
    'the picture to settle',
    async () => {
      const m = await readMonitor(page);
      return Date.now() - m.lastChangeWall >= STILL_MS ? m.lastChangeWall : null;
    },
    timeoutMs,
    50,
  ).catch(() => null);
}

/**
 * With the explorer's viewer already streaming (CHANGE_MONITOR_SCRIPT installed before the page
 * loaded): opens DOCUMENT_NAME over the current (clean) link, then calls `cap()` and, after
 * `settleMs` and a still picture, presses PageDown `turns` times, one at a time.
 */
export async function measurePageTurns(
  page: Page,
  opts: { cap: () => void; settleMs: number; turns: number; log: (msg: string) => void },
): Promise<DocumentRunResult> {
  const screen = (await import(REMOTE_SCREEN)) as RemoteScreen;
  await waitFor('a frame showing the UI', async () => (await readMonitor(page)).lumaStd >= UI_LUMA_STD, 30_000, 50);
  // The listing loads after the UI's first paint: wait for a still picture before typing.
  await settled(page, 15_000);
  await screen.focusViewer(page);
  await screen.clickDisplay(page, 1200, 690); // empty space: gives the kiosk window the X focus
  await screen.pressAndSettle(page, '/'); // filter by name, back to the list, open
  await screen.typeRemote(page, DOCUMENT_NAME.slice(0, -4));
  await screen.pressAndSettle(page, 'Enter');
  await page.keyboard.press('Enter');
  await waitFor(
    'page 1 shown',
    async () => (await screen.findColour(page, PAGE_COLOURS[0]!, 40, PAGE_AREA)).share > 0.05,
    30_000,
    50,
  );
  await settled(page, 15_000);

  opts.cap();
  await new Promise((r) => setTimeout(r, opts.settleMs));
  if ((await settled(page, TURN_TIMEOUT_MS)) === null) opts.log('warning: the picture did not settle under the cap');

  const turns: PageTurn[] = [];
  for (let i = 0; i < opts.turns; i++) {
    const t0 = Date.now();
    await page.keyboard.press('PageDown');
    const visible = await waitFor(
      `page turn ${i + 1} visible`,
      async () => (await readMonitor(page)).changes.find(([t, share]) => t > t0 && share >= VISIBLE_SHARE)?.[0],
      TURN_TIMEOUT_MS,
      20,
    ).catch(() => null);
    const last = visible === null ? null : await settled(page, TURN_TIMEOUT_MS);
    turns.push({ visibleMs: visible === null ? null : visible - t0, settledMs: last === null ? null : last - t0 });
    if (visible === null) await settled(page, TURN_TIMEOUT_MS); // whatever arrives late, before the next press
  }
  // A turn not seen counts as TURN_TIMEOUT_MS (its real time is longer): a median stays honest.
  const visible = turns.map((t) => t.visibleMs ?? TURN_TIMEOUT_MS);
  return {
    turns,
    visibleMedianMs: median(visible),
    visibleMaxMs: visible.length ? Math.max(...visible) : null,
    settledMedianMs: median(turns.map((t) => t.settledMs)),
    missed: turns.filter((t) => t.visibleMs === null).length,
  };
}
