/**
 * Issue 19's density benchmark: how many idle sessions with connected viewers one host
 * sustains while a few animated ones stay fluid. A few active sessions (diagnostics, 720p30)
 * are measured alone, then idle File Explorers or simple apps are added step by step, each with
 * its own viewer tab; at every step the active viewers' glass-to-glass and fps, the new
 * sessions' first frame, CPU and PSS per idle session and the server's own CPU and PSS. With
 * `--idle-viewers werift`, a Node WebRTC viewer takes each idle session over from its tab once
 * its first frame was measured (the host then runs no browser per idle session).
 *
 *   node bench/density.ts [--max N] [--step N] [--explorer-share F[,F…]] [--active N] [--seconds S] [--idle-viewers chromium|werift] [--smoke] [--out FILE] [--json FILE]
 *
 * Prints the tables to stdout (progress to stderr) and writes bench/DENSITY-RESULTS.md (or
 * --out). Everything stays on 127.0.0.1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import * as prettier from 'prettier';
import { api, startTestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import { sampleFiles } from '../e2e/lib/sample-files.ts';
import { createAppsRoot } from './lib/apps-root.ts';
import { createCleanups } from './lib/cleanups.ts';
import { startRecorder, type ActiveViewer } from './lib/density-measure.ts';
import { parseDensityOptions } from './lib/density-options.ts';
import { densityTargets, renderDensityReport, seriesSection } from './lib/density-report.ts';
import { ACTIVE_APP, SIMPLE_APP, type DensityContext } from './lib/density-sessions.ts';
import { startWeriftViewers } from './lib/density-werift.ts';
import { runSeries, type SeriesResult } from './lib/density-sweep.ts';
import { checkExplorerBuilt, EXPLORER_APP_ID } from './lib/explorer.ts';
import { closeLabViewer, openLabViewer, type LabViewer } from './lib/lab-viewer.ts';
import { startCpuWindow } from './lib/procfs.ts';
import { machineInfo } from './lib/report.ts';
import { warmShareProbe } from './lib/share-launch.ts';
import { addSessionCookie } from '../e2e/lib/session-cookie.ts';

// e2e/lib/browser.ts holds the Chromium flags that work here (see bench/run.ts for why the path
// is a string the type checker does not follow).
const BROWSER_LIB: string = '../e2e/lib/browser.ts';
type BrowserLib = {
  launchChromium(
    executablePath?: string,
    extraArgs?: string[],
    signals?: { handleSIGINT?: boolean; handleSIGTERM?: boolean },
  ): Promise<Browser>;
};

/** Viewer tabs: the 1280x720 picture pixel for pixel under the toolbar (as bench/run.ts). */
const VIEWPORT = { width: 1280, height: 880 };
const SERVER_IDLE_WINDOW_MS = 2000;
const log = (msg: string) => process.stderr.write(`[density] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const { onCleanup, runAll: cleanupAll } = createCleanups(log);

async function main(): Promise<void> {
  const o = parseDensityOptions(process.argv.slice(2));
  const began = performance.now();
  const date = new Date();
  const command = `node bench/density.ts ${process.argv.slice(2).join(' ')}`.trim();

  checkExplorerBuilt();
  const apps = createAppsRoot([ACTIVE_APP, SIMPLE_APP], [], [{ id: EXPLORER_APP_ID, from: 'file-explorer' }]);
  onCleanup(async () => apps.remove());
  const sessions = String(o.max + o.active + 2);
  const server = await startTestServer({
    APPS_ROOT: apps.root,
    MAX_SESSIONS: sessions,
    MAX_SESSIONS_PER_USER: sessions,
    // Launched back to back, every viewer from this one address, nobody touching the idle ones.
    SESSION_LAUNCHES_PER_MINUTE: '10000',
    MAX_CONNECTIONS_PER_ADDRESS: '100000',
    SESSION_IDLE_TIMEOUT: '24h',
    // The share probe's client takes the warm sandbox; without it, every session starts cold.
    WARM_SANDBOXES: o.shareProbe ? '1' : '0',
  });
  onCleanup(() => server.close());
  if (new URL(server.url).hostname !== '127.0.0.1') throw new Error(`server is not on loopback: ${server.url}`);
  onCleanup(async () => {
    // Whatever a failure left behind, before the server goes.
    const live = await api<Array<{ id: string }>>(server.owner, 'GET', '/api/sessions').catch(() => null);
    await Promise.all(
      (live?.body ?? []).map((s) => api(server.owner, 'DELETE', `/api/sessions/${s.id}`).catch(() => {})),
    );
  });
  const ownerFiles = ownerRoot(server.config.storage.dir, server.owner.me.id);
  fs.mkdirSync(ownerFiles, { recursive: true, mode: 0o700 });
  sampleFiles(ownerFiles);

  const { launchChromium } = (await import(BROWSER_LIB)) as BrowserLib;
  // Ctrl-C: the clean-ups close the browser, after the sessions (Playwright's handler would exit first).
  const browser = await launchChromium(undefined, [], { handleSIGINT: false, handleSIGTERM: false });
  onCleanup(() => browser.close());
  const machine = machineInfo(browser.version());
  log(
    `${machine.nproc} CPUs (${machine.cpuModel}), Chromium ${machine.chromium}, FFmpeg ${machine.ffmpeg}; load ${machine.loadAvg.map((v) => v.toFixed(2)).join(' ')}`,
  );
  const status = (
    await api<{ sandbox: { degraded: boolean; landlock: string; cgroups: number } }>(server.owner, 'GET', '/api/status')
  ).body.sandbox;
  const sandboxHost = `cgroup ${status.cgroups ? `v${status.cgroups}` : 'unavailable'}, Landlock ${status.landlock}${status.degraded ? ', DEGRADED' : ''}`;
  const idleCpu = startCpuWindow([{ pid: process.pid, role: 'server' }]);
  await sleep(SERVER_IDLE_WINDOW_MS);
  const serverIdleCpu = idleCpu.end([{ pid: process.pid, role: 'server' }]).usage[0]?.cpuPercent ?? 0;

  // The probes are strings evaluated in the pages; only this measuring browser bypasses the CSP.
  const idleContext = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
  onCleanup(() => idleContext.close().catch(() => {}));
  const name = await addSessionCookie(idleContext, server.owner, server.publicUrl());
  const cookie = (await idleContext.cookies()).find((c) => c.name === name)!;
  const ctx: DensityContext = {
    publicUrl: server.publicUrl(),
    owner: server.owner,
    runtimeDir: server.runtimeDir,
    idleContext,
    statsOf: (id) => server.sessions.statsOf(id),
    claimsOf: (id) => server.sessions.claimsOf(id),
    werift: o.idleViewers === 'werift' ? startWeriftViewers(server.owner, onCleanup) : undefined,
    shareProbe: o.shareProbe ? await warmShareProbe(browser, server) : undefined,
    onCleanup,
  };

  const active: ActiveViewer[] = [];
  for (let i = 0; i < o.active; i++) {
    const close = (v: LabViewer) => closeLabViewer(v, server.runtimeDir, log);
    const viewer = await openLabViewer(
      browser,
      { origin: ctx.publicUrl, cookie, codec: 'h264', appId: ACTIVE_APP.id, viewport: VIEWPORT },
      close,
    );
    onCleanup(() => close(viewer));
    await startRecorder(viewer.page);
    active.push({ page: viewer.page, sessionId: viewer.sessionId! });
  }
  log(`${o.active} active session(s) streaming`);

  const series: SeriesResult[] = [];
  const errors: string[] = [];
  for (const share of o.explorerShares) {
    log(`series: ${Math.round(share * 100)} % explorers, +${o.step} up to ${o.max}`);
    try {
      series.push(await runSeries(ctx, active, o, share, log));
    } catch (err) {
      errors.push(`series ${share}: ${(err as Error).message.split('\n')[0]}`);
      log(`series ${share} FAILED: ${(err as Error).stack ?? String(err)}`);
    }
  }

  const report = renderDensityReport({
    date,
    command,
    machine,
    loadAvgEnd: os.loadavg() as [number, number, number],
    options: o,
    series,
    sandboxHost,
    idleStopS: server.config.media.idleStopMs / 1000,
    serverIdleCpu,
    elapsedS: (performance.now() - began) / 1000,
    errors,
  });
  if (o.out) {
    // Formatted as the repository's check (`prettier --check .`) wants it, ready to commit.
    const style = (await prettier.resolveConfig(o.out)) ?? {};
    fs.writeFileSync(o.out, await prettier.format(report, { ...style, filepath: o.out }));
    log(`wrote ${path.relative(process.cwd(), o.out)}`);
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ options: o, series, errors }, null, 2));
  for (const s of series) console.log(`${seriesSection(s, o.active)}\n`);
  console.log(densityTargets(series, o.active));
  if (series.length === 0) throw new Error('every series failed');
}

try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
