/**
 * Network benchmark: what a viewer gets over a shaped link (e2e/lib/shaped-link.ts: two
 * test-made network namespaces joined by a veth pair, a tbf rate cap and iptables random loss),
 * measured against the targets of issue 13 (the congestion controller).
 *
 *  - For each codec and each content — "light" (the diagnostics app's own animation) and "busy"
 *    (`vitrine-diagnostics --busy`: scrolling text and sliding texture bands around the same
 *    timestamp pattern, most pixels changing every frame) — one session per run goes through the
 *    link conditions in turn; per condition: decoded fps, glass-to-glass p50/p95, received
 *    bitrate, freezes after the condition's first SETTLE_S s, and how long until full rate and
 *    full quality are back.
 *  - For each codec, the "250 kbit/s document": the File Explorer shows a multi-page PDF, the link
 *    is capped at 250 kbit/s and the time from PageDown until the decoded picture visibly
 *    changes is measured (bench/lib/document.ts).
 *
 *   node bench/network.ts [--runs N] [--seconds S] [--codecs h264,vp8] [--content light,busy]
 *                         [--turns K] [--no-document] [--quick]
 *
 * Prints the tables to stdout (progress goes to stderr); a run without --quick also writes
 * bench/NETWORK-RESULTS.md. The server runs in the lab's server namespace on 192.0.2.1, Chromium
 * in its client namespace on 192.0.2.2 (TEST-NET-1, a documentation range); nothing is routed
 * out of the namespaces. Needs root (namespaces, tc, iptables), like the end-to-end tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { registerInBrowser } from '../e2e/lib/passkeys.ts';
import { createShapedLink, startServerInLab, type LinkShape } from '../e2e/lib/shaped-link.ts';
import { closeLabViewer, openLabViewer, type LabViewer as Viewer } from './lib/lab-viewer.ts';
import { createAppsRoot, type BenchApp } from './lib/apps-root.ts';
import {
  CHANGE_MONITOR_SCRIPT,
  DOCUMENT_APP_ID,
  DOCUMENT_PAGES,
  STILL_MS,
  TURN_TIMEOUT_MS,
  VISIBLE_SHARE,
  measurePageTurns,
  uploadDocument,
  type DocumentRunResult,
} from './lib/document.ts';
import { checkExplorerBuilt } from './lib/explorer.ts';
import { machineInfo } from './lib/report.ts';
import { INBOUND_STATS, VIEWER_STATE, recorderScript, setRecording, type InboundSnapshot } from './lib/page-scripts.ts';
import { median, percentile } from './lib/stats.ts';

// e2e/lib/browser.ts holds the Chromium flags that work here; it uses DOM types the root
// tsconfig does not load, so it is imported by a path the type checker does not follow.
const BROWSER_LIB: string = '../e2e/lib/browser.ts';
type BrowserLib = { launchChromium(executablePath?: string, extraArgs?: string[]): Promise<Browser> };

type Codec = 'h264' | 'vp8';
const CODEC_LABEL: Record<Codec, string> = { h264: 'H.264', vp8: 'VP8' };
type Content = 'light' | 'busy';
const DISPLAY = { width: 1280, height: 720 };
const APPS: Array<BenchApp & { content: Content }> = [
  { id: 'diag-light', content: 'light', ...DISPLAY, fps: 30 },
  { id: 'diag-busy', content: 'busy', ...DISPLAY, fps: 30, busy: true },
];

interface Condition {
  label: string;
  /** null: no shaping at all (the link is cleared). */
  shape: LinkShape | null;
}
const CLEAN = 'clean';
const CAP_LIFTED = 'cap lifted (after 500 kbit/s)';
/** In the order they are applied within one session; "cap lifted" must follow 500 kbit/s. */
const CONDITIONS: Condition[] = [
  { label: CLEAN, shape: null },
  { label: '5 % random loss', shape: { lossPercent: 5 } },
  { label: '4 Mbit/s', shape: { rateKbit: 4000 } },
  { label: '1 Mbit/s', shape: { rateKbit: 1000 } },
  { label: '500 kbit/s', shape: { rateKbit: 500 } },
  { label: CAP_LIFTED, shape: null },
];
/** Row order of the tables. */
const ROW_ORDER = [CLEAN, '4 Mbit/s', '1 Mbit/s', '500 kbit/s', '5 % random loss', CAP_LIFTED];
const DOCUMENT_CAP: LinkShape = { rateKbit: 250 };

