/**
 * One series of the density benchmark: the active sessions measured alone, then idle sessions
 * added step by step (each launched and streaming before the next), a measurement window at
 * every step, until `max` or until quality degrades (`keepGoing`: until `max` anyway).
 */
import { measureWindow, type ActiveViewer, type WindowResult } from './density-measure.ts';
import type { DensityOptions } from './density-options.ts';
import {
  endIdleSessions,
  kindOf,
  openIdleSession,
  ownerProbe,
  type DensityContext,
  type IdleKind,
  type IdleSession,
} from './density-sessions.ts';
import type { ShareLaunch } from './share-launch.ts';

/** Quality limits a step must keep to count as sustained (issue 19). */
export const LIMITS = { g2gFactor: 2, firstFrameMs: 3000 };

export interface StepResult {
  idle: number;
  explorers: number;
  window: WindowResult;
  /** First frames of the sessions launched in this step, ms; null when none came in time. */
  firstFrames: Array<{ kind: IdleKind; ms: number | null; warm: boolean }>;
  /** A launch the server refused, or that failed on the way to its first frame. */
  launchError: string | null;
  /** With `--share-probe`: after the window, a client opening a read-only share (warm), alone. */
  shareProbe?: ShareLaunch | undefined;
  /** With it, the owner opening their own files (density-sessions.ts ownerProbe). */
  ownerProbe?: ShareLaunch | undefined;
  /** Why this step does not count as sustained (empty: it does). */
  degraded: string[];
}

export interface SeriesResult {
  explorerShare: number;
  solo: WindowResult;
  steps: StepResult[];
  /** Idle sessions of the last step that kept every limit (0: none did). */
  sustained: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function degradedBy(step: Omit<StepResult, 'degraded'>, solo: WindowResult): string[] {
  const why: string[] = [];
  const p50 = step.window.g2g.p50;
  const soloP50 = solo.g2g.p50;
  if (p50 === null) why.push('active viewers presented no frame');
  else if (soloP50 !== null && p50 > LIMITS.g2gFactor * soloP50)
    why.push(`active g2g p50 ${p50.toFixed(0)} ms > ${LIMITS.g2gFactor} × solo ${soloP50.toFixed(0)} ms`);
  const late = step.firstFrames.filter((f) => f.ms === null || f.ms > LIMITS.firstFrameMs);
  if (late.length)
    why.push(
      `first frame > ${LIMITS.firstFrameMs / 1000} s (${late.map((f) => (f.ms === null ? 'none' : `${(f.ms / 1000).toFixed(1)} s`)).join(', ')})`,
    );
  if (step.launchError) why.push(step.launchError);
  const viewers = step.window.werift?.viewers;
  if (viewers && viewers.connected < viewers.of)
    why.push(`${viewers.of - viewers.connected} werift viewer(s) not connected through the window`);
  return why;
}

export async function runSeries(
  ctx: DensityContext,
  active: readonly ActiveViewer[],
  o: DensityOptions,
  explorerShare: number,
  log: (msg: string) => void,
): Promise<SeriesResult> {
  await sleep(o.settle * 1000); // the active viewers just started, or the last series' sessions just ended
  const solo = await measureWindow(ctx, active, [], o.seconds);
  log(
    `solo: g2g p50 ${fmt(solo.g2g.p50)} p95 ${fmt(solo.g2g.p95)} ms (n=${solo.g2g.n}), fps ${solo.fps.map((f) => fmt(f, 1)).join(' / ')}`,
  );
  const result: SeriesResult = { explorerShare, solo, steps: [], sustained: 0 };
  const idle: IdleSession[] = [];
  try {
    for (let target = Math.min(o.step, o.max); ; target = Math.min(target + o.step, o.max)) {
      const firstFrames: StepResult['firstFrames'] = [];
      let launchError: string | null = null;
      while (idle.length < target && !launchError) {
        const kind = kindOf(idle.length, explorerShare);
        try {
          const s = await openIdleSession(ctx, kind);
          try {
            await ctx.werift?.takeOver(s);
          } catch (err) {
            await endIdleSessions(ctx, [s]);
            throw err;
          }
          idle.push(s);
          firstFrames.push({ kind, ms: s.firstFrameMs, warm: s.warm });
          const watcher = ctx.werift
            ? `, now watched by werift (${ctx.statsOf(s.sessionId)?.codec ?? 'no stream'})`
            : '';
          log(`  +${kind} #${idle.length}: first frame ${fmt(s.firstFrameMs)} ms${s.warm ? ' (warm)' : ''}${watcher}`);
        } catch (err) {
          launchError = `launch #${idle.length + 1} (${kind}) failed: ${(err as Error).message.split('\n')[0]}`;
          log(`  ${launchError}`);
        }
      }
      await sleep(o.settle * 1000);
      const window = await measureWindow(ctx, active, idle, o.seconds);
      const measured = {
        idle: idle.length,
        explorers: idle.filter((s) => s.kind === 'explorer').length,
        window,
        firstFrames,
        launchError,
      };
      const shareProbe = await ctx.shareProbe?.();
      const ownProbe = ctx.shareProbe ? await ownerProbe(ctx) : undefined;
      for (const [who, p] of [
        ["client's read-only share", shareProbe],
        ["owner's own files", ownProbe],
      ] as const) {
        if (p) log(`  ${who}: first frame ${fmt(p.ms)} ms (${p.warm ? 'warm' : 'cold'})`);
      }
      const step: StepResult = {
        ...measured,
        shareProbe,
        ownerProbe: ownProbe,
        degraded: degradedBy(measured, solo),
      };
      log(
        `${step.idle} idle: g2g p50 ${fmt(window.g2g.p50)} p95 ${fmt(window.g2g.p95)} ms, fps ${window.fps.map((f) => fmt(f, 1)).join(' / ')}, ` +
          `server ${window.cpu.server.toFixed(1)} %, client ${window.cpu.client.toFixed(1)} %, rest ${window.cpu.otherLoad.toFixed(1)} %` +
          (step.degraded.length ? `; DEGRADED: ${step.degraded.join('; ')}` : ''),
      );
      const degradedBefore = result.steps.some((x) => x.degraded.length);
      result.steps.push(step);
      if (!degradedBefore && !step.degraded.length) result.sustained = step.idle;
      if ((step.degraded.length && !o.keepGoing) || target >= o.max) break;
    }
  } finally {
    log(`ending ${idle.length} idle sessions`);
    await endIdleSessions(ctx, idle);
  }
  return result;
}

function fmt(v: number | null, digits = 0): string {
  return v === null ? 'n/a' : v.toFixed(digits);
}
