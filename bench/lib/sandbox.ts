import fs from 'node:fs';
import { api, isAlive } from '../../server/test/helpers.ts';
import { rssKiB } from './procfs.ts';
import { endSession, withLaunchedViewer, type BenchContext, type Codec, type SessionStats } from './scenario.ts';
import { percentile } from './stats.ts';

/** A bundled app measured by the sandbox section. */
export interface SandboxApp {
  label: string;
  appId: string;
  width: number;
  height: number;
}

export interface SandboxRunResult {
  /** `POST /api/sessions` request → 201 response, ms, one per start. */
  createMs: number[];
  createP50: number | null;
  createP95: number | null;
  /** Launch click → first presented frame of the viewer, ms. */
  firstFrameMs: number | null;
  /** Sandbox cgroup usage (Xvfb + app, cgroup v1 usage_in_bytes or v2 memory.current), bytes. */
  memoryBytes: number | null;
  /** VmRSS summed over the encoders (ffmpeg PIDs among the stats `pids`), KiB. */
  encoderRssKiB: number;
  encoders: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** How long the viewer streams before memory is read. */
export const SANDBOX_STREAM_MS = 2000;
/** Codec of the viewer used for the memory reading. */
export const SANDBOX_CODEC: Codec = 'h264';

function isFfmpeg(pid: number): boolean {
  try {
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)ffmpeg$/.test(argv0);
  } catch {
    return false;
  }
}

/**
 * One run of the sandbox section for one app: `starts` sessions created and ended straight
 * through the API (timing the POST), then one session launched from the UI whose memory is
 * read after the viewer has streamed for SANDBOX_STREAM_MS.
 */
export async function runSandbox(ctx: BenchContext, app: SandboxApp, starts: number): Promise<SandboxRunResult> {
  const createMs: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const res = await api<{ id: string; message?: string }>(ctx.owner, 'POST', '/api/sessions', { appId: app.appId });
    const ms = performance.now() - t0;
    if (res.status !== 201) throw new Error(`POST /api/sessions for ${app.appId}: ${res.status} ${res.body.message}`);
    const id = res.body.id;
    const unregister = ctx.onCleanup(async () => {
      await api(ctx.owner, 'DELETE', `/api/sessions/${id}`).catch(() => {});
    });
    createMs.push(ms);
    // Waits for the sandbox's processes to exit, so starts never overlap a teardown.
    await endSession(ctx, id);
    unregister();
  }

  const launched = await withLaunchedViewer(
    ctx,
    { appId: app.appId, codec: SANDBOX_CODEC, width: app.width, height: app.height },
    async ({ sessionId, clickedAt, startTimes }) => {
      await sleep(SANDBOX_STREAM_MS);
      const stats = await api<SessionStats>(ctx.owner, 'GET', `/api/sessions/${sessionId}/stats`);
      if (stats.status !== 200) throw new Error(`stats: ${stats.status}`);
      const encoders = (stats.body.pids ?? []).filter((pid) => isAlive(pid) && isFfmpeg(pid));
      return {
        firstFrameMs: startTimes.firstFrameWall === null ? null : startTimes.firstFrameWall - clickedAt,
        memoryBytes: typeof stats.body.memoryBytes === 'number' ? stats.body.memoryBytes : null,
        encoderRssKiB: encoders.reduce((n, pid) => n + (rssKiB(pid) ?? 0), 0),
        encoders: encoders.length,
      };
    },
  );
  return { createMs, createP50: percentile(createMs, 50), createP95: percentile(createMs, 95), ...launched };
}
