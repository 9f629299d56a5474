/**
 * Issue 17's browser scenarios: a client's session of a share, viewed in Chromium, (A) not
 * recorded, (B) recorded, (C) recorded and watched live by the share's owner in a second page.
 * One run measures, over the same window: glass-to-glass and getStats at every viewer, CPU of
 * the server, the encoders and the sandbox, the recording's growth on disk, and, once the
 * session has ended, what the recorder says it left out (`dropped` of `recording.end`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { AuditPage, CreatedShare, RecordingList, SessionInfo } from '@vitrine/protocol';
import { register, type TestUser } from '../../server/test/auth-client.ts';
import { api, isAlive, processTree, sessionProcesses, waitFor } from '../../server/test/helpers.ts';
import {
  INBOUND_STATS,
  INIT_SCRIPT,
  READ_RECORDING,
  RECORDER_SCRIPT,
  VIDEO_SCALE,
  VIEWER_STATE,
  setRecording,
  type InboundSnapshot,
  type RecordedWindow,
} from './page-scripts.ts';
import { startCpuWindow, type Proc } from './procfs.ts';
import { percentile } from './stats.ts';
import { addSessionCookie } from '../../e2e/lib/session-cookie.ts';

export const VARIANTS = ['plain', 'recorded', 'watched'] as const;
export type Variant = (typeof VARIANTS)[number];
export const VARIANT_LABELS: Record<Variant, string> = {
  plain: 'A: not recorded',
  recorded: 'B: recorded',
  watched: 'C: recorded + owner watching',
};

export interface OversightContext {
  browser: Browser;
  url: string;
  publicUrl: string;
  /** The share's owner (an admin: the server's first account). */
  owner: TestUser;
  runtimeDir: string;
  /** The server's recordings folder (config.recordings.dir). */
  recordingsDir: string;
  appId: string;
  width: number;
  height: number;
  seconds: number;
  /** The in-process server's own view of a session (its pids, encoder counters, viewers). */
  statsOf(id: string): SessionStats | undefined;
  flushAudit(): Promise<void>;
  onCleanup(step: () => Promise<void>): () => void;
}

export interface SessionStats {
  pids: number[];
  viewers?: number;
  video?: { framesEncoded: number; encoderRestarts: number };
}

/** The two shares of the benchmark, each with its own client signed in. */
export interface Shares {
  plain: { shareId: string; client: TestUser };
  recorded: { shareId: string; client: TestUser };
}

export async function prepareShares(ctx: OversightContext): Promise<Shares> {
  await api(ctx.owner, 'POST', '/api/files/folders', { path: 'Deal' });
  const share = async (email: string, recorded: boolean) => {
    const created = await api<CreatedShare>(ctx.owner, 'POST', '/api/shares', {
      clientEmail: email,
      label: recorded ? 'Recorded room' : 'Plain room',
      paths: [{ path: 'Deal', access: 'view' }],
      apps: [ctx.appId],
      expiresAt: new Date(Date.now() + 24 * 3_600_000).toISOString(),
      recording: recorded,
      liveView: recorded,
    });
    if (created.status !== 201) throw new Error(`share: ${created.status} ${JSON.stringify(created.body)}`);
    const client = await register(ctx.url, ctx.publicUrl, created.body.invitation.link, {
      displayName: recorded ? 'Rita Recorded' : 'Paul Plain',
    });
    return { shareId: created.body.share.id, client };
  };
  return { plain: await share('paul@example.test', false), recorded: await share('rita@example.test', true) };
}

export interface ViewerResult {
  g2g: { p50: number | null; p95: number | null; n: number };
  /** p50 of each frame's latency split at its last packet's arrival: server side / browser side. */
  upstreamP50: number | null;
  downstreamP50: number | null;
  fps: number | null;
  framesDropped: number;
  freezes: number;
  kbps: number | null;
  resolution: string;
  videoScale: number | null;
}

