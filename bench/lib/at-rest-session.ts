import type { Page } from 'playwright-core';
import { waitFor } from '../../server/test/helpers.ts';
import type { AppClaim } from '../../server/src/control/ports.ts';
import { PAGE_COLOURS } from '../../e2e/lib/sample-files.ts';
import { withLaunchedViewer, type BenchContext } from './scenario.ts';

/**
 * The File Explorer part of bench/encryption.ts: in an owner's session, the time from Enter on a
 * 1080p video to its first frame on screen, from a click in the middle of its seek bar to the
 * frame there, and from Enter on a PDF to its page 1 — each read from the decoded video as a
 * person would see it, "cold" (after the kernel's caches were dropped) and then "warm".
 *
 * How a picture is seen: the bench's videos carry a large solid box, FIRST_COLOUR for the first
 * quarter and SEEK_COLOUR after (testsrc2's bars have neither), the PDF's page 1 is
 * PAGE_COLOURS[0]. Every presented frame (requestVideoFrameCallback) is drawn into a small
 * canvas; the first frame in which enough of the watched area (VIDEO_SHARE, PDF_SHARE) is within
 * WATCH_TOLERANCE of the colour gives the time (Date.now(), the clock the key press is timed with).
 */

// e2e/lib/remote-screen.ts uses DOM types the root tsconfig does not load (see BROWSER_LIB in
// run.ts): imported by a path the type checker does not follow, with the signatures we use.
const REMOTE_SCREEN: string = '../../e2e/lib/remote-screen.ts';
interface RemoteScreen {
  focusViewer(page: Page): Promise<void>;
  clickDisplay(page: Page, x: number, y: number): Promise<void>;
  shownSize(page: Page): Promise<{ width: number; height: number }>;
  pressAndSettle(page: Page, key: string): Promise<void>;
  typeRemote(page: Page, text: string): Promise<void>;
}

export type Rgb = [number, number, number];
/** [left, top, right, bottom] as fractions of the display. */
type Area = [number, number, number, number];

export const FIRST_COLOUR: Rgb = [255, 128, 0];
/** Grey: a colour matrix mismatch on the way (BT.601 vs 709) shifts hues, never a neutral grey. */
export const SEEK_COLOUR: Rgb = [128, 128, 128];
/** Inside the box of a video preview (the box is the middle half of the picture, both ways). */
const VIDEO_AREA: Area = [0.3, 0.35, 0.75, 0.65];
/** The PDF viewer's page area, right of the thumbnails strip (as bench/lib/explorer.ts). */
const PDF_AREA: Area = [0.16, 0.15, 1, 0.85];
const WATCH_TOLERANCE = 40;
/** Of the watched area: the video's box fills it; a fitted PDF page covers less than half of its area. */
const VIDEO_SHARE = 0.3;
const PDF_SHARE = 0.1;
/**
 * The middle of the video player's seek bar, in display pixels (x; y from the bottom): read off
 * a screenshot of the explorer at 1280 px wide. A click anywhere past a quarter of the bar lands
 * in SEEK_COLOUR, so a small shift of the layout still measures a seek (and a miss times out).
 */
const SEEK_BAR = { x: 612, fromBottom: 31 };
const SHOWN_TIMEOUT_MS = 30_000;

/** The files' names as typed into the explorer's filter (unique prefixes, no extension). */
export interface SessionFiles {
  /** Opened first after caches are dropped, so that Chromium's code for each is back in memory. */
  warmUpVideo: string;
  warmUpPdf: string;
  video: string;
  pdf: string;
}

export interface ExplorerTimes {
  firstFrameMs: number;
  seekMs: number;
  pdfPage1Ms: number;
}

export interface SessionTimes {
  cold: ExplorerTimes;
  warm: ExplorerTimes;
}

/** Page code: `window.__atRest.watch` arms a colour watch; `seenWall` is when it was first seen. */
const WATCH_SCRIPT = `(() => {
  const b = (window.__atRest = { watch: null, seenWall: null });
  const W = 192, H = 108;
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let hooked = null;
  const onFrame = (video) => () => {
    if (video !== hooked) return;
    const w = b.watch;
    if (w && b.seenWall === null) {
      ctx.drawImage(video, 0, 0, W, H);
      const [x0, y0, x1, y1] = [w.area[0] * W, w.area[1] * H, w.area[2] * W, w.area[3] * H].map(Math.round);
      const d = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4)
        if (Math.abs(d[i] - w.rgb[0]) <= w.tol && Math.abs(d[i + 1] - w.rgb[1]) <= w.tol && Math.abs(d[i + 2] - w.rgb[2]) <= w.tol) n++;
      if (n / (d.length / 4) >= w.share) b.seenWall = Date.now();
    }
    video.requestVideoFrameCallback(onFrame(video));
  };
  setInterval(() => {
    const video = window.__vitrine && window.__vitrine.video;
    if (video && video !== hooked) {
      hooked = video;
      video.requestVideoFrameCallback(onFrame(video));
    }
  }, 20);
})()`;

