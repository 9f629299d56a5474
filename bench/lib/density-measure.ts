/**
 * One measurement window of the density benchmark: over the same seconds, the active viewers'
 * glass-to-glass and decoded rate, and the CPU of every idle session's processes, of the server
 * and of the viewers' browser; memory (PSS) read right after the window.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { processTree } from '../../server/test/helpers.ts';
import {
  INBOUND_STATS,
  READ_RECORDING,
  RECORDER_SCRIPT,
  setRecording,
  type InboundSnapshot,
  type RecordedWindow,
} from './page-scripts.ts';
import { pssKiB, startCpuWindow, type Proc } from './procfs.ts';
import {
  sessionPids,
  type DensityContext,
  type IdleKind,
  type IdleSession,
  type SessionStats,
} from './density-sessions.ts';
import { percentile } from './stats.ts';

/** A streaming viewer of an animated diagnostics session. */
export interface ActiveViewer {
  page: Page;
  sessionId: string;
}

export interface IdleUsage {
  kind: IdleKind;
  sessionId: string;
  /** Sandbox tree + encoders, % of one core over the window. */
  cpuPercent: number;
  /** Sum of the same processes' PSS right after the window, KiB. */
  pssKiB: number;
  /** The same, process by process (`name`: e.g. Xvfb, `chromium (renderer)`, `ffmpeg (video)`). */
  processes: Array<{ name: string; cpuPercent: number; pssKiB: number }>;
  /**
   * What the server's pipeline did over the window: frames encoded per second, keyframes asked
   * for, encoders stopped on a still picture and woken again.
   */
  video: { encodedFps: number; keyframeRequests: number; idleStops: number; wakes: number } | null;
}

export interface WindowResult {
  seconds: number;
  /** Every frame of every active viewer in the window, pooled. */
  g2g: { p50: number | null; p95: number | null; n: number };
  /** Decoded frames per second of each active viewer. */
  fps: Array<number | null>;
  idle: IdleUsage[];
  /** % of one core: this process (server + bench), the active sessions' own processes, the viewers' Chromium. */
  cpu: { server: number; active: number; client: number; otherLoad: number };
  serverPssKiB: number | null;
  /**
   * With werift idle viewers (the clients, not the host): their process's CPU and PSS, and how
   * many of the idle sessions' viewers were connected at the window's start and end, with RTP.
   */
  werift: {
    cpuPercent: number;
    pssKiB: number | null;
    viewers: { of: number; connected: number; withRtp: number; rtpPacketsInWindow: number };
  } | null;
}

/** Starts the frame recorder in an active viewer once it shows decodable frames. */
export async function startRecorder(page: Page): Promise<void> {
  await page.evaluate(RECORDER_SCRIPT);
  await page.waitForFunction('window.__bench.last !== null', null, { timeout: 5000 });
}

/**
 * The program a process runs (argv[0] without its folder), with Chromium's process type
 * (`chromium (renderer)`, …) or what an FFmpeg encodes (`ffmpeg (video)`, `ffmpeg (sound)`);
 * '(exited)' once gone or a zombie. Chromium rewrites its command line as one space-separated
 * string, hence the split on spaces too.
 */
function commandName(pid: number): string {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    const program = path.basename(cmd.split(' ')[0] ?? '');
    if (!program) return '(exited)';
    const chromiumType = /--type=(\S+)/.exec(cmd)?.[1];
    if (chromiumType) return `${program} (${chromiumType})`;
    // A video encoder drops sound (-an), the sound's encoder drops video (-vn).
    if (program === 'ffmpeg' && cmd.includes(' -an ')) return 'ffmpeg (video)';
    if (program === 'ffmpeg' && cmd.includes(' -vn ')) return 'ffmpeg (sound)';
    return program;
  } catch {
    return '(exited)';
  }
}