export interface OversightRun {
  variant: Variant;
  client: ViewerResult;
  watcher: ViewerResult | null;
  /** % of one core over the window; `encoders`: the FFmpeg video encoders and their frame pumps. */
  cpu: { server: number; encoders: number; sandbox: number; chromium: number; otherLoad: number };
  /** FFmpeg video encoders alive at the end of the window (the active one + its warm spare). */
  encoders: number;
  /** Viewers the server counts for the session, and its encoded frames per second. */
  viewers: number;
  encodedFps: number | null;
  /** Growth of the recording's segment files over the window, bytes per second (0 unrecorded). */
  recordingBytesPerS: number;
  /** From `recording.end`: frames the recorder left out, segments and bytes; null unrecorded. */
  recording: { dropped: number; segments: number; bytes: number } | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** After the last viewer streams: first keyframe, rate control, a watcher's keyframe request. */
export const WARMUP_MS = 1500;

/** Runs one scenario once: launches the client's session, measures, ends it. */
export async function runOversight(ctx: OversightContext, shares: Shares, variant: Variant): Promise<OversightRun> {
  const { shareId, client } = variant === 'plain' ? shares.plain : shares.recorded;
  const launched = await api<SessionInfo>(client, 'POST', '/api/sessions', {
    appId: ctx.appId,
    shareId,
    ...(variant === 'plain' ? {} : { acknowledgeRecording: true }),
  });
  if (launched.status !== 201) throw new Error(`launch: ${launched.status} ${JSON.stringify(launched.body)}`);
  const id = launched.body.id;
  const unregisterSession = ctx.onCleanup(async () => {
    await api(client, 'DELETE', `/api/sessions/${id}`).catch(() => {});
  });
  const pages: Array<() => Promise<void>> = [];
  try {
    const clientPage = await openViewer(ctx, client, `/session/${id}?codec=h264`, pages);
    const watcherPage =
      variant === 'watched' ? await openViewer(ctx, ctx.owner, `/session/${id}?codec=h264&watch=1`, pages) : null;
    const viewerPages = [clientPage, ...(watcherPage ? [watcherPage] : [])];
    await sleep(WARMUP_MS);
    for (const page of viewerPages) {
      await page.evaluate(RECORDER_SCRIPT);
      await page.waitForFunction('window.__bench.last !== null', null, { timeout: 5000 });
    }
    const recordingDir = variant === 'plain' ? null : await recordingFolder(ctx, id);

    // --- measurement window --------------------------------------------------------------------
    const procsBefore = listProcs(ctx, id);
    const statsA = ctx.statsOf(id);
    const inA = await Promise.all(viewerPages.map((p) => p.evaluate(INBOUND_STATS) as Promise<InboundSnapshot | null>));
    const bytesA = recordingDir ? segmentBytes(recordingDir) : 0;
    const t0 = performance.now();
    for (const page of viewerPages) await page.evaluate(setRecording(true));
    const cpuWindow = startCpuWindow(procsBefore);
    await sleep(ctx.seconds * 1000); // the bench idles: its CPU counts as "server"
    const procsAfter = listProcs(ctx, id);
    const cpu = cpuWindow.end(procsAfter);
    const bytesB = recordingDir ? segmentBytes(recordingDir) : 0;
    const windowS = (performance.now() - t0) / 1000;
    for (const page of viewerPages) await page.evaluate(setRecording(false));
    const inB = await Promise.all(viewerPages.map((p) => p.evaluate(INBOUND_STATS) as Promise<InboundSnapshot | null>));
    const statsB = ctx.statsOf(id);
    const seen = await Promise.all(
      viewerPages.map(async (page, i) => viewerResult(page, inA[i] ?? null, inB[i] ?? null)),
    );

    const sum = (role: string) => cpu.usage.filter((u) => u.role === role).reduce((n, u) => n + u.cpuPercent, 0);
    const listed = cpu.usage.reduce((n, u) => n + u.cpuPercent, 0);
    const framesEncoded = (s: SessionStats | undefined) => s?.video?.framesEncoded ?? null;
    const [fA, fB] = [framesEncoded(statsA), framesEncoded(statsB)];
    const result: OversightRun = {
      variant,
      client: seen[0]!,
      watcher: seen[1] ?? null,
      cpu: {
        server: sum('server'),
        encoders: sum('encoder'),
        sandbox: sum('sandbox'),
        chromium: sum('chromium'),
        otherLoad: Math.max(0, cpu.systemPercent - listed),
      },
      encoders: procsAfter.filter((p) => p.role === 'encoder' && commandOf(p.pid)[0]?.endsWith('ffmpeg')).length,
      viewers: statsB?.viewers ?? 0,
      encodedFps: fA !== null && fB !== null ? (fB - fA) / windowS : null,
      recordingBytesPerS: (bytesB - bytesA) / windowS,
      recording: null,
    };
    await endSession(ctx, client, id);
    unregisterSession();
    if (variant !== 'plain') result.recording = await recordingEnd(ctx, id);
    return result;
  } finally {
    for (const close of pages) await close();
    await api(client, 'DELETE', `/api/sessions/${id}`).catch(() => {});
    unregisterSession();
  }
}

/**
 * A signed-in page on the viewer of `route`, streaming. Pixel for pixel: as wide as the video,
 * tall enough for the toolbar (the app is not resizable, so the stream keeps its size anyway).
 */
async function openViewer(
  ctx: OversightContext,
  who: TestUser,
  route: string,
  closers: Array<() => Promise<void>>,
): Promise<Page> {
  // The probes are strings evaluated in the page; only this measuring browser bypasses the CSP.
  const context = await ctx.browser.newContext({
    viewport: { width: ctx.width, height: ctx.height + 160 },
    bypassCSP: true,
  });
  const unregister = ctx.onCleanup(() => context.close().catch(() => {}));
  closers.push(async () => {
    await context.close().catch(() => {});
    unregister();
  });
  await addSessionCookie(context, who, ctx.publicUrl);
  const page = await context.newPage();
  await page.addInitScript(INIT_SCRIPT);
  await page.goto(`${ctx.publicUrl}${route}`);
  await page.waitForFunction(
    `window.__vitrine && ['streaming', 'failed', 'error', 'ended'].includes(window.__vitrine.state)`,
    null,
    { timeout: 30_000 },
  );
  const state = (await page.evaluate(VIEWER_STATE)) as string;
  if (state !== 'streaming') throw new Error(`${route}: viewer ended in state "${state}" instead of streaming`);
  return page;
}

async function viewerResult(page: Page, a: InboundSnapshot | null, b: InboundSnapshot | null): Promise<ViewerResult> {
  const rec = (await page.evaluate(READ_RECORDING)) as RecordedWindow;
  const g2g = rec.samples.map((s) => s.g2g);
  const dt = a && b ? (b.timestamp - a.timestamp) / 1000 : 0;
  return {
    g2g: { p50: percentile(g2g, 50), p95: percentile(g2g, 95), n: g2g.length },
    upstreamP50: percentile(
      rec.samples.map((x) => x.upstream),
      50,
    ),
    downstreamP50: percentile(
      rec.samples.map((x) => x.downstream),
      50,
    ),
    fps: a && b && dt > 0 ? (b.framesDecoded - a.framesDecoded) / dt : null,
    framesDropped: a && b ? b.framesDropped - a.framesDropped : 0,
    freezes: a && b ? b.freezeCount - a.freezeCount : 0,
    kbps: a && b && dt > 0 ? ((b.bytesReceived - a.bytesReceived) * 8) / 1000 / dt : null,
    resolution: b ? `${b.frameWidth}x${b.frameHeight}` : '',
    videoScale: (await page.evaluate(VIDEO_SCALE)) as number,
  };
}

/**
 * Processes of the session by role: its sandbox (bwrap, Xvfb, the app), its video encoders
 * (each a frame pump and the FFmpeg it feeds, both with a video codec in their arguments; the
 * sound's FFmpeg, if any, is "audio"), this process (server + bench) and Chromium (Playwright's
 * browser is this process's child tree).
 */
function listProcs(ctx: OversightContext, id: string): Proc[] {
  const stats = ctx.statsOf(id);
  const sandbox = sessionProcesses(ctx.runtimeDir, id).map((p) => ({ pid: p.pid, role: 'sandbox' }));
  const inSandbox = new Set(sandbox.map((p) => p.pid));
  const ffmpeg = (stats?.pids ?? [])
    .filter((pid) => !inSandbox.has(pid) && isAlive(pid))
    .map((pid) => ({ pid, role: isVideoEncoder(pid) ? 'encoder' : 'audio' }));
  const chromium = processTree(process.pid)
    .filter((p) => /chrom(e|ium)/.test(p.cmd.split(' ')[0] ?? ''))
    .map((p) => ({ pid: p.pid, role: 'chromium' }));
  return [...sandbox, ...ffmpeg, { pid: process.pid, role: 'server' }, ...chromium];
}

function commandOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function isVideoEncoder(pid: number): boolean {
  const args = commandOf(pid);
  const i = args.indexOf('-c:v');
  return i >= 0 && args[i + 1] !== undefined && args[i + 1] !== 'copy';
}

/** The recording's folder: <recordings>/<owner id>/<recording id>. */
async function recordingFolder(ctx: OversightContext, sessionId: string): Promise<string> {
  const list = await api<RecordingList>(ctx.owner, 'GET', `/api/recordings?sessionId=${sessionId}`);
  const rec = list.body.recordings[0];
  if (!rec) throw new Error(`no recording for session ${sessionId} (${list.status})`);
  return path.join(ctx.recordingsDir, ctx.owner.me.id, rec.id);
}

/** Bytes of its video segments on disk now (the one being written grows with every write). */
function segmentBytes(dir: string): number {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

/** DELETE as the client, then wait until the session's processes are gone (runs never overlap). */
async function endSession(ctx: OversightContext, client: TestUser, id: string): Promise<void> {
  const procs = sessionProcesses(ctx.runtimeDir, id, ctx.statsOf(id)?.pids ?? []);
  const res = await api(client, 'DELETE', `/api/sessions/${id}`);
  if (res.status !== 204) throw new Error(`end session: ${res.status}`);
  await waitFor('session processes to exit', () => procs.every((p) => !isAlive(p.pid)), 15_000);
}

/** What `recording.end` says on the trail (written once the last segment is on it). */
async function recordingEnd(ctx: OversightContext, sessionId: string): Promise<OversightRun['recording']> {
  return waitFor(
    'recording.end on the trail',
    async () => {
      await ctx.flushAudit();
      const page = await api<AuditPage>(ctx.owner, 'GET', `/api/audit?session=${sessionId}&order=asc&limit=500`);
      const failed = page.body.events.find((e) => e.action === 'recording.failed');
      if (failed) throw new Error(`recording failed: ${failed.reason ?? ''}`);
      const end = page.body.events.find((e) => e.action === 'recording.end');
      if (!end) return null;
      const d = end.detail as { dropped: number; segments: number; bytes: number };
      return { dropped: d.dropped, segments: d.segments, bytes: d.bytes };
    },
    15_000,
    200,
  );
}
