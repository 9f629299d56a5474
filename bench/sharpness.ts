/**
 * Sharpness benchmark: how fast static text becomes sharp after a page turn, over a shaped link,
 * measured against issue 13's target "static text after a page turn at 1 Mbit/s reaches PSNR ≥ 40 dB
 * against the framebuffer within 1 s".
 *
 *   node bench/sharpness.ts [--runs N] [--rates clean,1000,500] [--turns K] [--codec h264|vp8] [--pdf FILE]
 *
 * The real server runs in the server namespace of a shaped-link lab (e2e/lib/shaped-link.ts,
 * 192.0.2.0/24, a documentation range), headless Chromium views a File Explorer session from the
 * client namespace. One session per run: the explorer opens a text PDF (bench/lib/sharpness.ts
 * writeTextPdf, or --pdf), then for each link rate in turn (the tbf cap set, SETTLE_MS and one
 * unmeasured turn to let the congestion controller adapt) PageDown is pressed K times. Per turn:
 *  - the page samples the decoded <video> every SAMPLE_EVERY_MS for WINDOW_MS after the key press
 *    (drawn into a canvas at the display size, kept as luma);
 *  - this process reads the session's framebuffer file (Xvfb -fbdir, under the lab server's
 *    RUNTIME_DIR) until it has not changed for STILL_MS: that still picture is the reference;
 *  - the reference's luma is sent to the page once, which returns each sample's luma PSNR.
 * Prints a table (progress on stderr) and writes bench/SHARPNESS-RESULTS.md. Needs root.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { FramebufferReader } from '../server/src/media/framebuffer.ts';
import { registerInBrowser } from '../e2e/lib/passkeys.ts';
import { createShapedLink, startServerInLab, type LinkShape } from '../e2e/lib/shaped-link.ts';
import { closeLabViewer, openLabViewer, type LabViewer as Viewer } from './lib/lab-viewer.ts';
import { waitFor } from '../server/test/helpers.ts';
import { createAppsRoot } from './lib/apps-root.ts';
import { checkExplorerBuilt } from './lib/explorer.ts';
import { machineInfo } from './lib/report.ts';
import { VIEWER_STATE } from './lib/page-scripts.ts';
import {
  findSessionFramebuffer,
  lumaOfBgr0,
  lumaOfRgba,
  medianNotReached,
  psnr,
  psnrAt,
  timeToReach,
  writeTextPdf,
  type ScoredSample,
} from './lib/sharpness.ts';
import { median } from './lib/stats.ts';

// e2e/lib/browser.ts and remote-screen.ts use DOM types the root tsconfig does not load: imported
// by a path the type checker does not follow, with the signatures used here.
const BROWSER_LIB: string = '../e2e/lib/browser.ts';
type BrowserLib = { launchChromium(executablePath?: string, extraArgs?: string[]): Promise<Browser> };
const REMOTE_SCREEN: string = '../e2e/lib/remote-screen.ts';
interface RemoteScreen {
  focusViewer(page: Page): Promise<void>;
  clickDisplay(page: Page, x: number, y: number): Promise<void>;
  pressAndSettle(page: Page, key: string): Promise<void>;
  typeRemote(page: Page, text: string): Promise<void>;
}

const APP_ID = 'file-explorer';
const DISPLAY = { width: 1280, height: 720 };
const PDF_NAME = 'sharpness-report.pdf';
const PDF_PAGES = 40;
/** The decoded video is sampled this often after the key press, for WINDOW_MS. */
const SAMPLE_EVERY_MS = 125;
const WINDOW_MS = 2000;
/** Reported points after the key press. */
const POINTS_MS = [250, 500, 1000, 2000];
const TARGET_DB = 40;
const TARGET_LINK_KBIT = 1000;
const TARGET_WITHIN_MS = 1000;
/** The server's picture is final once its framebuffer has not changed for this long. */
const STILL_MS = 600;
const FB_POLL_MS = 20;
/** After a rate is applied: time for the congestion controller, before an unmeasured turn. */
const SETTLE_MS = 3000;
/** Between turns (the last turn's top-off has ended by then). */
const GAP_MS = 500;

