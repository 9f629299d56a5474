/**
 * The density benchmark's sessions (bench/density.ts): idle sessions, each launched from the UI
 * in a tab of one shared browser context and left streaming, and the processes that are a
 * session's own (its sandbox tree and its encoders).
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { AppClaim } from '../../server/src/control/ports.ts';
import { api, isAlive, sessionProcesses, waitFor } from '../../server/test/helpers.ts';
import type { TestUser } from '../../server/test/auth-client.ts';
import type { WeriftViewers } from './density-werift.ts';
import { EXPLORER_APP_ID, UI_FRAME_SCRIPT } from './explorer.ts';
import { warmReady, warmSandboxPids, type ShareLaunch } from './share-launch.ts';
import { launchFromAppList } from './lab-viewer.ts';
import { INIT_SCRIPT } from './page-scripts.ts';

/** `explorer`: the File Explorer listing /files; `simple`: the diagnostics app, static. */
export type IdleKind = 'explorer' | 'simple';
export const IDLE_KINDS: readonly IdleKind[] = ['explorer', 'simple'];

/** The app ids the benchmark's APPS_ROOT serves (bench/density.ts makes it). */
export const ACTIVE_APP = { id: 'diag-720', width: 1280, height: 720, fps: 30 };
export const SIMPLE_APP = { id: 'diag-static', width: 1280, height: 720, fps: 0 };
const APP_OF: Record<IdleKind, string> = { explorer: EXPLORER_APP_ID, simple: SIMPLE_APP.id };

/** Wider than the 3 s target, so a slow first frame is measured rather than cut off. */
export const FIRST_FRAME_WAIT_MS = 20_000;

export interface DensityContext {
  publicUrl: string;
  owner: TestUser;
  runtimeDir: string;
  /** The tabs of every idle viewer (one context: the owner's cookie, one browser's memory). */
  idleContext: BrowserContext;
  /** The in-process server's own view of a session: its host pids (sandbox, encoders), its video. */
  statsOf(id: string): SessionStats | undefined;
  claimsOf(id: string): AppClaim[];
  /** With `--idle-viewers werift`: who watches an idle session once its first frame was measured. */
  werift: WeriftViewers | undefined;
  /**
   * With `--share-probe`: a client opens a read-only share, and the owner their own files, each
   * once a warm sandbox for it is ready (bench/lib/share-launch.ts, ownerProbe).
   */
  shareProbe?: (() => Promise<ShareLaunch>) | undefined;
  onCleanup(step: () => Promise<void>): () => void;
}

export interface SessionStats {
  pids: number[];
  /** The running stream's codec (every viewer takes it); undefined while nobody watches. */
  codec?: string | undefined;
  video?: { framesEncoded: number; keyframeRequests: number; idleStops: number; wakes: number };
}

export interface IdleSession {
  kind: IdleKind;
  sessionId: string;
  page: Page;
  /**
   * Launch click → first presented frame (simple app), or → first presented frame showing the
   * explorer's UI (luma spread, explorer.ts's UI_FRAME_SCRIPT); null if none within
   * FIRST_FRAME_WAIT_MS.
   */
  firstFrameMs: number | null;
  /** Its sandbox was one started before it (sessions/warm-pool.ts). */
  warm: boolean;
  /** Unregisters the session's clean-up step once it was ended by hand. */
  unregister(): void;
}

/** The kind of the `index`-th idle session (0-based) when a `share` of them are explorers. */
export function kindOf(index: number, share: number): IdleKind {
  return Math.floor((index + 1) * share) > Math.floor(index * share) ? 'explorer' : 'simple';
}

/**
 * Launches one idle session from the app list in a new tab and waits for its first frame (and,
 * for the explorer, its `folder-opened` claim for /files: the listing is on screen). Throws
 * LaunchRefused if the server said no; any other failure ends the session again.
 */
export async function openIdleSession(ctx: DensityContext, kind: IdleKind): Promise<IdleSession> {
  const page = await ctx.idleContext.newPage();
  let sessionId: string | null = null;
  let unregister = () => {};
  try {
    await page.addInitScript(INIT_SCRIPT);
    if (kind === 'explorer') await page.addInitScript(UI_FRAME_SCRIPT);
    const warmPids = warmSandboxPids(ctx);
    const clickedAt = await launchFromAppList(
      page,
      { origin: ctx.publicUrl, codec: 'h264', appId: APP_OF[kind] },
      (id) => {
        sessionId = id;
        unregister = ctx.onCleanup(() => endSession(ctx, id));
      },
    );
    const shownAt = kind === 'explorer' ? 'window.__explorerBench.firstUiWall' : 'window.__bench.firstFrameWall';
    const wall = await page
      .waitForFunction(`${shownAt} !== null && ${shownAt}`, null, { timeout: FIRST_FRAME_WAIT_MS, polling: 50 })
      .then((h) => h.jsonValue() as Promise<number>)
      .catch(() => null);
    const id = sessionId!;
    if (kind === 'explorer') {
      const listed = (c: AppClaim) => c.kind === 'folder-opened' && c.path === '/files';
      await waitFor('/files listed', () => ctx.claimsOf(id).some(listed), FIRST_FRAME_WAIT_MS);
    }
    const warm = warmPids.has(ctx.statsOf(id)?.pids[0] ?? -1);
    return { kind, sessionId: id, page, firstFrameMs: wall === null ? null : wall - clickedAt, warm, unregister };
  } catch (err) {
    if (sessionId) await endSession(ctx, sessionId);
    unregister();
    await page.close().catch(() => {});
    throw err;
  }
}

/** Every live process of a session: its sandbox tree and the encoders the server started for it. */
export function sessionPids(ctx: DensityContext, id: string): number[] {
  return [...new Set(sessionProcesses(ctx.runtimeDir, id, ctx.statsOf(id)?.pids ?? []).map((p) => p.pid))];
}

/** DELETEs the session and waits until its processes have exited (warns, does not throw). */
export async function endSession(ctx: DensityContext, id: string): Promise<void> {
  const pids = sessionPids(ctx, id);
  await api(ctx.owner, 'DELETE', `/api/sessions/${id}`).catch(() => {});
  await waitFor('session processes to exit', () => pids.every((pid) => !isAlive(pid)), 15_000).catch((err: Error) =>
    process.stderr.write(`[density] warning: ${id}: ${err.message}\n`),
  );
}

/** Ends idle sessions (a few at a time: each DELETE waits for its processes) and closes their tabs. */
export async function endIdleSessions(ctx: DensityContext, sessions: IdleSession[]): Promise<void> {
  const PARALLEL = 5;
  for (let i = 0; i < sessions.length; i += PARALLEL) {
    await Promise.all(
      sessions.slice(i, i + PARALLEL).map(async (s) => {
        await endSession(ctx, s.sessionId);
        s.unregister();
        await s.page.close().catch(() => {});
      }),
    );
  }
}

/**
 * The owner opens their own files from the app list once the warm sandbox for that is ready,
 * timed as the idle sessions are; the session is ended again (it is no part of the load).
 */
export async function ownerProbe(ctx: DensityContext): Promise<ShareLaunch> {
  await warmReady(ctx, 'owner');
  const s = await openIdleSession(ctx, 'explorer');
  await endIdleSessions(ctx, [s]);
  return { ms: s.firstFrameMs, warm: s.warm };
}
