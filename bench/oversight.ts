/**
 * Issue 17's benchmark: what recording a session and an owner watching it live cost.
 *  1. The recorder alone: a real 720p30 / 1080p30 H.264 RTP stream replayed through
 *     SessionRecorder, CPU per second of video (the ≤ 2 % of a core target).
 *  2. A client's session in Chromium, (A) unrecorded, (B) recorded, (C) recorded and watched by
 *     the share's owner in a second page: glass-to-glass, frames, CPU, encoders, bytes written.
 *
 *   node bench/oversight.ts [--runs N] [--seconds S] [--capture S] [--reps R] [--smoke] [--out FILE] [--json FILE]
 *
 * Prints the tables to stdout (progress to stderr) and writes bench/OVERSIGHT-RESULTS.md (or
 * --out). Everything stays on 127.0.0.1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import * as prettier from 'prettier';
import { startTestServer } from '../server/test/helpers.ts';
import { createAppsRoot } from './lib/apps-root.ts';
import { captureStream, replayCpu } from './lib/oversight-recorder.ts';
import {
  deltasTable,
  microTable,
  renderOversightReport,
  scenarioTables,
  type MicroSummary,
  type VariantSummary,
} from './lib/oversight-report.ts';
import { prepareShares, runOversight, VARIANTS, type OversightContext } from './lib/oversight-scenario.ts';
import { startCpuWindow } from './lib/procfs.ts';
import { machineInfo } from './lib/report.ts';
import { createCleanups } from './lib/cleanups.ts';
import { numberFlags } from './lib/options.ts';

// e2e/lib/browser.ts holds the Chromium flags that work here (see bench/run.ts for why the path
// is a string the type checker does not follow).
const BROWSER_LIB: string = '../e2e/lib/browser.ts';
type BrowserLib = { launchChromium(): Promise<Browser> };

const USAGE = `usage: node bench/oversight.ts [--runs N] [--seconds S] [--capture S] [--reps R] [--smoke] [--out FILE] [--json FILE]
  --runs N      runs of the three browser scenarios, interleaved (default 3)
  --seconds S   measurement window per scenario (default 8)
  --capture S   seconds of stream captured for the recorder micro-benchmark (default 10)
  --reps R      repetitions of the replay, median reported (default 5)
  --smoke       a quick pass for the test suite: 1 run, 2 s windows, 720p only, 3 s capture, 3 reps;
                writes no results file unless --out is given
  --out FILE    where the Markdown report goes (default bench/OVERSIGHT-RESULTS.md)
  --json FILE   also write every measurement as JSON`;

const APP = { id: 'diag-720', width: 1280, height: 720, fps: 30 };
const SEGMENT_MS = 4000; // RECORDING_SEGMENT's default
const BITRATE_KBPS = 3000; // VIDEO_BITRATE_KBPS's default
const KEYFRAME_INTERVAL_S = 10; // KEYFRAME_INTERVAL_S's default
/** Video replayed per repetition of the micro-benchmark, at least (passes of the capture). */
const REPLAY_VIDEO_S = 60;
const SMOKE_REPLAY_VIDEO_S = 15;
const SERVER_IDLE_WINDOW_MS = 2000;

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const log = (msg: string) => process.stderr.write(`[oversight] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Clean-up steps, run last-registered first, on success, on error and on SIGINT/SIGTERM. */
const { onCleanup, runAll: cleanupAll } = createCleanups(log);

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      seconds: { type: 'string' },
      capture: { type: 'string' },
      reps: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const smoke = values.smoke ?? false;
  const num = numberFlags(USAGE);
  return {
    smoke,
    runs: Math.round(num('runs', values.runs, smoke ? 1 : 3, 1, 50)),
    seconds: num('seconds', values.seconds, smoke ? 2 : 8, 1, 120),
    capture: num('capture', values.capture, smoke ? 3 : 10, 1, 120),
    reps: Math.round(num('reps', values.reps, smoke ? 3 : 5, 1, 50)),
    out: values.out ?? (smoke ? undefined : path.join(benchDir, 'OVERSIGHT-RESULTS.md')),
    json: values.json,
  };
}

async function microBenchmark(o: ReturnType<typeof parseOptions>): Promise<MicroSummary[]> {
  const sizes = o.smoke
    ? [{ label: '720p30', width: 1280, height: 720 }]
    : [
        { label: '720p30', width: 1280, height: 720 },
        { label: '1080p30', width: 1920, height: 1080 },
      ];
  const out: MicroSummary[] = [];
  for (const size of sizes) {
    const stream = await captureStream({
      ...size,
      seconds: o.capture,
      framerate: 30,
      bitrateKbps: BITRATE_KBPS,
      keyframeIntervalS: KEYFRAME_INTERVAL_S,
      onCleanup,
    });
    const passes = Math.max(1, Math.ceil((o.smoke ? SMOKE_REPLAY_VIDEO_S : REPLAY_VIDEO_S) / stream.seconds));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-oversight-rec-'));
    const unregister = onCleanup(async () => fs.rmSync(dir, { recursive: true, force: true }));
    try {
      const replay = await replayCpu(stream, { passes, repetitions: o.reps, segmentMs: SEGMENT_MS, dir });
      const { packets, ...rest } = stream;
      out.push({ label: size.label, stream: { ...rest, packets: packets.length }, replay, passes });
      log(
        `recorder ${size.label}: ${((stream.bytes * 8) / 1000 / stream.seconds).toFixed(0)} kbit/s, ${(stream.pictures / stream.seconds).toFixed(1)} pictures/s; ` +
          `${replay.cpuMsPerVideoSecond.map((v) => v.toFixed(2)).join(' ')} ms CPU per s of video → ${replay.percentOfCore.toFixed(2)} % of a core`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      unregister();
    }
  }
  return out;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const began = performance.now();
  const date = new Date();
  const command = `node bench/oversight.ts ${process.argv.slice(2).join(' ')}`.trim();

  // First, alone on the machine's share of CPU: no server, no browser.
  const micro = await microBenchmark(o);

  const apps = createAppsRoot([APP]);
  onCleanup(async () => apps.remove());
  const server = await startTestServer({
    APPS_ROOT: apps.root,
    MAX_SESSIONS: '2',
    SESSION_LAUNCHES_PER_MINUTE: '10000',
  });
  onCleanup(() => server.close());
  if (new URL(server.url).hostname !== '127.0.0.1') throw new Error(`server is not on loopback: ${server.url}`);
  const { launchChromium } = (await import(BROWSER_LIB)) as BrowserLib;
  const browser = await launchChromium();
  onCleanup(() => browser.close());
  const machine = machineInfo(browser.version());
  log(
    `${machine.nproc} CPUs (${machine.cpuModel}), Chromium ${machine.chromium}, FFmpeg ${machine.ffmpeg}; load ${machine.loadAvg.map((v) => v.toFixed(2)).join(' ')}`,
  );
  const idle = startCpuWindow([{ pid: process.pid, role: 'server' }]);
  await sleep(SERVER_IDLE_WINDOW_MS);
  const serverIdleCpu = idle.end([{ pid: process.pid, role: 'server' }]).usage[0]?.cpuPercent ?? 0;

  const ctx: OversightContext = {
    browser,
    url: server.url,
    publicUrl: server.publicUrl(),
    owner: server.owner,
    runtimeDir: server.runtimeDir,
    recordingsDir: server.config.recordings.dir,
    appId: APP.id,
    width: APP.width,
    height: APP.height,
    seconds: o.seconds,
    statsOf: (id) => server.sessions.statsOf(id),
    flushAudit: () => server.audit.flush(),
    onCleanup,
  };
  const shares = await prepareShares(ctx);
  const summaries: VariantSummary[] = VARIANTS.map((variant) => ({ variant, runs: [], errors: [] }));
  for (let run = 0; run < o.runs; run++) {
    // Rotated order (A B C, B C A, C A B, …): drift of the shared machine spreads over all three.
    const order = VARIANTS.map((_, i) => summaries[(i + run) % VARIANTS.length]!);
    for (const summary of order) {
      const tag = `run ${run + 1}/${o.runs} ${summary.variant}`;
      try {
        const r = await runOversight(ctx, shares, summary.variant);
        summary.runs.push(r);
        const f = (v: number | null, d = 0) => (v === null ? 'n/a' : v.toFixed(d));
        const w = r.watcher;
        log(
          `${tag}: client g2g p50 ${f(r.client.g2g.p50)} p95 ${f(r.client.g2g.p95)} (n=${r.client.g2g.n}), ${f(r.client.fps, 1)} fps, dropped ${r.client.framesDropped}` +
            (w
              ? `; watcher g2g p50 ${f(w.g2g.p50)} p95 ${f(w.g2g.p95)}, ${f(w.fps, 1)} fps, dropped ${w.framesDropped}`
              : '') +
            `; cpu server ${r.cpu.server.toFixed(1)} encoders ${r.cpu.encoders.toFixed(1)} (${r.encoders}) sandbox ${r.cpu.sandbox.toFixed(1)} chromium ${r.cpu.chromium.toFixed(1)}; ` +
            `viewers ${r.viewers}, encoded ${f(r.encodedFps, 1)} fps; recording ${(r.recordingBytesPerS / 1000).toFixed(1)} kB/s` +
            (r.recording ? `, ${r.recording.segments} segments, dropped ${r.recording.dropped}` : ''),
        );
      } catch (err) {
        summary.errors.push(`run ${run + 1}: ${(err as Error).message.split('\n')[0]}`);
        log(`${tag}: FAILED: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  const report = renderOversightReport({
    date,
    command,
    machine,
    loadAvgEnd: os.loadavg() as [number, number, number],
    runs: o.runs,
    seconds: o.seconds,
    micro,
    summaries,
    elapsedS: (performance.now() - began) / 1000,
    serverIdleCpu,
  });
  if (o.out) {
    // Formatted as the repository's check (`prettier --check .`) wants it, ready to commit.
    const style = (await prettier.resolveConfig(o.out)) ?? {};
    fs.writeFileSync(o.out, await prettier.format(report, { ...style, filepath: o.out }));
    log(`wrote ${path.relative(process.cwd(), o.out)}`);
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ micro, summaries }, null, 2));
  console.log(microTable(micro));
  console.log(`\n${scenarioTables(summaries)}`);
  console.log(`\n${deltasTable(summaries)}`);
  if (summaries.some((s) => s.runs.length === 0)) throw new Error('a scenario failed in every run');
}

try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