const USAGE = `usage: node bench/sharpness.ts [--runs N] [--rates clean,1000,500] [--turns K] [--codec h264|vp8] [--pdf FILE]
  --runs N      sessions (default 3); medians over every turn of every run
  --rates LIST  link rates in kbit/s, "clean" for no cap, applied in this order (default clean,1000,500)
  --turns K     measured page turns per rate and run (default 5)
  --codec C     h264 (default) or vp8
  --pdf FILE    page through this PDF instead of the generated ${PDF_PAGES}-page text report`;

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    rates: { type: 'string', default: 'clean,1000,500' },
    turns: { type: 'string', default: '5' },
    codec: { type: 'string', default: 'h264' },
    pdf: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const RUNS = Math.round(Number(opts.runs));
const TURNS = Math.round(Number(opts.turns));
const RATES: Array<number | null> = opts.rates.split(',').map((r) => (r.trim() === 'clean' ? null : Number(r)));
const CODEC = opts.codec;
if (
  !(RUNS >= 1) ||
  !(TURNS >= 1) ||
  RATES.length === 0 ||
  RATES.some((r) => r !== null && !(r > 0)) ||
  (CODEC !== 'h264' && CODEC !== 'vp8')
)
  throw new Error(USAGE);

const resultsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'SHARPNESS-RESULTS.md');
const log = (msg: string) => process.stderr.write(`[bench:sharpness] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
const linkLabel = (rate: number | null) => (rate === null ? 'clean' : `${rate} kbit/s`);
const fmt = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);

/**
 * In the viewer page: `start(keyAt, count)` samples the <video> at keyAt + k·SAMPLE_EVERY_MS,
 * drawn at the display size (a stream the controller scaled down is stretched back, as the
 * viewer shows it) and kept as luma, with the inbound byte and frame counters; `score(base64)`
 * returns every sample's PSNR against the reference luma, so only the reference crosses over.
 */
const SAMPLER_SCRIPT = `(() => {
  const luma = ${lumaOfRgba.toString()};
  const psnr = ${psnr.toString()};
  const W = ${DISPLAY.width}, H = ${DISPLAY.height};
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const s = (window.__sharp = { samples: [], done: Promise.resolve() });
  s.start = (keyAt, count) => {
    const samples = (s.samples = []);
    s.done = new Promise((resolve) => {
      let k = 0;
      const next = () => {
        const video = window.__vitrine.video;
        const e = { t: Date.now() - keyAt, width: 0, height: 0, luma: null, bytes: null, frames: null };
        if (video && video.videoWidth > 0) {
          ctx.drawImage(video, 0, 0, W, H);
          e.luma = luma(ctx.getImageData(0, 0, W, H).data);
          e.width = video.videoWidth;
          e.height = video.videoHeight;
        }
        samples.push(e);
        const stats = window.__vitrine.pc.getStats().then((r) => r.forEach((x) => {
          if (x.type === 'inbound-rtp' && x.kind === 'video') { e.bytes = x.bytesReceived; e.frames = x.framesDecoded; }
        }));
        if (++k >= count) return void stats.then(resolve, resolve);
        setTimeout(next, Math.max(0, keyAt + k * ${SAMPLE_EVERY_MS} - Date.now()));
      };
      setTimeout(next, Math.max(0, keyAt - Date.now()));
    });
  };
  s.score = async (b64) => {
    await s.done;
    const bin = atob(b64);
    const ref = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) ref[i] = bin.charCodeAt(i);
    return s.samples.map((e) => ({ t: e.t, psnr: e.luma ? psnr(e.luma, ref) : null, width: e.width, height: e.height,
      bytes: e.bytes, frames: e.frames }));
  };
})()`;

/** The server's per-session video counters (GET /api/sessions/:id/stats), fetched by the page. */
const VIDEO_STATS = (id: string) =>
  `fetch('/api/sessions/${id}/stats').then((r) => r.json()).then((s) => s.video ?? null)`;
interface VideoStats {
  framesEncoded: number;
  framesRefined: number;
  rtpBytes: number;
  reconfigurations: number;
  keyframeRequests: number;
}

type Sample = ScoredSample & { bytes: number | null; frames: number | null };

interface TurnResult {
  samples: Sample[];
  /** Key press → the framebuffer's last change before it stayed still (the app's own render time). */
  serverStillMs: number | null;
  /** Received video bitrate over the window (getStats bytesReceived, RTP payload). */
  kbps: number | null;
  /** Server counters over the turn. */
  framesEncoded: number | null;
  framesRefined: number | null;
  sentKbytes: number | null;
  reconfigurations: number | null;
  /** Decoded sizes seen in the window other than the display's. */
  scaledSizes: string[];
}

// ---- clean-up --------------------------------------------------------------------------------
const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;
const cleanupAll = () =>
  (cleaning ??= (async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (err) {
        log(`clean-up step failed: ${(err as Error).message}`);
      }
    }
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

// ---- the framebuffer -------------------------------------------------------------------------

/**
 * Polls the framebuffer until it has been unchanged for STILL_MS (after at least one change if
 * `needChange`); returns a copy of that still frame and when it last changed (Date.now clock).
 */
async function stillFrame(
  reader: FramebufferReader,
  opts: { needChange: boolean; timeoutMs: number; stillMs?: number; before?: Buffer },
): Promise<{ frame: Buffer; lastChange: number | null }> {
  const began = Date.now();
  let prev = opts.before ?? Buffer.from(reader.read());
  let lastChange: number | null = null;
  let stableSince = Date.now();
  for (;;) {
    await sleep(FB_POLL_MS);
    const now = reader.read();
    const t = Date.now();
    if (!now.equals(prev)) {
      lastChange = t;
      stableSince = t;
      prev = Buffer.from(now);
    } else if (t - stableSince >= (opts.stillMs ?? STILL_MS) && (!opts.needChange || lastChange !== null)) {
      return { frame: prev, lastChange };
    }
    if (t - began > opts.timeoutMs) {
      throw new Error(
        `the framebuffer did not ${lastChange === null && opts.needChange ? 'change' : 'settle'} within ${opts.timeoutMs} ms`,
      );
    }
  }
}

function lumaStd(luma: Uint8Array): number {
  let s = 0;
  let s2 = 0;
  for (const v of luma) {
    s += v;
    s2 += v * v;
  }
  const n = luma.length;
  return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
}

// ---- one turn --------------------------------------------------------------------------------

async function measureTurn(page: Page, reader: FramebufferReader, sessionId: string): Promise<TurnResult> {
  const before = (await page.evaluate(VIDEO_STATS(sessionId))) as VideoStats | null;
  const count = Math.floor(WINDOW_MS / SAMPLE_EVERY_MS) + 1;
  const shown = Buffer.from(reader.read());
  const keyAt = Date.now();
  await page.keyboard.press('PageDown');
  const settled = stillFrame(reader, { needChange: true, timeoutMs: 10_000, before: shown });
  await page.evaluate(`window.__sharp.start(${keyAt}, ${count})`);
  const still = await settled;
  await page.evaluate('window.__sharp.done');
  const after = (await page.evaluate(VIDEO_STATS(sessionId))) as VideoStats | null;
  // The reference must still be what the screen shows at the end of the window.
  const end = reader.read();
  if (!end.equals(still.frame)) log('warning: the framebuffer changed again after it was still');
  const { width, height, bytesPerLine } = reader.layout;
  const ref = lumaOfBgr0(still.frame, bytesPerLine, width, height);
  const samples = (await page.evaluate(
    `window.__sharp.score(${JSON.stringify(Buffer.from(ref.buffer, ref.byteOffset, ref.length).toString('base64'))})`,
  )) as Sample[];
  const withBytes = samples.filter((s) => s.bytes !== null);
  const first = withBytes[0];
  const last = withBytes.at(-1);
  return {
    samples,
    serverStillMs: still.lastChange === null ? null : still.lastChange - keyAt,
    kbps: first && last && last.t > first.t ? ((last.bytes! - first.bytes!) * 8) / (last.t - first.t) : null,
    framesEncoded: before && after ? after.framesEncoded - before.framesEncoded : null,
    framesRefined: before && after ? after.framesRefined - before.framesRefined : null,
    sentKbytes: before && after ? (after.rtpBytes - before.rtpBytes) / 1000 : null,
    reconfigurations: before && after ? after.reconfigurations - before.reconfigurations : null,
    scaledSizes: [
      ...new Set(
        samples
          .filter((s) => s.width > 0 && (s.width !== DISPLAY.width || s.height !== DISPLAY.height))
          .map((s) => `${s.width}x${s.height}`),
      ),
    ],
  };
}

function describeTurn(r: TurnResult): string {
  const pts = POINTS_MS.map((p) => `${p / 1000}s ${fmt(psnrAt(r.samples, p), 1)}`).join(', ');
  const series = r.samples.map((s) => fmt(s.psnr, 0)).join(' ');
  const kb = r.samples
    .slice(1)
    .map((s, i) =>
      s.bytes !== null && r.samples[i]!.bytes !== null ? fmt((s.bytes - r.samples[i]!.bytes!) / 1000) : '?',
    )
    .join(' ');
  return (
    `PSNR ${pts}; 40 dB at ${fmt(timeToReach(r.samples, TARGET_DB))} ms; server still at ${fmt(r.serverStillMs)} ms; ` +
    `${fmt(r.kbps)} kbit/s; encoded ${fmt(r.framesEncoded)} (refined ${fmt(r.framesRefined)}), sent ${fmt(r.sentKbytes)} kB, ` +
    `reconfigured ${fmt(r.reconfigurations)}${r.scaledSizes.length ? `; scaled ${r.scaledSizes.join(', ')}` : ''}\n` +
    `    dB per sample: ${series}\n    kB received per ${SAMPLE_EVERY_MS} ms: ${kb}`
  );
}

// ---- the run ---------------------------------------------------------------------------------

async function uploadPdf(page: Page, file: string): Promise<void> {
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
    [PDF_NAME, base64] as const,
  );
  if (status !== 201) throw new Error(`uploading ${PDF_NAME}: HTTP ${status}`);
}

async function main(): Promise<void> {
  const began = performance.now();
  const date = new Date();
  checkExplorerBuilt();
  const screen = (await import(REMOTE_SCREEN)) as RemoteScreen;
  const apps = createAppsRoot([], [], [{ id: APP_ID, from: 'file-explorer' }]);
  cleanups.push(() => apps.remove());
  const lab = createShapedLink();
  cleanups.push(() => lab.destroy());
  const server = await startServerInLab(lab, {
    APPS_ROOT: apps.root,
    SESSION_LAUNCHES_PER_MINUTE: '10000',
    // The explorer follows the viewer's size: capping the display at the manifest's size keeps
    // the picture (and the framebuffer, the reference) at exactly DISPLAY.
    VIDEO_MAX_WIDTH: String(DISPLAY.width),
    VIDEO_MAX_HEIGHT: String(DISPLAY.height),
  });
  cleanups.push(() => server.stop());
  const { launchChromium } = (await import(BROWSER_LIB)) as BrowserLib;
  const browser = await launchChromium(server.chromiumWrapper, server.chromiumArgs);
  cleanups.push(() => browser.close());
  const machine = machineInfo(browser.version());
  log(`${machine.nproc} CPUs (${machine.cpuModel}), Chromium ${machine.chromium}; load ${machine.loadAvg.join(' ')}`);

  const owner = await registerInBrowser(
    browser,
    server.setupLink,
    { displayName: 'Bench', email: 'bench@example.test' },
    { apiUrl: server.origin },
  );
  const cookie = (await owner.context.cookies()).find((c) => c.name === 'vitrine_session')!;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-bench-sharpness-'));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const pdf = opts.pdf ?? path.join(tmp, PDF_NAME);
  if (!opts.pdf) writeTextPdf(pdf, PDF_PAGES);
  await uploadPdf(owner.page, pdf);
  await owner.context.close();

  const openViewer = async (): Promise<Viewer> =>
    openLabViewer(
      browser,
      {
        origin: server.origin,
        cookie,
        codec: CODEC,
        appId: APP_ID,
        viewport: { width: DISPLAY.width + 120, height: DISPLAY.height + 200 },
      },
      closeViewer,
    );
  const closeViewer = async (viewer: Viewer) => {
    lab.clear();
    await closeLabViewer(viewer, server.runtimeDir, log);
  };

  const turns = new Map<number | null, TurnResult[]>(RATES.map((r) => [r, []]));
  const errors: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    let viewer: Viewer | undefined;
    let reader: FramebufferReader | undefined;
    try {
      lab.clear();
      viewer = await openViewer();
      const { page, sessionId } = viewer;
      // The explorer's window follows the viewer's area: make that area exactly the display size.
      const area = (await page.getByTestId('viewer').boundingBox())!;
      const vp = page.viewportSize()!;
      await page.setViewportSize({
        width: vp.width + DISPLAY.width - Math.floor(area.width),
        height: vp.height + DISPLAY.height - Math.floor(area.height),
      });
      await waitFor(
        `a ${DISPLAY.width}x${DISPLAY.height} picture`,
        () =>
          page.evaluate(
            `window.__vitrine.video.videoWidth === ${DISPLAY.width} && window.__vitrine.video.videoHeight === ${DISPLAY.height}`,
          ),
        20_000,
        100,
      );
      reader = new FramebufferReader(findSessionFramebuffer(server.runtimeDir, sessionId!));
      const { width, height } = reader.layout;
      if (width !== DISPLAY.width || height !== DISPLAY.height)
        throw new Error(`the framebuffer is ${width}x${height}, expected ${DISPLAY.width}x${DISPLAY.height}`);
      const fbLuma = () => {
        const r = reader!;
        return lumaOfBgr0(r.read(), r.layout.bytesPerLine, width, height);
      };
      await waitFor('the explorer UI on the framebuffer', () => lumaStd(fbLuma()) >= 10, 30_000, 100);
      // The listing loads after the UI's first paint: a longer stillness before typing.
      await stillFrame(reader, { needChange: false, timeoutMs: 30_000, stillMs: 2000 });
      await screen.focusViewer(page);
      await screen.clickDisplay(page, 1200, 690); // empty space: gives the kiosk window the X focus
      await screen.pressAndSettle(page, '/'); // filter by name, back to the list, open
      await screen.typeRemote(page, PDF_NAME.slice(0, -4));
      await screen.pressAndSettle(page, 'Enter');
      await page.keyboard.press('Enter');
      await stillFrame(reader, { needChange: true, timeoutMs: 30_000, stillMs: 2000 });
      const shown = (await page.evaluate(
        '({ w: window.__vitrine.video.videoWidth, h: window.__vitrine.video.videoHeight })',
      )) as { w: number; h: number };
      if (shown.w !== width || shown.h !== height)
        throw new Error(`the viewer shows ${shown.w}x${shown.h} on a clean link, not the ${width}x${height} display`);
      await page.evaluate(SAMPLER_SCRIPT);
      for (const rate of RATES) {
        const tag = `run ${run}/${RUNS} ${linkLabel(rate)}`;
        const shape: LinkShape | null = rate === null ? null : { rateKbit: rate };
        if (shape) lab.shape(shape);
        else lab.clear();
        await sleep(SETTLE_MS);
        const warm = await measureTurn(page, reader, sessionId!);
        log(`${tag} warm-up turn (not counted): ${describeTurn(warm)}`);
        for (let i = 1; i <= TURNS; i++) {
          await sleep(GAP_MS);
          const r = await measureTurn(page, reader, sessionId!);
          turns.get(rate)!.push(r);
          log(`${tag} turn ${i}: ${describeTurn(r)}`);
        }
        const state = (await page.evaluate(VIEWER_STATE)) as string;
        if (state !== 'streaming') throw new Error(`viewer left streaming (state "${state}")`);
      }
    } catch (err) {
      if (reader && viewer) {
        // What the server's screen and the viewer showed when it failed, to see why.
        const shot = path.join(os.tmpdir(), `vitrine-sharpness-failed-run${run}`);
        fs.writeFileSync(`${shot}.bgr0`, reader.read());
        await viewer.page.screenshot({ path: `${shot}.png` }).catch(() => {});
        log(
          `run ${run}: the framebuffer (bgr0 ${reader.layout.width}x${reader.layout.height}) and a screenshot are in ${shot}.*`,
        );
      }
      errors.push(`run ${run}: ${(err as Error).message.split('\n')[0]}`);
      log(`run ${run}: FAILED: ${(err as Error).stack ?? String(err)}`);
    } finally {
      reader?.close();
      if (viewer) await closeViewer(viewer);
    }
  }

  // ---- table -----------------------------------------------------------------------------------
  const head = [
    'Link',
    'Turns',
    ...POINTS_MS.map((p) => `PSNR @ ${p / 1000} s (dB)`),
    `Time to ${TARGET_DB} dB (ms)`,
    `Turns ≥ ${TARGET_DB} dB within ${TARGET_WITHIN_MS / 1000} s`,
    'Received (kbit/s)',
    'Server picture final after (ms)',
    'Frames encoded (refined) per turn',
    'Decoded size',
  ];
  const rows = RATES.map((rate) => {
    const rs = turns.get(rate)!;
    const reach = rs.map((r) => timeToReach(r.samples, TARGET_DB));
    const inTime = reach.filter((t) => t !== null && t <= TARGET_WITHIN_MS).length;
    const everReached = reach.filter((t) => t !== null).length;
    const scaled = [...new Set(rs.flatMap((r) => r.scaledSizes))];
    return [
      linkLabel(rate),
      String(rs.length),
      ...POINTS_MS.map((p) => fmt(median(rs.map((r) => psnrAt(r.samples, p))), 1)),
      `${
        rs.length === 0
          ? 'n/a'
          : (() => {
              const m = medianNotReached(reach);
              return m === null ? `> ${WINDOW_MS}` : fmt(m);
            })()
      } (reached in ${everReached}/${rs.length})`,
      `${inTime}/${rs.length}`,
      fmt(median(rs.map((r) => r.kbps))),
      fmt(median(rs.map((r) => r.serverStillMs))),
      `${fmt(median(rs.map((r) => r.framesEncoded)))} (${fmt(median(rs.map((r) => r.framesRefined)))})`,
      scaled.length
        ? `${DISPLAY.width}x${DISPLAY.height}, also ${scaled.join(', ')}`
        : `${DISPLAY.width}x${DISPLAY.height}`,
    ];
  });
  const table = [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const targetTurns = turns.get(TARGET_LINK_KBIT) ?? [];
  const targetAsked = RATES.includes(TARGET_LINK_KBIT);
  const targetMedian = medianNotReached(targetTurns.map((r) => timeToReach(r.samples, TARGET_DB)));
  const verdict =
    targetTurns.length === 0
      ? `not measured (${targetAsked ? 'every run failed' : `--rates without ${TARGET_LINK_KBIT}`})`
      : targetMedian !== null && targetMedian <= TARGET_WITHIN_MS
        ? `met: the median turn reached ${TARGET_DB} dB after ${fmt(targetMedian)} ms`
        : `missed: the median turn reached ${TARGET_DB} dB ${targetMedian === null ? `not within ${WINDOW_MS} ms` : `after ${fmt(targetMedian)} ms`}`;
  console.log(
    `${table}\n\nTarget (${TARGET_LINK_KBIT} kbit/s, ≥ ${TARGET_DB} dB within ${TARGET_WITHIN_MS / 1000} s): ${verdict}`,
  );
  const tookS = Math.round((performance.now() - began) / 1000);
  log(`took ${tookS} s`);

  const la = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const command = `node bench/sharpness.ts --runs ${RUNS} --rates ${opts.rates} --turns ${TURNS} --codec ${CODEC}${opts.pdf ? ` --pdf ${opts.pdf}` : ''}`;
  const report = `# Text sharpness after a page turn over a shaped link (issue 13)