/** Seconds after a condition is applied before its measurement window opens. */
const SETTLE_S = 3;
/** "Full rate": ≥ this many frames presented in the last second… */
const FULL_RATE_FRAMES = 25;
/** …each of them (where decoded) at most this late, glass to glass… */
const FULL_RATE_G2G_MS = 200;
/** …and all at the size the clean condition showed. "Full quality" adds: the received bitrate
 *  over the last FULL_BITRATE_WINDOW_MS is ≥ FULL_BITRATE_SHARE of the clean condition's. */
const FULL_BITRATE_SHARE = 0.75;
const FULL_BITRATE_WINDOW_MS = 2000;
/** getStats sampling period of the bitrate log. */
const STATS_EVERY_MS = 250;

const USAGE = `usage: node bench/network.ts [--runs N] [--seconds S] [--codecs h264,vp8] [--content light,busy]
                             [--turns K] [--no-document] [--quick]
  --runs N         sessions per codec and content (default 3; --quick: 1); medians across runs
  --seconds S      measurement window per condition, after ${SETTLE_S} s of settling (default 7; --quick: 3)
  --codecs LIST    h264, vp8 (default both)
  --content LIST   light (the diagnostics animation), busy (--busy: most pixels change) (default both)
  --turns K        page turns per run of the 250 kbit/s document (default 5; --quick: 3)
  --no-document    skip the 250 kbit/s document (File Explorer)
  --quick          1 run, short windows; prints the tables, does not write NETWORK-RESULTS.md`;

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string' },
    seconds: { type: 'string' },
    codecs: { type: 'string', default: 'h264,vp8' },
    content: { type: 'string', default: 'light,busy' },
    turns: { type: 'string' },
    document: { type: 'boolean', default: true },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowNegative: true,
  strict: true,
});
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const QUICK = opts.quick;
const RUNS = Math.round(Number(opts.runs ?? (QUICK ? 1 : 3)));
const SECONDS = Number(opts.seconds ?? (QUICK ? 3 : 7));
const TURNS = Math.round(Number(opts.turns ?? (QUICK ? 3 : 5)));
const list = <T extends string>(raw: string, allowed: readonly T[]): T[] =>
  raw
    .split(',')
    .map((c) => c.trim())
    .filter((c): c is T => (allowed as readonly string[]).includes(c));
const CODECS = list(opts.codecs, ['h264', 'vp8'] as const);
const CONTENTS = list(opts.content, ['light', 'busy'] as const);
const DOCUMENT = opts.document;
if (
  !(RUNS >= 1) ||
  !Number.isFinite(SECONDS) ||
  SECONDS < 1 ||
  !(TURNS >= 1) ||
  CODECS.length === 0 ||
  (CONTENTS.length === 0 && !DOCUMENT)
)
  throw new Error(USAGE);

const resultsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'NETWORK-RESULTS.md');
const log = (msg: string) => process.stderr.write(`[bench:network] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Installed after the recorder: a second requestVideoFrameCallback loop that logs, for every
 * presented frame, its wall time, the glass-to-glass latency the recorder decoded for that same
 * frame (its callback runs first for each frame; null when the frame was undecodable) and the
 * decoded frame's size.
 */
const PRESENT_LOG_SCRIPT = `(() => {
  const b = window.__bench;
  const video = window.__vitrine.video;
  b.present = [];
  b.rates = [];
  let samples = b.samples;
  let seen = samples.length;
  const onFrame = (_now, meta) => {
    let g2g = null;
    if (b.samples !== samples) { samples = b.samples; seen = 0; }
    if (samples.length > seen) { g2g = samples[samples.length - 1].g2g; seen = samples.length; }
    b.present.push([Date.now(), g2g, meta.width, meta.height]);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
})()`;
/**
 * Starts a fresh log (and a fresh recorder window) at the moment a condition is applied, with a
 * getStats sampler of received bytes every STATS_EVERY_MS.
 */
const RESET_LOGS = `(() => {
  const b = window.__bench;
  ${setRecording(true)};
  b.present = [];
  b.rates = [];
  clearInterval(b.ratesTimer);
  const sample = async () => {
    const s = await (${INBOUND_STATS});
    if (s) b.rates.push([Date.now(), s.bytesReceived]);
  };
  b.ratesTimer = setInterval(sample, ${STATS_EVERY_MS});
  void sample();
  return Date.now();
})()`;
const READ_LOGS = `({ present: window.__bench.present, rates: window.__bench.rates })`;

type Presented = [wall: number, g2g: number | null, width: number, height: number];

interface ConditionResult {
  fps: number | null;
  g2gP50: number | null;
  g2gP95: number | null;
  kbps: number | null;
  /** Gaps between presented frames in the window (its edges count as frames) longer than 0.5 / 1 s. */
  freezes500: number;
  freezes1000: number;
  maxGapMs: number;
  /** The most frequent decoded size in the window, "WxH". */
  size: string;
  /** From the condition's start until a second at full rate, s; null if not reached. */
  fullRateAfterS: number | null;
  /** From the condition's start until full rate and full bitrate hold at once, s; null if not
   *  reached or no clean reference. */
  fullQualityAfterS: number | null;
  /** Frames presented in the window whose picture could not be decoded. */
  undecodable: number;
  /** tbf drops of the server → client direction, counted since the condition was applied. */
  tbfDropped: number | null;
}

interface Reference {
  kbps: number;
  width: number;
  height: number;
}

async function measureCondition(
  page: Page,
  apply: () => void,
  tbfDown: () => { dropped: number } | null,
  reference: Reference | null,
): Promise<ConditionResult> {
  apply();
  const t0 = (await page.evaluate(RESET_LOGS)) as number;
  await sleep(SETTLE_S * 1000);
  const a = (await page.evaluate(INBOUND_STATS)) as InboundSnapshot | null;
  const w0 = Date.now();
  await sleep(SECONDS * 1000);
  const b = (await page.evaluate(INBOUND_STATS)) as InboundSnapshot | null;
  const w1 = Date.now();
  const logs = (await page.evaluate(READ_LOGS)) as { present: Presented[]; rates: Array<[number, number]> };
  const dropped = tbfDown()?.dropped ?? null;
  const present = logs.present;

  const inWindow = present.filter(([t]) => t >= w0 && t <= w1);
  const g2g = inWindow.map(([, g]) => g);
  const edges = [w0, ...inWindow.map(([t]) => t), w1];
  const gaps = edges.slice(1).map((t, i) => t - edges[i]!);
  const sizes = new Map<string, number>();
  for (const [, , w, h] of inWindow) sizes.set(`${w}x${h}`, (sizes.get(`${w}x${h}`) ?? 0) + 1);
  const size = [...sizes].sort((x, y) => y[1] - x[1])[0]?.[0] ?? 'n/a';

  // Full rate at wall time t: the second before t.
  const fullRateAt = (t: number): boolean => {
    const second = present.filter(([u]) => u > t - 1000 && u <= t);
    return (
      t - t0 >= 1000 &&
      second.length >= FULL_RATE_FRAMES &&
      second.every(
        ([, g, w, h]) =>
          (g === null || g <= FULL_RATE_G2G_MS) && (!reference || (w === reference.width && h === reference.height)),
      )
    );
  };
  const fullRateT = present.map(([t]) => t).find(fullRateAt);
  // Full quality at a presented frame's time t: full rate, and the bitrate between the last
  // getStats sample before t and the first one FULL_BITRATE_WINDOW_MS before that.
  let fullQualityT: number | undefined;
  if (reference) {
    for (const [t] of present) {
      if (t - t0 < FULL_BITRATE_WINDOW_MS) continue;
      const to = logs.rates.findLast(([u]) => u <= t);
      const from = to && logs.rates.find(([u]) => u >= to[0] - FULL_BITRATE_WINDOW_MS);
      if (!to || !from || to[0] - from[0] < FULL_BITRATE_WINDOW_MS * 0.75) continue;
      const kbps = ((to[1] - from[1]) * 8) / (to[0] - from[0]);
      if (kbps >= FULL_BITRATE_SHARE * reference.kbps && fullRateAt(t)) {
        fullQualityT = t;
        break;
      }
    }
  }
  const dt = a && b ? (b.timestamp - a.timestamp) / 1000 : 0;
  return {
    fps: a && b && dt > 0 ? (b.framesDecoded - a.framesDecoded) / dt : null,
    g2gP50: percentile(g2g, 50),
    g2gP95: percentile(g2g, 95),
    kbps: a && b && dt > 0 ? ((b.bytesReceived - a.bytesReceived) * 8) / 1000 / dt : null,
    freezes500: gaps.filter((g) => g > 500).length,
    freezes1000: gaps.filter((g) => g > 1000).length,
    maxGapMs: Math.max(...gaps),
    size,
    fullRateAfterS: fullRateT === undefined ? null : (fullRateT - t0) / 1000,
    fullQualityAfterS: fullQualityT === undefined ? null : (fullQualityT - t0) / 1000,
    undecodable: g2g.filter((g) => g === null).length,
    tbfDropped: dropped,
  };
}

/** Cleanup steps, last registered first; run on success, failure and SIGINT/SIGTERM. */
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

function table(head: string[], rows: string[][]): string {
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
const fmt = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);

// ---- the issue's targets -------------------------------------------------------------------

interface Target {
  link: string;
  what: string;
  /** The median across runs the target is judged on, shown as text, and whether it is met. */
  judge(rs: ConditionResult[]): { shown: string; met: boolean | null };
}
const medianOf = (rs: ConditionResult[], pick: (r: ConditionResult) => number | null) => median(rs.map(pick));
const atLeast = (v: number | null, min: number) => (v === null ? null : v >= min);
const atMost = (v: number | null, max: number) => (v === null ? null : v <= max);
const fpsTarget = (link: string, min: number): Target => ({
  link,
  what: `decoded fps ≥ ${min}`,
  judge: (rs) => {
    const v = medianOf(rs, (r) => r.fps);
    return { shown: fmt(v, 1), met: atLeast(v, min) };
  },
});
const p95Target = (link: string, max: number): Target => ({
  link,
  what: `g2g p95 ≤ ${max} ms`,
  judge: (rs) => {
    const v = medianOf(rs, (r) => r.g2gP95);
    return { shown: fmt(v), met: atMost(v, max) };
  },
});
/** "0": no freeze (gap > 0.5 s) at all; otherwise the longest gap may not exceed maxGapMs. */
const freezeTarget = (link: string, maxGapMs: number | 'none'): Target => ({
  link,
  what: maxGapMs === 'none' ? 'freezes after 3 s: 0' : `freezes after 3 s: none > ${maxGapMs / 1000} s`,
  judge: (rs) => {
    const n = medianOf(rs, (r) => r.freezes500);
    const longest = medianOf(rs, (r) => r.maxGapMs);
    return {
      shown: `${fmt(n)} (longest ${fmt(longest)} ms)`,
      met: maxGapMs === 'none' ? atMost(n, 0) : atMost(longest, maxGapMs),
    };
  },
});
const TARGETS: Target[] = [
  fpsTarget(CLEAN, 29),
  p95Target(CLEAN, 45),
  freezeTarget(CLEAN, 'none'),
  fpsTarget('4 Mbit/s', 25),
  p95Target('4 Mbit/s', 150),
  freezeTarget('4 Mbit/s', 'none'),
  fpsTarget('1 Mbit/s', 15),
  p95Target('1 Mbit/s', 300),
  freezeTarget('1 Mbit/s', 1000),
  fpsTarget('500 kbit/s', 10),
  p95Target('500 kbit/s', 500),
  freezeTarget('500 kbit/s', 1000),
  fpsTarget('5 % random loss', 25),
  p95Target('5 % random loss', 150),
  freezeTarget('5 % random loss', 500),
  {
    link: CAP_LIFTED,
    what: 'back to full quality ≤ 5 s',
    judge: (rs) => {
      const v = medianOf(rs, (r) => r.fullQualityAfterS);
      const reached = rs.filter((r) => r.fullQualityAfterS !== null).length;
      return {
        shown: `${fmt(v, 1)} s${reached < rs.length ? ` (${reached}/${rs.length} runs)` : ''}`,
        // A run that never got back counts as failing, even if the median of the others is fine.
        met: rs.length === 0 ? null : reached === rs.length && v !== null && v <= 5,
      };
    },
  },
];
const DOCUMENT_TARGET_MS = 1500;
const mark = (met: boolean | null) => (met === null ? '?' : met ? '✓' : '✗');

// ---- one viewer ------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = performance.now();
  const date = new Date();
  if (DOCUMENT) checkExplorerBuilt();
  const apps = createAppsRoot(
    APPS.filter((a) => CONTENTS.includes(a.content)),
    [],
    DOCUMENT ? [{ id: DOCUMENT_APP_ID, from: 'file-explorer' }] : [],
  );
  cleanups.push(() => apps.remove());
  const lab = createShapedLink();
  cleanups.push(() => lab.destroy());
  const server = await startServerInLab(lab, {
    APPS_ROOT: apps.root,
    // Sessions back to back, far faster than a person would start them.
    SESSION_LAUNCHES_PER_MINUTE: '10000',
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
  if (DOCUMENT) await uploadDocument(owner.page);
  await owner.context.close();

  /** Opens the app list with `?codec=`, launches `appId` and waits until the viewer streams. */
  const openViewer = async (codec: Codec, appId: string, initScript?: string): Promise<Viewer> =>
    openLabViewer(
      browser,
      {
        origin: server.origin,
        cookie,
        codec,
        appId,
        viewport: { width: DISPLAY.width, height: DISPLAY.height + 160 },
        initScript,
      },
      closeViewer,
    );
  const closeViewer = async (viewer: Viewer) => {
    lab.clear();
    await closeLabViewer(viewer, server.runtimeDir, log);
  };

  // results[codec, content, condition] = one entry per run; documents[codec] likewise
  const results = new Map<string, ConditionResult[]>();
  const documents = new Map<Codec, DocumentRunResult[]>();
  const errors: string[] = [];
  const key = (codec: Codec, content: Content, cond: string) => `${codec}\t${content}\t${cond}`;

  for (let run = 1; run <= RUNS; run++) {
    for (const codec of CODECS) {
      for (const app of APPS.filter((a) => CONTENTS.includes(a.content))) {
        const tag = `run ${run}/${RUNS} ${CODEC_LABEL[codec]} ${app.content}`;
        let viewer: Viewer | undefined;
        try {
          lab.clear();
          viewer = await openViewer(codec, app.id);
          const p = viewer.page;
          await p.evaluate(recorderScript(DISPLAY));
          await p.waitForFunction('window.__bench.last !== null', null, { timeout: 10_000 });
          await p.evaluate(PRESENT_LOG_SCRIPT);
          let reference: Reference | null = null;
          for (const cond of CONDITIONS) {
            // shape() replaces the qdisc, so its counters start with the condition.
            const r = await measureCondition(
              p,
              () => (cond.shape ? lab.shape(cond.shape) : lab.clear()),
              () => lab.stats().down,
              reference,
            );
            if (cond.label === CLEAN && r.kbps !== null && /^\d+x\d+$/.test(r.size)) {
              const [width, height] = r.size.split('x').map(Number) as [number, number];
              reference = { kbps: r.kbps, width, height };
            }
            const k = key(codec, app.content, cond.label);
            results.set(k, [...(results.get(k) ?? []), r]);
            log(
              `${tag} ${cond.label}: ${fmt(r.fps, 1)} fps, g2g p50 ${fmt(r.g2gP50)} p95 ${fmt(r.g2gP95)} ms, ` +
                `${fmt(r.kbps)} kbit/s, ${r.size}, freezes >0.5 s ${r.freezes500} >1 s ${r.freezes1000} (longest ${r.maxGapMs} ms), ` +
                `full rate after ${fmt(r.fullRateAfterS, 1)} s, full quality after ${fmt(r.fullQualityAfterS, 1)} s, ` +
                `undecodable ${r.undecodable}, tbf dropped ${fmt(r.tbfDropped)}`,
            );
            const now = (await p.evaluate(VIEWER_STATE)) as string;
            if (now !== 'streaming') throw new Error(`viewer left streaming (state "${now}") during ${cond.label}`);
          }
        } catch (err) {
          errors.push(`${tag}: ${(err as Error).message.split('\n')[0]}`);
          log(`${tag}: FAILED: ${(err as Error).stack ?? String(err)}`);
        } finally {
          if (viewer) await closeViewer(viewer);
        }
      }
      if (!DOCUMENT) continue;
      const tag = `run ${run}/${RUNS} ${CODEC_LABEL[codec]} 250 kbit/s document`;
      let viewer: Viewer | undefined;
      try {
        lab.clear();
        viewer = await openViewer(codec, DOCUMENT_APP_ID, CHANGE_MONITOR_SCRIPT);
        const r = await measurePageTurns(viewer.page, {
          cap: () => lab.shape(DOCUMENT_CAP),
          settleMs: SETTLE_S * 1000,
          turns: TURNS,
          log: (msg) => log(`${tag}: ${msg}`),
        });
        documents.set(codec, [...(documents.get(codec) ?? []), r]);
        log(
          `${tag}: page turn visible after ${r.turns.map((t) => fmt(t.visibleMs)).join(' / ')} ms, ` +
            `settled after ${r.turns.map((t) => fmt(t.settledMs)).join(' / ')} ms`,
        );
      } catch (err) {
        errors.push(`${tag}: ${(err as Error).message.split('\n')[0]}`);
        log(`${tag}: FAILED: ${(err as Error).stack ?? String(err)}`);
      } finally {
        if (viewer) await closeViewer(viewer);
      }
    }
  }

  // ---- tables ----------------------------------------------------------------------------------
  const head = [
    'Codec',
    'Content',
    'Link',
    'Runs',
    'Decoded fps',
    'Glass-to-glass p50 / p95 (ms)',
    'Received (kbit/s)',
    'Freezes > 0.5 s / > 1 s',
    'Longest gap (ms)',
    'Full rate / full quality after (s)',
    'Decoded size',
  ];
  const rows: string[][] = [];
  for (const codec of CODECS) {
    for (const content of CONTENTS) {
      for (const label of ROW_ORDER) {
        const rs = results.get(key(codec, content, label)) ?? [];
        const m = (pick: (r: ConditionResult) => number | null) => median(rs.map(pick));
        const reached = (pick: (r: ConditionResult) => number | null) => {
          const n = rs.filter((r) => pick(r) !== null).length;
          return `${fmt(m(pick), 1)}${n < rs.length ? ` (${n}/${rs.length})` : ''}`;
        };
        const sizes = [...new Set(rs.map((r) => r.size))];
        rows.push([
          CODEC_LABEL[codec],
          content,
          label,
          String(rs.length),
          fmt(
            m((r) => r.fps),
            1,
          ),
          `${fmt(m((r) => r.g2gP50))} / ${fmt(m((r) => r.g2gP95))}`,
          fmt(m((r) => r.kbps)),
          `${fmt(m((r) => r.freezes500))} / ${fmt(m((r) => r.freezes1000))}`,
          fmt(m((r) => r.maxGapMs)),
          rs.length === 0
            ? 'n/a'
            : label === CLEAN
              ? `${reached((r) => r.fullRateAfterS)} / (reference)`
              : `${reached((r) => r.fullRateAfterS)} / ${reached((r) => r.fullQualityAfterS)}`,
          sizes.join(', ') || 'n/a',
        ]);
      }
    }
  }
  const resultTable = table(head, rows);

  const docHead = [
    'Codec',
    'Runs',
    'Turns',
    'Page turn visible, median (ms)',
    'Longest (ms)',
    'Settled, median (ms)',
    'Not seen within 15 s',
  ];
  const docRows = CODECS.map((codec) => {
    const rs = documents.get(codec) ?? [];
    return [
      CODEC_LABEL[codec],
      String(rs.length),
      String(rs.reduce((n, r) => n + r.turns.length, 0)),
      fmt(median(rs.map((r) => r.visibleMedianMs))),
      fmt(rs.length ? Math.max(...rs.map((r) => r.visibleMaxMs ?? 0)) : null),
      fmt(median(rs.map((r) => r.settledMedianMs))),
      String(rs.reduce((n, r) => n + r.missed, 0)),
    ];
  });
  const documentTable = DOCUMENT ? table(docHead, docRows) : '(not run: --no-document)';

  const targetRows: string[][] = TARGETS.map((t) => [
    t.link === CLEAN ? 'clean (veth, no shaping)' : t.link,
    t.what,
    ...CODECS.map((codec) =>
      CONTENTS.map((content) => {
        const rs = results.get(key(codec, content, t.link)) ?? [];
        if (rs.length === 0) return `${content} n/a`;
        const { shown, met } = t.judge(rs);
        return `${content} ${shown} ${mark(met)}`;
      }).join(' · '),
    ),
  ]);
  if (DOCUMENT) {
    targetRows.splice(12, 0, [
      '250 kbit/s document',
      `page turn visible ≤ ${DOCUMENT_TARGET_MS / 1000} s`,
      ...CODECS.map((codec) => {
        const rs = documents.get(codec) ?? [];
        const v = median(rs.map((r) => r.visibleMedianMs));
        return `${fmt(v)} ms ${mark(v === null ? null : v <= DOCUMENT_TARGET_MS)}`;
      }),
    ]);
  }
  const targetTable = table(['Link', 'Target (issue 13)', ...CODECS.map((c) => CODEC_LABEL[c])], targetRows);

  console.log(`### Per condition (medians over runs)\n\n${resultTable}`);
  console.log(`\n### 250 kbit/s document (File Explorer, PDF, PageDown)\n\n${documentTable}`);
  console.log(`\n### Targets (medians over runs; ✓ met, ✗ missed, ? not measured)\n\n${targetTable}`);
  const tookS = Math.round((performance.now() - began) / 1000);
  log(`took ${tookS} s`);

  const la = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const command = `node bench/network.ts --runs ${RUNS} --seconds ${SECONDS} --codecs ${CODECS.join(',')} --content ${CONTENTS.join(',')} --turns ${TURNS}${DOCUMENT ? '' : ' --no-document'}`;
  const report = `# Vitrine over a shaped link — against the targets of issue 13

- **Date:** ${date.toISOString()} (took ${tookS} s; \`${command}\`)
- **Machine:** ${machine.nproc} CPU(s), ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB RAM, ${machine.kernel}; load average (1/5/15 min) ${la(machine.loadAvg)} at start, ${la(os.loadavg())} at end
- **Code:** ${machine.revision}
- **Software:** Node ${machine.node}, FFmpeg ${machine.ffmpeg}, Chromium ${machine.chromium}

## Targets

${targetTable}

## Method

- **Link** (\`e2e/lib/shaped-link.ts\`): two network namespaces made by the benchmark, joined by a veth
  pair (192.0.2.1 server, 192.0.2.2 client; a documentation range, nothing routed out). The real
  server (\`server/src/main.ts\`, default settings, \`APPS_ROOT\` a temporary folder with the apps below)
  runs in one, headless Chromium (e2e flags) in the other. **Rate caps:** \`tbf\` on the sending end of
  each direction (both directions capped), burst max(2 frames, 5 ms at the rate), queue 200 ms at the
  rate (\`latency\`); what overflows is dropped. **Loss:** iptables \`statistic --mode random\` DROP of
  5 % of the packets arriving in each namespace (both directions, every protocol). **No delay is
  added:** this kernel has no \`netem\`; the only delay is the queueing a cap causes. "Clean" is the
  unshaped veth pair, which stands for the issue's "clean loopback".
- **Content** (1280x720, 30 fps, \`apps/diagnostics\`): **light** is the diagnostics pattern as bundled
  (timestamp grid, counter, moving bar; a few per cent of the pixels change per frame); **busy** is
  \`vitrine-diagnostics --busy\`: the same pattern, and around it a page of text-like glyphs scrolling
  up (left half) and colour-texture bands sliding sideways at different speeds (right half) — most
  pixels change every frame, like continuous scrolling and a played video (libx264 ultrafast needs
  ≈ 5 Mbit/s for it at CRF 23). One session per codec, content and run goes through the conditions
  in this order: clean, 5 % loss, 4 Mbit/s, 1 Mbit/s, 500 kbit/s, cap lifted. Each condition is
  applied while streaming; its measurement window of ${SECONDS} s opens ${SETTLE_S} s after it is applied.
- **Decoded fps / received bitrate:** inbound-rtp \`getStats\` deltas over the window (\`framesDecoded\`,
  \`bytesReceived\`: RTP payload, without RTP/UDP/IP headers).
- **Glass-to-glass:** as in \`bench/run.ts\` (\`bench/lib/page-scripts.ts\`): for each presented frame
  (requestVideoFrameCallback), Date.now() − the draw time the app wrote into the picture. The
  pattern is read in display proportions, so a stream sent at a lower resolution still decodes.
- **Freezes:** gaps between consecutive presented frames in the window (its start and end count as
  frames, so a window with nothing presented is one freeze), i.e. after the condition's first
  ${SETTLE_S} s; "Longest gap" is the longest of them, which judges "none > 1 s" / "none > 500 ms".
- **Full rate after:** from the moment the condition is applied to the end of the first second in
  which ≥ ${FULL_RATE_FRAMES} frames were presented, all at the size the clean condition showed and none
  of them (that could be decoded) later than ${FULL_RATE_G2G_MS} ms glass to glass (1.0 is the least it
  can be). **Full quality after:** the first moment at which full rate holds and the bitrate received
  over the last ${FULL_BITRATE_WINDOW_MS / 1000} s is ≥ ${FULL_BITRATE_SHARE * 100} % of the same session's clean condition (sampled every
  ${STATS_EVERY_MS} ms). "n/a" if that did not happen within ${SETTLE_S + SECONDS} s; "(k/n)": reached in k of n runs.
  Meaningful for "cap lifted"; the target "back to full quality ≤ 5 s" is judged on it.
- **250 kbit/s document:** the File Explorer (\`apps/file-explorer\`) opens a ${DOCUMENT_PAGES}-page PDF (each page a
  solid colour with its number, \`e2e/lib/sample-files.ts\`) over the clean link; then the link is capped
  at 250 kbit/s, and after ${SETTLE_S} s and a still picture, PageDown is pressed ${TURNS} times per run, each
  once the picture has settled. **Visible:** from the key press to the first presented frame of which
  ≥ ${VISIBLE_SHARE * 100} % differs from the frame before (160x90 thumbnail of the decoded video, a pixel differs
  when a channel moves by > 40); **settled:** to the last changing frame before ${STILL_MS} ms without change.
  A turn not seen within ${TURN_TIMEOUT_MS / 1000} s counts as ${TURN_TIMEOUT_MS / 1000} s in the medians.
- **Aggregation:** per-run values (the document: the median of the run's turns), then the median
  across runs.

## Per condition

${resultTable}

## 250 kbit/s document

${documentTable}
${errors.length ? `\n## Failed runs\n\n${errors.map((e) => `- ${e}`).join('\n')}\n` : ''}`;
  if (QUICK) log(`--quick: ${path.relative(process.cwd(), resultsPath)} not written`);
  else {
    fs.writeFileSync(resultsPath, report);
    log(`wrote ${path.relative(process.cwd(), resultsPath)}`);
  }
  if (errors.length) log(`failed runs:\n${errors.map((e) => `  ${e}`).join('\n')}`);
  if (results.size === 0 && documents.size === 0) throw new Error('every run failed');
}

try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
