/**
 * Network benchmark: the diagnostics app viewed over a shaped link (e2e/lib/shaped-link.ts: two
 * test-made network namespaces joined by a veth pair, a tbf rate cap and iptables random loss).
 * For each codec, one session per run goes through the link conditions in turn; for each
 * condition: decoded fps, glass-to-glass p50/p95, received bitrate, freezes, and how long until
 * the stream is back at full rate.
 *
 *   node bench/network.ts [--runs N] [--seconds S] [--codecs h264,vp8]
 *
 * Prints the table to stdout (progress goes to stderr) and writes bench/NETWORK-RESULTS.md.
 * The server runs in the lab's server namespace on 192.0.2.1, Chromium in its client namespace
 * on 192.0.2.2 (TEST-NET-1, a documentation range); nothing is routed out of the namespaces.
 * Needs root (namespaces, tc, iptables), like the end-to-end tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isAlive, sessionProcesses, waitFor } from '../server/test/helpers.ts';
import { registerInBrowser } from '../e2e/lib/passkeys.ts';
import { createShapedLink, startServerInLab, type LinkShape } from '../e2e/lib/shaped-link.ts';
import { machineInfo } from './lib/report.ts';
import {
  INBOUND_STATS,
  INIT_SCRIPT,
  RECORDER_SCRIPT,
  SESSION_ID,
  VIEWER_STATE,
  setRecording,
  type InboundSnapshot,
} from './lib/page-scripts.ts';
import { median, percentile } from './lib/stats.ts';

// e2e/lib/browser.ts holds the Chromium flags that work here; it uses DOM types the root
// tsconfig does not load, so it is imported by a path the type checker does not follow.
const BROWSER_LIB: string = '../e2e/lib/browser.ts';
type BrowserLib = { launchChromium(executablePath?: string, extraArgs?: string[]): Promise<Browser> };

type Codec = 'h264' | 'vp8';
const CODEC_LABEL: Record<Codec, string> = { h264: 'H.264', vp8: 'VP8' };

interface Condition {
  label: string;
  /** null: no shaping at all (the link is cleared). */
  shape: LinkShape | null;
}
/** In the order they are applied within one session; "cap lifted" must follow 500 kbit/s. */
const CONDITIONS: Condition[] = [
  { label: 'clean', shape: null },
  { label: '5 % random loss', shape: { lossPercent: 5 } },
  { label: '4 Mbit/s', shape: { rateKbit: 4000 } },
  { label: '1 Mbit/s', shape: { rateKbit: 1000 } },
  { label: '500 kbit/s', shape: { rateKbit: 500 } },
  { label: 'cap lifted (after 500 kbit/s)', shape: null },
];
/** Row order of the table. */
const ROW_ORDER = ['clean', '4 Mbit/s', '1 Mbit/s', '500 kbit/s', '5 % random loss', 'cap lifted (after 500 kbit/s)'];

/** Seconds after a condition is applied before its measurement window opens. */
const SETTLE_S = 3;
/** "Full rate" for the recovery time: ≥ this many frames presented in the last second… */
const FULL_RATE_FRAMES = 25;
/** …each of them (where decoded) at most this late, glass to glass. */
const FULL_RATE_G2G_MS = 200;

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    codecs: { type: 'string', default: 'h264,vp8' },
  },
  strict: true,
});
const RUNS = Math.max(1, Math.round(Number(opts.runs)));
const SECONDS = Number(opts.seconds);
const CODECS = opts.codecs
  .split(',')
  .map((c) => c.trim())
  .filter((c): c is Codec => c === 'h264' || c === 'vp8');
if (!Number.isFinite(SECONDS) || SECONDS < 1 || CODECS.length === 0)
  throw new Error('usage: node bench/network.ts [--runs N] [--seconds S ≥ 1] [--codecs h264,vp8]');

const resultsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'NETWORK-RESULTS.md');
const log = (msg: string) => process.stderr.write(`[bench:network] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Installed after RECORDER_SCRIPT: a second requestVideoFrameCallback loop that logs the wall
 * time of every presented frame, with the glass-to-glass latency the recorder decoded for that
 * same frame (its callback runs first for each frame) or null when the frame was undecodable.
 */
const PRESENT_LOG_SCRIPT = `(() => {
  const b = window.__bench;
  const video = window.__vitrine.video;
  b.present = [];
  let samples = b.samples;
  let seen = samples.length;
  const onFrame = () => {
    let g2g = null;
    if (b.samples !== samples) { samples = b.samples; seen = 0; }
    if (samples.length > seen) { g2g = samples[samples.length - 1].g2g; seen = samples.length; }
    b.present.push([Date.now(), g2g]);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
})()`;
/** Starts a fresh log (and a fresh recorder window) at the moment a condition is applied. */
const RESET_LOGS = `(() => { ${setRecording(true)}; window.__bench.present = []; return Date.now(); })()`;
const READ_PRESENT = `window.__bench.present`;

interface ConditionResult {
  fps: number | null;
  g2gP50: number | null;
  g2gP95: number | null;
  kbps: number | null;
  /** Gaps between presented frames in the window (window edges count as frames). */
  freezes500: number;
  freezes1000: number;
  maxGapMs: number;
  /** From the condition's start until a second at full rate, s; null if not reached. */
  fullRateAfterS: number | null;
  /** Frames presented in the window whose picture could not be decoded. */
  undecodable: number;
  /** tbf counters of the server → client direction over the condition. */
  tbfDropped: number | null;
}

async function measureCondition(
  page: Page,
  apply: () => void,
  tbfDown: () => { dropped: number } | null,
): Promise<ConditionResult> {
  apply();
  const t0 = (await page.evaluate(RESET_LOGS)) as number;
  await sleep(SETTLE_S * 1000);
  const a = (await page.evaluate(INBOUND_STATS)) as InboundSnapshot | null;
  const w0 = Date.now();
  await sleep(SECONDS * 1000);
  const b = (await page.evaluate(INBOUND_STATS)) as InboundSnapshot | null;
  const w1 = Date.now();
  const present = (await page.evaluate(READ_PRESENT)) as Array<[number, number | null]>;
  const dropped = tbfDown()?.dropped ?? null;

  const inWindow = present.filter(([t]) => t >= w0 && t <= w1);
  const g2g = inWindow.map(([, g]) => g);
  const edges = [w0, ...inWindow.map(([t]) => t), w1];
  const gaps = edges.slice(1).map((t, i) => t - edges[i]!);
  let fullRateAfterS: number | null = null;
  for (let i = 0, j = 0; i < present.length; i++) {
    const [t] = present[i]!;
    while (present[j]![0] <= t - 1000) j++;
    const second = present.slice(j, i + 1);
    if (
      t - t0 >= 1000 &&
      second.length >= FULL_RATE_FRAMES &&
      second.every(([, g]) => g === null || g <= FULL_RATE_G2G_MS)
    ) {
      fullRateAfterS = (t - t0) / 1000;
      break;
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
    fullRateAfterS,
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
const fmt = (v: number | null, digits = 0) => (v === null ? 'n/a' : v.toFixed(digits));

async function main(): Promise<void> {
  const began = performance.now();
  const date = new Date();
  const lab = createShapedLink();
  cleanups.push(() => lab.destroy());
  const server = await startServerInLab(lab, {
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
  await owner.context.close();

  // results[codec][condition] = one entry per run
  const results = new Map<string, ConditionResult[]>();
  const errors: string[] = [];
  const key = (codec: Codec, cond: string) => `${codec}\t${cond}`;

  for (let run = 1; run <= RUNS; run++) {
    for (const codec of CODECS) {
      const tag = `run ${run}/${RUNS} ${CODEC_LABEL[codec]}`;
      let context: BrowserContext | undefined;
      let sessionId: string | null = null;
      let page: Page | undefined;
      try {
        lab.clear();
        // The probes are scripts injected as strings; the page's CSP rightly forbids that, so
        // this measuring browser alone bypasses it (as bench/run.ts does).
        context = await browser.newContext({ viewport: { width: 1280, height: 880 }, bypassCSP: true });
        await context.addCookies([{ ...cookie }]);
        page = await context.newPage();
        await page.addInitScript(INIT_SCRIPT);
        await page.goto(`${server.origin}/apps?codec=${codec}`);
        await page.getByTestId('launch-diagnostics').click();
        await page.waitForURL(/\/session\//);
        await page.waitForFunction(
          `window.__vitrine && ['streaming', 'failed', 'error', 'ended'].includes(window.__vitrine.state)`,
          null,
          { timeout: 30_000 },
        );
        sessionId = (await page.evaluate(SESSION_ID)) as string | null;
        const state = (await page.evaluate(VIEWER_STATE)) as string;
        if (state !== 'streaming') throw new Error(`viewer ended in state "${state}" instead of streaming`);
        await page.waitForFunction('window.__bench.firstFrameWall !== null', null, { timeout: 10_000 });
        await page.evaluate(RECORDER_SCRIPT);
        await page.waitForFunction('window.__bench.last !== null', null, { timeout: 10_000 });
        await page.evaluate(PRESENT_LOG_SCRIPT);
        const p = page;
        for (const cond of CONDITIONS) {
          const r = await measureCondition(
            p,
            () => (cond.shape ? lab.shape(cond.shape) : lab.clear()),
            () => lab.stats().down,
          );
          const k = key(codec, cond.label);
          results.set(k, [...(results.get(k) ?? []), r]);
          log(
            `${tag} ${cond.label}: ${fmt(r.fps, 1)} fps, g2g p50 ${fmt(r.g2gP50)} p95 ${fmt(r.g2gP95)} ms, ` +
              `${fmt(r.kbps)} kbit/s, freezes >0.5 s ${r.freezes500} >1 s ${r.freezes1000} (longest ${r.maxGapMs} ms), ` +
              `full rate after ${fmt(r.fullRateAfterS, 1)} s, undecodable ${r.undecodable}, tbf dropped ${fmt(r.tbfDropped)}`,
          );
          const now = (await p.evaluate(VIEWER_STATE)) as string;
          if (now !== 'streaming') throw new Error(`viewer left streaming (state "${now}") during ${cond.label}`);
        }
      } catch (err) {
        errors.push(`${tag}: ${(err as Error).message.split('\n')[0]}`);
        log(`${tag}: FAILED: ${(err as Error).stack ?? String(err)}`);
      } finally {
        lab.clear();
        if (page && sessionId) {
          const procs = sessionProcesses(server.runtimeDir, sessionId);
          await page
            .getByTestId('end-session')
            .click({ timeout: 5000 })
            .catch(() => {});
          await waitFor('session processes to exit', () => procs.every((x) => !isAlive(x.pid)), 15_000).catch(
            (e: Error) => log(`warning: ${e.message}`),
          );
        }
        await context?.close().catch(() => {});
      }
    }
  }

  const head = [
    'Codec',
    'Link',
    'Runs',
    'Decoded fps',
    'Glass-to-glass p50 / p95 (ms)',
    'Bitrate (kbit/s)',
    'Freezes > 0.5 s / > 1 s',
    'Longest gap (ms)',
    'Full rate after (s)',
  ];
  const rows: string[][] = [];
  for (const codec of CODECS) {
    for (const label of ROW_ORDER) {
      const rs = results.get(key(codec, label)) ?? [];
      const m = (pick: (r: ConditionResult) => number | null) => median(rs.map(pick));
      const reached = rs.filter((r) => r.fullRateAfterS !== null).length;
      rows.push([
        CODEC_LABEL[codec],
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
          : `${fmt(
              m((r) => r.fullRateAfterS),
              1,
            )}${reached < rs.length ? ` (${reached}/${rs.length} runs reached it)` : ''}`,
      ]);
    }
  }
  const resultTable = table(head, rows);
  console.log(resultTable);
  const la = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const report = `# Vitrine over a shaped link — baseline before any congestion controller

**Today the encoder keeps a fixed target** (\`VIDEO_BITRATE_KBPS\`, default 3000 kbit/s, keyframe every
2 s) whatever the link carries: nothing adapts. These numbers are the baseline a congestion
controller (issue 13) is to be measured against.

- **Date:** ${date.toISOString()} (took ${Math.round((performance.now() - began) / 1000)} s; \`node bench/network.ts --runs ${RUNS} --seconds ${SECONDS} --codecs ${CODECS.join(',')}\`)
- **Machine:** ${machine.nproc} CPU(s), ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB RAM, ${machine.kernel}; load average (1/5/15 min) ${la(machine.loadAvg)} at start, ${la(os.loadavg())} at end
- **Code:** ${machine.revision}
- **Software:** Node ${machine.node}, FFmpeg ${machine.ffmpeg}, Chromium ${machine.chromium}

## Method

- **Link** (\`e2e/lib/shaped-link.ts\`): two network namespaces made by the benchmark, joined by a veth
  pair (192.0.2.1 server, 192.0.2.2 client; a documentation range, nothing routed out). The real
  server (\`server/src/main.ts\`, default settings) runs in one, headless Chromium (e2e flags) in the
  other. **Rate caps:** \`tbf\` on the sending end of each direction (both directions capped), burst
  max(2 frames, 5 ms at the rate), queue 200 ms at the rate (\`latency\`); what overflows is dropped.
  **Loss:** iptables \`statistic --mode random\` DROP of 5 % of the packets arriving in each namespace
  (both directions, every protocol). **No delay is added:** this kernel has no \`netem\`; the only
  delay is the queueing a cap causes (a userspace NFQUEUE delayer is future work).
- **Session:** the bundled diagnostics app (1280x720, 30 fps), launched from the UI with \`?codec=\`,
  one session per codec per run, which goes through the conditions in this order: clean, 5 % loss,
  4 Mbit/s, 1 Mbit/s, 500 kbit/s, cap lifted. Each condition is applied while streaming; the
  measurement window of ${SECONDS} s opens ${SETTLE_S} s after it is applied.
- **Decoded fps / bitrate:** inbound-rtp \`getStats\` deltas over the window (\`framesDecoded\`,
  \`bytesReceived\`: RTP payload, without RTP/UDP/IP headers).
- **Glass-to-glass:** as in \`bench/run.ts\` (\`bench/lib/page-scripts.ts\`): for each presented frame
  (requestVideoFrameCallback), Date.now() − the draw time the app wrote into the picture.
- **Freezes:** gaps between consecutive presented frames in the window (its start and end count as
  frames, so a window with nothing presented is one freeze), i.e. after the condition's first ${SETTLE_S} s.
- **Full rate after:** from the moment the condition is applied to the end of the first second in
  which ≥ ${FULL_RATE_FRAMES} frames were presented, none of them (that could be decoded) later than ${FULL_RATE_G2G_MS} ms
  glass to glass; 1.0 is the least it can be ("within the first second"); "n/a" if that did not happen within
  ${SETTLE_S + SECONDS} s. Meaningful for "cap lifted".
- **Aggregation:** per-run values, then the median across runs.

## Results

${resultTable}
${errors.length ? `\n## Failed runs\n\n${errors.map((e) => `- ${e}`).join('\n')}\n` : ''}`;
  fs.writeFileSync(resultsPath, report);
  log(`wrote ${path.relative(process.cwd(), resultsPath)}`);
  if (results.size === 0) throw new Error('every run failed');
}

try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