- **Date:** ${date.toISOString()} (took ${tookS} s; \`${command}\`)
- **Machine:** ${machine.nproc} CPU(s), ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB RAM, ${machine.kernel}; load average (1/5/15 min) ${la(machine.loadAvg)} at start, ${la(os.loadavg())} at end
- **Code:** ${machine.revision}
- **Software:** Node ${machine.node}, FFmpeg ${machine.ffmpeg}, Chromium ${machine.chromium}

**Target** "static text after a page turn at 1 Mbit/s reaches PSNR ≥ ${TARGET_DB} dB against the framebuffer
within 1 s": **${verdict}**.

## Results (medians over every measured turn of every run; codec ${CODEC === 'h264' ? 'H.264' : 'VP8'})

${table}

## Method

- **Lab** (\`e2e/lib/shaped-link.ts\`): the real server runs in one network namespace (192.0.2.1), headless
  Chromium in another (192.0.2.2), joined by a veth pair (TEST-NET-1, nothing routed out). A rate is a
  \`tbf\` cap on both directions (burst max(2 frames, 5 ms), queue 200 ms); "clean" is the unshaped veth.
  No delay or loss is added. The display is capped at ${DISPLAY.width}x${DISPLAY.height} (\`VIDEO_MAX_WIDTH/HEIGHT\`), the
  explorer's manifest size, so the picture sent is the whole framebuffer.
- **Content:** the File Explorer (\`apps/file-explorer\`) showing ${opts.pdf ? `\`${path.basename(opts.pdf)}\`` : `a ${PDF_PAGES}-page text PDF (\`writeTextPdf\` in \`bench/lib/sharpness.ts\`: per page a heading and ≈ 50 lines of 10 pt Times-Roman body text)`}
  at its default "fit page" zoom; the next-page key is PageDown.