function videoDelta(a: SessionStats['video'], b: SessionStats['video'], seconds: number): IdleUsage['video'] {
  if (!a || !b) return null;
  return {
    encodedFps: (b.framesEncoded - a.framesEncoded) / seconds,
    keyframeRequests: b.keyframeRequests - a.keyframeRequests,
    idleStops: b.idleStops - a.idleStops,
    wakes: b.wakes - a.wakes,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function measureWindow(
  ctx: DensityContext,
  active: readonly ActiveViewer[],
  idle: readonly IdleSession[],
  seconds: number,
): Promise<WindowResult> {
  // Listing walks /proc a few times per session: done before the window, not inside it, since
  // this process's CPU is the server's.
  const idlePids = new Map(idle.map((s) => [s.sessionId, sessionPids(ctx, s.sessionId)]));
  const activePids = active.flatMap((a) => sessionPids(ctx, a.sessionId));
  const inSessions = new Set([...activePids, ...[...idlePids.values()].flat()]);
  // The explorer's Chromium descends from this process too: the client is the rest.
  const client = processTree(process.pid)
    .filter((p) => !inSessions.has(p.pid) && /chrom(e|ium)/.test(p.cmd.split(' ')[0] ?? ''))
    .map((p) => p.pid);
  const procs: Proc[] = [
    ...[...idlePids].flatMap(([id, pids]) => pids.map((pid) => ({ pid, role: id }))),
    ...activePids.map((pid) => ({ pid, role: 'active' })),
    ...client.map((pid) => ({ pid, role: 'client' })),
    ...(ctx.werift ? [{ pid: ctx.werift.pid, role: 'werift' }] : []),
    { pid: process.pid, role: 'server' },
  ];
  // An encoder started during the window (a new warm spare) is counted from its start.
  const withNewEncoders = (): Proc[] => [
    ...procs,
    ...idle.flatMap((s) => (ctx.statsOf(s.sessionId)?.pids ?? []).map((pid) => ({ pid, role: s.sessionId }))),
    ...active.flatMap((a) => (ctx.statsOf(a.sessionId)?.pids ?? []).map((pid) => ({ pid, role: 'active' }))),
  ];

  const videoA = new Map(idle.map((s) => [s.sessionId, ctx.statsOf(s.sessionId)?.video]));
  const inA = await Promise.all(active.map((a) => a.page.evaluate(INBOUND_STATS) as Promise<InboundSnapshot | null>));
  await Promise.all(active.map((a) => a.page.evaluate(setRecording(true))));
  const weriftA = await ctx.werift?.status();
  const cpuWindow = startCpuWindow(procs);
  await sleep(seconds * 1000);
  const cpu = cpuWindow.end(withNewEncoders());
  const weriftB = await ctx.werift?.status();
  const videoB = new Map(idle.map((s) => [s.sessionId, ctx.statsOf(s.sessionId)?.video]));
  await Promise.all(active.map((a) => a.page.evaluate(setRecording(false))));
  const inB = await Promise.all(active.map((a) => a.page.evaluate(INBOUND_STATS) as Promise<InboundSnapshot | null>));
  const recorded = await Promise.all(active.map((a) => a.page.evaluate(READ_RECORDING) as Promise<RecordedWindow>));

  const cpuOf = (role: string) => cpu.usage.filter((u) => u.role === role).reduce((n, u) => n + u.cpuPercent, 0);
  const g2g = recorded.flatMap((r) => r.samples.map((s) => s.g2g));
  const listed = cpu.usage.reduce((n, u) => n + u.cpuPercent, 0);
  return {
    seconds: cpu.seconds,
    g2g: { p50: percentile(g2g, 50), p95: percentile(g2g, 95), n: g2g.length },
    fps: active.map((_, i) => {
      const [a, b] = [inA[i], inB[i]];
      const dt = a && b ? (b.timestamp - a.timestamp) / 1000 : 0;
      return a && b && dt > 0 ? (b.framesDecoded - a.framesDecoded) / dt : null;
    }),
    idle: idle.map((s) => {
      // Listed again now: a process that started during the window has memory too.
      const cpuByPid = new Map(cpu.usage.filter((u) => u.role === s.sessionId).map((u) => [u.pid, u.cpuPercent]));
      const pids = new Set([...cpuByPid.keys(), ...sessionPids(ctx, s.sessionId)]);
      const processes = [...pids].map((pid) => ({
        name: commandName(pid),
        cpuPercent: cpuByPid.get(pid) ?? 0,
        pssKiB: pssKiB(pid) ?? 0,
      }));
      const total = (field: 'cpuPercent' | 'pssKiB') => processes.reduce((n, p) => n + p[field], 0);
      return {
        kind: s.kind,
        sessionId: s.sessionId,
        cpuPercent: total('cpuPercent'),
        pssKiB: total('pssKiB'),
        processes,
        video: videoDelta(videoA.get(s.sessionId), videoB.get(s.sessionId), cpu.seconds),
      };
    }),
    cpu: {
      server: cpuOf('server'),
      active: cpuOf('active'),
      client: cpuOf('client'),
      otherLoad: Math.max(0, cpu.systemPercent - listed),
    },
    serverPssKiB: pssKiB(process.pid),
    werift:
      ctx.werift && weriftA && weriftB
        ? {
            cpuPercent: cpuOf('werift'),
            pssKiB: pssKiB(ctx.werift.pid),
            viewers: {
              of: idle.length,
              connected: idle.filter((s) => weriftA[s.sessionId]?.connected && weriftB[s.sessionId]?.connected).length,
              withRtp: idle.filter((s) => (weriftB[s.sessionId]?.rtpPackets ?? 0) > 0).length,
              rtpPacketsInWindow: idle.reduce(
                (n, s) => n + (weriftB[s.sessionId]?.rtpPackets ?? 0) - (weriftA[s.sessionId]?.rtpPackets ?? 0),
                0,
              ),
            },
          }
        : null,
  };
}
