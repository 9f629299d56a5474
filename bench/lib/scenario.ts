import type { Browser, Page } from 'playwright-core';
import { encodeInputEvent } from '@vitrine/protocol';
import { api, isAlive, processTree, sessionProcesses, waitFor } from '../../server/test/helpers.ts';
import {
  INBOUND_STATS,
  INIT_SCRIPT,
  READ_RECORDING,
  READ_START_TIMES,
  RECORDER_SCRIPT,
  SESSION_ID,
  VIDEO_SCALE,
  VIEWER_STATE,
  clickScript,
  setRecording,
  type InboundSnapshot,
  type RecordedWindow,
  type StartTimes,
} from './page-scripts.ts';
import { startCpuWindow, type CpuWindow, type Proc } from './procfs.ts';
import { percentile } from './stats.ts';
import { addSessionCookie } from '../../e2e/lib/session-cookie.ts';

export type Codec = 'h264' | 'vp8';

export interface Scenario {
  label: string;
  appId: string;
  codec: Codec;
  width: number;
  height: number;
  /** false: the app redraws only on input, so frame latency and fps are not meaningful. */
  animated: boolean;
}

export interface BenchContext {
  browser: Browser;
  /** Base URL of the in-process server (http://127.0.0.1:port). */
  url: string;
  /** What browsers open (http://localhost:port): the sign-in cookie belongs to it. */
  publicUrl: string;
  /** The signed-in owner the benchmark acts as (API calls and the browser's cookie). */
  owner: { url: string; cookie: string };
  runtimeDir: string;
  seconds: number;
  clicks: number;
  /** Registers a clean-up step that must run even if the benchmark fails. */
  onCleanup(step: () => Promise<void>): () => void;
}

/** Process roles; the sandbox tree is bwrap + Xvfb + app (+ a shell while it starts). */
export const ROLES = ['app', 'Xvfb', 'bwrap', 'ffmpeg', 'server', 'chromium'] as const;
export type Role = (typeof ROLES)[number] | 'other';

export interface RunResult {
  /** Launch click to first presented frame, ms. */
  startMs: number | null;
  /** Launch click to viewer state "streaming", ms. */
  streamingMs: number | null;
  g2g: { p50: number | null; p95: number | null; n: number };
  /** p50 of the split of each frame's latency at its packet receive time. */
  upstreamP50: number | null;
  downstreamP50: number | null;
  processingP50: number | null;
  undecodable: number;
  i2p: { p50: number | null; p95: number | null; n: number; missed: number };
  fps: number | null;
  kbps: number | null;
  framesDropped: number;
  freezes: number;
  /** Mean jitter-buffer delay and decode time per frame over the window (getStats), ms. */
  jitterBufferMs: number | null;
  decodeMs: number | null;
  /** Encoded frames per second on the server (stats endpoint). */
  encodedFps: number | null;
  /** % of one core per role, summed over the role's processes. */
  cpu: Record<Role, number>;
  rssKiB: Record<Role, number>;
  /** Busy CPU of everything else on the machine during the window (% of one core). */
  otherLoad: number;
  encoderProcesses: number;
  exitedDuringWindow: number;
  keyframeRequests: number;
  videoScale: number | null;
  codecSeen: string;
  resolutionSeen: string;
}