- **Sequence:** one session per run; the PDF is opened over the clean link, then each rate is applied in
  the order ${RATES.map(linkLabel).join(', ')}; after ${SETTLE_MS / 1000} s and one unmeasured turn (the congestion
  controller adapts), ${TURNS} measured turns, ${GAP_MS} ms apart after each one's window.
- **Reference:** this process reads the session's framebuffer file (Xvfb \`-fbdir\`, under the lab server's
  RUNTIME_DIR; pixels bgr0 at the offset \`server/src/media/framebuffer.ts\` computes from the XWD header)
  every ${FB_POLL_MS} ms after the key press, until it has not changed for ${STILL_MS} ms: that frame is the
  reference, and "server picture final after" is the time of its last change (the app's own render
  time, which no link can beat). It is checked again at the end of the window.
- **Samples:** in the viewer page, every ${SAMPLE_EVERY_MS} ms for ${WINDOW_MS / 1000} s after the key press, the <video> is drawn
  into a ${DISPLAY.width}x${DISPLAY.height} canvas (a stream the controller scaled down is stretched back as the viewer
  shows it; "Decoded size" lists such sizes) and its luma kept. The reference's luma (≈ 0.9 MB) is sent to
  the page once per turn and the page returns one number per sample.
- **PSNR:** of luma Y = (299 R + 587 G + 114 B) / 1000, rounded to 8 bits, on both sides, over the whole
  ${DISPLAY.width}x${DISPLAY.height} picture (UI chrome included; it does not change on a turn, so it raises the
  PSNR slightly); 99 dB stands for identical. "PSNR @ t" is the last sample taken at or before t (+30 ms of
  timer slack). "Time to ${TARGET_DB} dB" is the first sample at or above it; the median counts a turn that
  never got there as later than ${WINDOW_MS / 1000} s.
- **Received:** inbound-rtp \`bytesReceived\` (RTP payload) over the ${WINDOW_MS / 1000} s window. "Frames encoded (refined)":
  the server's own counters (\`GET /api/sessions/:id/stats\`) over the turn, refined = top-off re-encodes.
${errors.length ? `\n## Failed runs\n\n${errors.map((e) => `- ${e}`).join('\n')}\n` : ''}`;
  if (errors.length) log(`failed runs:\n${errors.map((e) => `  ${e}`).join('\n')}`);
  if ([...turns.values()].every((rs) => rs.length === 0)) throw new Error('every run failed');
  fs.writeFileSync(resultsPath, report);
  log(`wrote ${path.relative(process.cwd(), resultsPath)}`);
}

try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