interface Watch {
  rgb: Rgb;
  area: Area;
  share: number;
}
const FIRST_FRAME: Watch = { rgb: FIRST_COLOUR, area: VIDEO_AREA, share: VIDEO_SHARE };
const SEEK_FRAME: Watch = { rgb: SEEK_COLOUR, area: VIDEO_AREA, share: VIDEO_SHARE };
const PDF_PAGE_1: Watch = { rgb: PAGE_COLOURS[0]!, area: PDF_AREA, share: PDF_SHARE };

const arm = (page: Page, w: Watch) =>
  page.evaluate(
    `window.__atRest.seenWall = null; window.__atRest.watch = ${JSON.stringify({ ...w, tol: WATCH_TOLERANCE })}`,
  );

/** Runs `act` (returns Date.now() of the action) and waits for what `watch` looks for; ms in between. */
async function timeUntilShown(page: Page, what: string, watch: Watch, act: () => Promise<number>) {
  await arm(page, watch);
  const actedAt = await act();
  const seenAt = await waitFor(
    what,
    () => page.evaluate('window.__atRest.seenWall') as Promise<number | null>,
    SHOWN_TIMEOUT_MS,
    10,
  );
  await page.evaluate('window.__atRest.watch = null');
  return seenAt - actedAt;
}

/**
 * One session: list, drop the caches (`dropCaches`), open the warm-up files, then the video
 * (first frame, seek) and the PDF cold, then both again warm. The session is ended afterwards.
 */
export async function runExplorerSession(
  ctx: BenchContext & { claimsOf(sessionId: string): AppClaim[] },
  files: SessionFiles,
  dropCaches: () => void,
): Promise<SessionTimes> {
  const screen = (await import(REMOTE_SCREEN)) as RemoteScreen;
  const launch = { appId: 'file-explorer', codec: 'h264' as const, width: 1280, height: 720, initScript: WATCH_SCRIPT };
  return withLaunchedViewer(ctx, launch, async ({ page, sessionId }) => {
    await waitFor(
      '/files listed',
      () => ctx.claimsOf(sessionId).find((c) => c.kind === 'folder-opened' && c.path === '/files'),
      30_000,
    );
    await screen.focusViewer(page);
    await screen.clickDisplay(page, 1200, 690); // empty space: gives the kiosk window the X focus

    /** Filters the list down to `name` and opens it; resolves to Date.now() of the opening Enter. */
    const open = (name: string) => async () => {
      await screen.pressAndSettle(page, '/');
      await screen.typeRemote(page, name);
      await screen.pressAndSettle(page, 'Enter');
      const at = Date.now();
      await page.keyboard.press('Enter');
      return at;
    };
    const close = () => screen.pressAndSettle(page, 'Escape');
    const seek = async () => {
      const display = await screen.shownSize(page);
      const box = (await page.getByTestId('viewer-video').boundingBox())!;
      const scale = Math.min(box.width / display.width, box.height / display.height);
      const x = box.x + (box.width - display.width * scale) / 2 + SEEK_BAR.x * scale;
      const y = box.y + (box.height - display.height * scale) / 2 + (display.height - SEEK_BAR.fromBottom) * scale;
      const at = Date.now();
      await page.mouse.click(x, y);
      return at;
    };
    const measure = async (): Promise<ExplorerTimes> => {
      const firstFrameMs = await timeUntilShown(page, 'the first frame', FIRST_FRAME, open(files.video));
      const seekMs = await timeUntilShown(page, 'the frame after the seek', SEEK_FRAME, seek);
      await close();
      const pdfPage1Ms = await timeUntilShown(page, 'PDF page 1', PDF_PAGE_1, open(files.pdf));
      await close();
      return { firstFrameMs, seekMs, pdfPage1Ms };
    };

    try {
      dropCaches();
      await timeUntilShown(page, 'the warm-up video', FIRST_FRAME, open(files.warmUpVideo));
      await close();
      await timeUntilShown(page, 'the warm-up PDF', PDF_PAGE_1, open(files.warmUpPdf));
      await close();
      const cold = await measure();
      const warm = await measure();
      return { cold, warm };
    } catch (err) {
      // What the explorer last said it did tells a missed key from a picture that never came.
      const last = ctx
        .claimsOf(sessionId)
        .slice(-3)
        .map((c) => `${c.kind} ${c.path}`);
      throw new Error(`${(err as Error).message} (the explorer's last reports: ${last.join(', ') || 'none'})`, {
        cause: err,
      });
    }
  });
}