export interface SessionStats {
  pids: number[];
  /** Memory usage of the session's sandbox cgroup (Xvfb + app), when cgroups exist. */
  memoryBytes?: number;
  video?: { framesEncoded: number; keyframeRequests: number; encoderRestarts: number };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Settling time after "streaming" before measuring (first keyframe, rate control). */
const WARMUP_MS = 1000;
const CLICK_TIMEOUT_MS = 3000;
const CLICK_X = 300;
const CLICK_Y = 300;

function roleOf(cmd: string): Role {
  if (cmd.startsWith('bwrap')) return 'bwrap';
  if (/(^|\/)Xvfb\b/.test(cmd)) return 'Xvfb';
  if (cmd.includes('vitrine-diagnostics')) return 'app';
  return 'other';
}

/** A session launched from the UI whose viewer is streaming. */
export interface LaunchedViewer {
  page: Page;
  sessionId: string;
  /** Date.now() just before the Launch click. */
  clickedAt: number;
  startTimes: StartTimes;
}

/**
 * Opens the app list with `?codec=`, clicks Launch for `appId`, waits until the viewer streams
 * and its first frame is presented (up to 5 s), then runs `body`. The session is ended (and its
 * processes waited for) and the page closed afterwards, also on failure.
 */
export async function withLaunchedViewer<T>(
  ctx: BenchContext,
  /** `initScript`: page code installed next to INIT_SCRIPT, before the viewer loads. */
  launchOpts: { appId: string; codec: Codec; width: number; height: number; initScript?: string },
  body: (v: LaunchedViewer) => Promise<T>,
): Promise<T> {
  // Width exactly the video width and enough height for the toolbar: `object-fit: contain`
  // then shows the video pixel for pixel (checked and reported as videoScale).
  // The probes are scripts the benchmark injects as strings; the page's CSP rightly forbids
  // evaluating strings, so this measuring browser alone bypasses it.
  const context = await ctx.browser.newContext({
    viewport: { width: launchOpts.width, height: launchOpts.height + 160 },
    bypassCSP: true,
  });
  // Signed in as the owner (sign-in itself is proven by the end-to-end tests, not measured here).
  await addSessionCookie(context, ctx.owner, ctx.publicUrl);
  const page = await context.newPage();
  const unregisterPage = ctx.onCleanup(() => context.close().catch(() => {}));
  let sessionId: string | undefined;
  let unregisterSession = () => {};
  try {
    await page.addInitScript(INIT_SCRIPT);
    if (launchOpts.initScript) await page.addInitScript(launchOpts.initScript);
    await page.goto(`${ctx.publicUrl}/apps?codec=${launchOpts.codec}`);
    const launch = page.getByTestId(`launch-${launchOpts.appId}`);
    await launch.waitFor();

    const clickedAt = Date.now();
    await launch.click();
    await page.waitForURL(/\/session\//);
    sessionId = (await waitFor('session id', () => page.evaluate(SESSION_ID) as Promise<string | null>)) as string;
    const id = sessionId;
    unregisterSession = ctx.onCleanup(async () => {
      await api(ctx.owner, 'DELETE', `/api/sessions/${id}`).catch(() => {});
    });
    await page.waitForFunction(
      `window.__vitrine && ['streaming', 'failed', 'error', 'ended'].includes(window.__vitrine.state)`,
      null,
      {
        timeout: 30_000,
      },
    );
    const state = (await page.evaluate(VIEWER_STATE)) as string;
    if (state !== 'streaming') throw new Error(`viewer ended in state "${state}" instead of streaming`);

    const startTimes = await waitFor(
      'first presented frame',
      async () => {
        const t = (await page.evaluate(READ_START_TIMES)) as StartTimes;
        return t.firstFrameWall !== null ? t : null;
      },
      5000,
    ).catch(async () => (await page.evaluate(READ_START_TIMES)) as StartTimes);
    return await body({ page, sessionId: id, clickedAt, startTimes });
  } finally {
    if (sessionId) await endSession(ctx, sessionId);
    unregisterSession();
    await context.close().catch(() => {});
    unregisterPage();
  }
}

/** Runs one scenario once: launches it from the UI, measures, and ends the session. */
export async function runScenario(ctx: BenchContext, sc: Scenario): Promise<RunResult> {
  return withLaunchedViewer(ctx, sc, async ({ page, sessionId: id, clickedAt, startTimes }) => {
    const streamingAt = startTimes.states.find((s) => s.state === 'streaming')?.wall;

    await sleep(WARMUP_MS);
    await page.evaluate(RECORDER_SCRIPT);
    await page.waitForFunction('window.__bench.last !== null', null, { timeout: 5000 });
    const videoScale = (await page.evaluate(VIDEO_SCALE)) as number;

    // --- measurement window: frame latency, decoded rate, CPU -------------------------------
    const listProcs = async (): Promise<Proc[]> => {
      const stats = (await api<SessionStats>(ctx.owner, 'GET', `/api/sessions/${id}/stats`)).body;
      const tree = sessionProcesses(ctx.runtimeDir, id).map((p) => ({ pid: p.pid, role: roleOf(p.cmd) }));
      const inTree = new Set(tree.map((p) => p.pid));
      const encoders = (stats.pids ?? [])
        .filter((pid) => !inTree.has(pid) && isAlive(pid))
        .map((pid) => ({ pid, role: 'ffmpeg' }));
      // Playwright's Browser does not expose its pid: Chromium is the benchmark's child tree.
      const chromium = processTree(process.pid)
        .filter((p) => /chrom(e|ium)/.test(p.cmd.split(' ')[0] ?? ''))
        .map((p) => ({ pid: p.pid, role: 'chromium' }));
      return [...tree, ...encoders, { pid: process.pid, role: 'server' }, ...chromium];
    };
    const serverStats = async () => (await api<SessionStats>(ctx.owner, 'GET', `/api/sessions/${id}/stats`)).body;

    const procsBefore = await listProcs();
    const encA = await serverStats();
    const inA = (await page.evaluate(INBOUND_STATS)) as InboundSnapshot | null;
    const encAt = performance.now();
    await page.evaluate(setRecording(true));
    const cpuWindow = startCpuWindow(procsBefore);
    await sleep(ctx.seconds * 1000); // the test process stays idle: its CPU counts as "server"
    const procsAfter = await listProcs();
    const cpu = cpuWindow.end(procsAfter);
    await page.evaluate(setRecording(false));
    const inB = (await page.evaluate(INBOUND_STATS)) as InboundSnapshot | null;
    const encB = await serverStats();
    const encSeconds = (performance.now() - encAt) / 1000;
    const rec = (await page.evaluate(READ_RECORDING)) as RecordedWindow;

    // --- input-to-photon: clicks straight on the data channel -------------------------------
    const down = encodeInputEvent({ type: 'button', down: true, button: 1, x: CLICK_X, y: CLICK_Y });
    const up = encodeInputEvent({ type: 'button', down: false, button: 1, x: CLICK_X, y: CLICK_Y });
    const clicks: Array<number | null> = [];
    for (let k = 0; k < ctx.clicks; k++) {
      clicks.push((await page.evaluate(clickScript(down, up, CLICK_TIMEOUT_MS))) as number | null);
      await sleep(150 + Math.random() * 150);
    }

    const sum = (w: CpuWindow, field: 'cpuPercent' | 'rssKiB') => {
      const out = { app: 0, Xvfb: 0, bwrap: 0, ffmpeg: 0, server: 0, chromium: 0, other: 0 } as Record<Role, number>;
      for (const u of w.usage) out[u.role as Role] += u[field];
      return out;
    };
    const g2g = rec.samples.map((s) => s.g2g);
    const clickMs = clicks.filter((c): c is number => c !== null);
    const dt = inA && inB ? (inB.timestamp - inA.timestamp) / 1000 : 0;
    const frames = inA && inB ? inB.jitterBufferEmittedCount - inA.jitterBufferEmittedCount : 0;
    const decoded = inA && inB ? inB.framesDecoded - inA.framesDecoded : 0;
    return {
      startMs: startTimes.firstFrameWall === null ? null : startTimes.firstFrameWall - clickedAt,
      streamingMs: streamingAt === undefined ? null : streamingAt - clickedAt,
      g2g: { p50: percentile(g2g, 50), p95: percentile(g2g, 95), n: g2g.length },
      upstreamP50: percentile(
        rec.samples.map((s) => s.upstream),
        50,
      ),
      downstreamP50: percentile(
        rec.samples.map((s) => s.downstream),
        50,
      ),
      processingP50: percentile(
        rec.samples.map((s) => s.processing),
        50,
      ),
      undecodable: rec.undecodable,
      i2p: {
        p50: percentile(clickMs, 50),
        p95: percentile(clickMs, 95),
        n: clickMs.length,
        missed: clicks.length - clickMs.length,
      },
      fps: dt > 0 ? decoded / dt : null,
      kbps: dt > 0 && inA && inB ? ((inB.bytesReceived - inA.bytesReceived) * 8) / 1000 / dt : null,
      framesDropped: inA && inB ? inB.framesDropped - inA.framesDropped : 0,
      freezes: inA && inB ? inB.freezeCount - inA.freezeCount : 0,
      jitterBufferMs:
        inA && inB && frames > 0 ? ((inB.jitterBufferDelay - inA.jitterBufferDelay) * 1000) / frames : null,
      decodeMs: inA && inB && decoded > 0 ? ((inB.totalDecodeTime - inA.totalDecodeTime) * 1000) / decoded : null,
      encodedFps:
        encA.video && encB.video && encSeconds > 0
          ? (encB.video.framesEncoded - encA.video.framesEncoded) / encSeconds
          : null,
      cpu: sum(cpu, 'cpuPercent'),
      rssKiB: sum(cpu, 'rssKiB'),
      otherLoad: Math.max(0, cpu.systemPercent - cpu.usage.reduce((n, u) => n + u.cpuPercent, 0)),
      encoderProcesses: cpu.usage.filter((u) => u.role === 'ffmpeg').length,
      exitedDuringWindow: cpu.exited,
      keyframeRequests: (encB.video?.keyframeRequests ?? 0) - (encA.video?.keyframeRequests ?? 0),
      videoScale,
      codecSeen: inB?.codec ?? '',
      resolutionSeen: inB ? `${inB.frameWidth}x${inB.frameHeight}` : '',
    };
  });
}

/** DELETEs the session and waits until its processes have exited, so runs do not overlap. */
export async function endSession(ctx: BenchContext, id: string): Promise<void> {
  const stats = await api<SessionStats>(ctx.owner, 'GET', `/api/sessions/${id}/stats`).catch(() => null);
  const procs = sessionProcesses(ctx.runtimeDir, id, stats?.status === 200 ? stats.body.pids : []);
  await api(ctx.owner, 'DELETE', `/api/sessions/${id}`).catch(() => {});
  await waitFor('session processes to exit', () => procs.every((p) => !isAlive(p.pid)), 15_000).catch((err: Error) =>
    console.warn(`warning: ${err.message}`),
  );
}
