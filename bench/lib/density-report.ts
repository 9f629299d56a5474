/** The density benchmark's report (bench/DENSITY-RESULTS.md): header, method, a table per series, targets. */
import type { DensityOptions } from './density-options.ts';
import { FIRST_FRAME_WAIT_MS, type IdleKind } from './density-sessions.ts';
import { LIMITS, type SeriesResult, type StepResult } from './density-sweep.ts';
import { WARM_SETTLE_MS } from './share-launch.ts';
import type { MachineInfo } from './report.ts';
import { UI_LUMA_STD } from './explorer.ts';
import { mean, percentile } from './stats.ts';

/** Issue 19's targets for one host of this kind. */
export const TARGETS = {
  explorerSessions: 40,
  idleCpuPercent: 0.3,
  pssMiB: { explorer: 200, simple: 30 } as Record<IdleKind, number>,
  firstFrameMs: LIMITS.firstFrameMs,
};

export interface DensityReportInput {
  date: Date;
  command: string;
  machine: MachineInfo;
  loadAvgEnd: [number, number, number];
  options: DensityOptions;
  series: SeriesResult[];
  /** What /api/status reports, e.g. "cgroup v1, Landlock enforced". */
  sandboxHost: string;
  /** ENCODER_IDLE_STOP: a still picture's encoders stop after this long (0: never). */
  idleStopS: number;
  serverIdleCpu: number;
  elapsedS: number;
  errors: string[];
}

const f = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
/** How density-measure.ts names a video encoder (the sound's is `ffmpeg (sound)`). */
const VIDEO_ENCODER = 'ffmpeg (video)';
const LABEL: Record<IdleKind, string> = { explorer: 'explorer', simple: 'simple' };

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Mean CPU % and PSS MiB of the idle sessions of one kind at a step; null without any. */
export function perIdle(step: StepResult, kind: IdleKind): { cpu: number; pssMiB: number } | null {
  const of = step.window.idle.filter((u) => u.kind === kind);
  if (!of.length) return null;
  return { cpu: mean(of.map((u) => u.cpuPercent))!, pssMiB: mean(of.map((u) => u.pssKiB / 1024))! };
}

/** The step the per-session costs are quoted from: the last sustained one, else the first. */
export function referenceStep(s: SeriesResult): StepResult | undefined {
  return s.steps.findLast((x) => x.idle === s.sustained) ?? s.steps[0];
}

const seriesTitle = (s: SeriesResult) =>
  s.explorerShare === 1
    ? 'idle File Explorers'
    : s.explorerShare === 0
      ? 'idle simple apps'
      : `idle sessions, ${Math.round(s.explorerShare * 100)} % File Explorers`;

/** An idle session's processes by name (mean per session of a kind): CPU, PSS, how many. */
function breakdownTable(step: StepResult): string {
  const rows: string[][] = [];
  for (const kind of ['explorer', 'simple'] as const) {
    const sessions = step.window.idle.filter((u) => u.kind === kind);
    const byName = new Map<string, { count: number; cpu: number; pss: number }>();
    for (const p of sessions.flatMap((u) => u.processes)) {
      const sum = byName.get(p.name) ?? { count: 0, cpu: 0, pss: 0 };
      byName.set(p.name, { count: sum.count + 1, cpu: sum.cpu + p.cpuPercent, pss: sum.pss + p.pssKiB });
    }
    const n = sessions.length;
    for (const [name, v] of [...byName].sort((a, b) => b[1].pss - a[1].pss))
      rows.push([LABEL[kind], name, f(v.count / n, 1), f(v.cpu / n, 2), f(v.pss / n / 1024, 1)]);
  }
  return table(['Idle session', 'Process', 'Processes', 'CPU %', 'PSS (MiB)'], rows);
}

/** The werift viewers' process at a step: CPU, PSS, viewers connected over the window / that got RTP. */
function weriftCell(w: StepResult['window']): string {
  const v = w.werift;
  if (!v) return 'n/a';
  const pss = v.pssKiB === null ? null : v.pssKiB / 1024;
  return `${f(v.cpuPercent, 1)}, ${f(pss)} MiB, ${v.viewers.connected} / ${v.viewers.withRtp} of ${v.viewers.of}`;
}

/** " (explorer / simple: 4 / 1)" for the sustained step; nothing when none was. */
function sustainedMix(s: SeriesResult): string {
  const step = s.steps.find((x) => x.idle === s.sustained && s.sustained > 0);
  return step ? ` (explorer / simple: ${step.explorers} / ${step.idle - step.explorers})` : '';
}

/** Why the series ended: the first degraded step, or --max. */
function ending(s: SeriesResult): string {
  const first = s.steps.find((x) => x.degraded.length);
  if (!first) return 'reached --max without degrading';
  const after = s.steps.at(-1)!.idle > first.idle ? ` (measured on to ${s.steps.at(-1)!.idle} with --keep-going)` : '';
  return `degraded at ${first.idle}: ${first.degraded.join('; ')}${after}`;
}

export function seriesSection(s: SeriesResult, active: number): string {
  const both = (step: StepResult, pick: (v: { cpu: number; pssMiB: number }) => number, digits: number) =>
    (['explorer', 'simple'] as const).map((k) => f(perIdle(step, k) && pick(perIdle(step, k)!), digits)).join(' / ');
  const firsts = (step: StepResult) => {
    const ms = step.firstFrames.map((x) => x.ms);
    const worst = ms.some((m) => m === null)
      ? `> ${FIRST_FRAME_WAIT_MS / 1000}`
      : f(Math.max(...(ms as number[])) / 1000, 2);
    return ms.length ? `${f((percentile(ms, 50) ?? NaN) / 1000, 2)} / ${worst}` : '–';
  };
  const probed = s.steps.some((step) => step.shareProbe);
  const probeCell = (p: StepResult['shareProbe']) =>
    !p ? '–' : `${p.ms === null ? 'none' : f(p.ms / 1000, 2)}${p.warm ? '' : ' (cold)'}`;
  const rows = s.steps.map((step) => {
    const w = step.window;
    const ratio = w.g2g.p50 !== null && s.solo.g2g.p50 ? w.g2g.p50 / s.solo.g2g.p50 : null;
    return [
      `${step.idle} (${step.explorers} / ${step.idle - step.explorers})`,
      `${f(w.g2g.p50)} / ${f(w.g2g.p95)}`,
      ratio === null ? 'n/a' : `${ratio.toFixed(2)}×`,
      f(Math.min(...w.fps.map((x) => x ?? 0)), 1),
      firsts(step),
      ...(probed ? [probeCell(step.shareProbe), probeCell(step.ownerProbe)] : []),
      both(step, (v) => v.cpu, 2),
      both(step, (v) => v.pssMiB, 0),
      `${f(w.cpu.server, 1)} (${f(w.cpu.server / (step.idle + active), 2)})`,
      f(step.idle ? (w.cpu.server - s.solo.cpu.server) / step.idle : null, 2),
      f(w.serverPssKiB === null ? null : w.serverPssKiB / 1024),
      step.degraded.length ? `❌ ${step.degraded.join('; ')}` : '✅',
    ];
  });
  const ref = referenceStep(s);
  // The idle sessions' werift viewers: the clients' machines' share, apart from the host's.
  const werift = s.steps.some((step) => step.window.werift);
  const machine = s.steps.map((step) => {
    const w = step.window;
    const idleTotal = w.idle.reduce((n, u) => n + u.cpuPercent, 0);
    const encoding = w.idle.filter((u) => u.processes.some((p) => p.name === VIDEO_ENCODER)).length;
    const encoded = w.idle.reduce((n, u) => n + (u.video?.encodedFps ?? 0), 0);
    return [
      String(step.idle),
      String(encoding),
      f(step.idle ? encoded / step.idle : null, 2),
      f(w.cpu.server, 1),
      f(w.cpu.active, 1),
      f(idleTotal, 1),
      f(w.cpu.client, 1),
      ...(werift ? [weriftCell(w)] : []),
      f(w.cpu.otherLoad, 1),
    ];
  });
  return `### Series: ${seriesTitle(s)}

Solo (${active} active, no idle session): glass-to-glass p50 / p95 **${f(s.solo.g2g.p50)} / ${f(s.solo.g2g.p95)} ms** (${s.solo.g2g.n} frames), decoded fps ${s.solo.fps.map((x) => f(x, 1)).join(' / ')}, server ${f(s.solo.cpu.server, 1)} % of a core, server PSS ${f(s.solo.serverPssKiB === null ? null : s.solo.serverPssKiB / 1024)} MiB.

**Sustained: ${s.sustained} idle sessions**${sustainedMix(s)} with ${active} active; ${ending(s)}.

${table(
  [
    'Idle sessions (explorer / simple)',
    'Active g2g p50 / p95 (ms)',
    'p50 vs solo',
    'Active fps (lowest)',
    'New sessions: first frame p50 / max (s)',
    ...(probed
      ? ["A client's read-only share, warm: first frame (s)", "The owner's own files, warm: first frame (s)"]
      : []),
    'CPU % per idle session (explorer / simple)',
    'PSS MiB per idle session (explorer / simple)',
    'Server CPU % (per session)',
    'Server CPU % added per idle session',
    'Server PSS (MiB)',
    'Kept the limits',
  ],
  rows,
)}

Where the machine's CPU went (% of one core, over each window):

${table(['Idle sessions', 'of them still encoding', 'frames encoded/s per idle session', 'Server (+ bench)', 'Active sessions (sandbox + encoders)', 'Idle sessions (all)', 'Viewers (Chromium)', ...(werift ? ['Idle viewers (werift): CPU %, PSS MiB, connected / with RTP'] : []), 'Rest of machine'], machine)}${
    ref
      ? `

What an idle session is made of at ${ref.idle} idle sessions (per session, mean; CPU % of one core over the window):

${breakdownTable(ref)}`
      : ''
  }`;
}

export function densityTargets(series: SeriesResult[], active: number): string {
  const rows: string[][] = [];
  const met = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? '✅ met' : '❌ not met');
  for (const s of series) {
    const ref = referenceStep(s);
    if (!ref) continue;
    const title = seriesTitle(s);
    if (ref.explorers > 0 || s.explorerShare > 0) {
      const explorers = ref.idle === s.sustained ? ref.explorers : 0;
      rows.push([
        `≥ ${TARGETS.explorerSessions} idle explorer sessions with viewers, ${active} active keeping g2g p50 ≤ ${LIMITS.g2gFactor}× solo`,
        title,
        `${explorers} sustained`,
        met(active === 2 ? explorers >= TARGETS.explorerSessions : null),
      ]);
    }
    for (const kind of ['explorer', 'simple'] as const) {
      const v = perIdle(ref, kind);
      if (!v) continue;
      const serverAdded = ref.idle ? (ref.window.cpu.server - s.solo.cpu.server) / ref.idle : null;
      rows.push([
        `idle ${LABEL[kind]} session ≤ ${TARGETS.idleCpuPercent} % of a core (sandbox + encoders)`,
        `${title}, ${ref.idle} idle`,
        `${v.cpu.toFixed(2)} % (+ server ${f(serverAdded, 2)} %)`,
        met(v.cpu <= TARGETS.idleCpuPercent),
      ]);
      rows.push([
        `idle ${LABEL[kind]} session ≤ ${TARGETS.pssMiB[kind]} MiB PSS (sandbox + encoders)`,
        `${title}, ${ref.idle} idle`,
        `${v.pssMiB.toFixed(0)} MiB`,
        met(v.pssMiB <= TARGETS.pssMiB[kind]),
      ]);
    }
    const all = s.steps.flatMap((x) => x.firstFrames.map((y) => y.ms));
    const worst = all.some((m) => m === null) ? null : all.length ? Math.max(...(all as number[])) : undefined;
    rows.push([
      `every new session's first frame ≤ ${TARGETS.firstFrameMs / 1000} s`,
      title,
      worst === undefined
        ? 'no launch'
        : worst === null
          ? `none within ${FIRST_FRAME_WAIT_MS / 1000} s`
          : `worst ${(worst / 1000).toFixed(2)} s`,
      met(worst === undefined ? null : worst !== null && worst <= TARGETS.firstFrameMs),
    ]);
    // One person opening at that load, as opposed to the benchmark's own back-to-back launches.
    const probes = s.steps.flatMap((x) => [x.shareProbe, x.ownerProbe]).filter((p) => p !== undefined);
    if (probes.length) {
      const slowest = probes.some((p) => p.ms === null) ? null : Math.max(...probes.map((p) => p.ms!));
      rows.push([
        `a share or an owner's files opened at that load: first frame ≤ ${TARGETS.firstFrameMs / 1000} s`,
        title,
        slowest === null
          ? `none within ${FIRST_FRAME_WAIT_MS / 1000} s`
          : `worst ${(slowest / 1000).toFixed(2)} s (${probes.filter((p) => p.warm).length} of ${probes.length} warm)`,
        met(slowest !== null && slowest <= TARGETS.firstFrameMs),
      ]);
    }
  }
  return table(['Target', 'Series', 'Measured', 'Met'], rows);
}

export function renderDensityReport(r: DensityReportInput): string {
  const m = r.machine;
  const o = r.options;
  const la = (l: [number, number, number]) => l.map((v) => v.toFixed(2)).join(' / ');
  return `# Vitrine density benchmark results

- **Date:** ${r.date.toISOString()} (took ${Math.round(r.elapsedS)} s; \`${r.command}\`)
- **Machine:** ${m.nproc} CPU(s), ${m.cpuModel}, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.kernel}; load average (1/5/15 min) ${la(m.loadAvg)} at start, ${la(r.loadAvgEnd)} at end
- **Code:** ${m.revision}
- **Software:** Node ${m.node}, FFmpeg ${m.ffmpeg}, Chromium ${m.chromium}

## Method

- **Setup:** one in-process server (\`startTestServer\`, defaults: 3000 kbit/s; sandbox ${r.sandboxHost}), one headless Chromium (e2e flags) for every viewer. Server, browser and sessions share this machine's ${m.nproc} cores (and whatever else runs on it: "rest of machine").
- **Active sessions:** ${o.active} × the diagnostics app animated (1280x720, 30 fps, H.264), each launched from the UI in its own browser context (1280x880, video shown pixel for pixel) and streaming for the whole run. **Glass-to-glass:** for every frame presented in the ${o.seconds} s window, Date.now() in its requestVideoFrameCallback − the draw time the app wrote into the picture; all active viewers' frames pooled for p50/p95. **fps:** inbound-rtp \`framesDecoded\` delta over the window, per viewer (the lowest shown). **Solo** = the same window with no idle session, measured at the start of each series (${o.settle} s after the active viewers started or the previous series' sessions ended).
- **Idle sessions:** added ${o.step} per step up to ${o.max}, one after the other (each launched from the app list in a new tab of one shared browser context — the owner's cookie — and streaming H.264 to it before the next): File Explorers (\`apps/file-explorer\` with its built UI, listing the owner's storage at \`/files\`: a PDF, a PNG and an MP4) or simple apps (the diagnostics app static, 1280x720, redrawing only on input). Nobody touches them. A step's window starts ${o.settle} s after its last launch. ${
    r.idleStopS > 0
      ? `The server stops a session's encoders once its picture has been still for ${r.idleStopS} s (\`ENCODER_IDLE_STOP\`; the warm spare earlier), so a session launched longer ago than that should have none: "still encoding" counts the idle sessions with a video encoder at the end of the window, "frames encoded/s" what their pipelines encoded over it (the server's stats), and the per-session means mix both kinds.`
      : "The server never stops a still picture's encoders (`ENCODER_IDLE_STOP=0s`)."
  }
- **Idle viewers:** ${
    o.idleViewers === 'werift'
      ? "werift (`--idle-viewers werift`): once a new session's first frame was measured in its tab (below), a Node WebRTC viewer (`server/test/werift-viewer.ts`, H.264, in one child process for all of them) takes the session over (a fresh viewer id with `takeover=1`: the slot passes without a gap, so no grace period starts) and the tab closes once that viewer received RTP. On a real install viewers run on the clients' machines: the werift process's CPU and PSS are shown apart (\"Idle viewers (werift)\"), in neither the server's nor the sessions' numbers; \"Viewers (Chromium)\" is then the active viewers plus the tab of the session being launched. A step also degrades if a werift viewer was not connected at its window's start and end."
      : 'Chromium: every idle session stays watched by the tab it was launched from (one browser on this host: "Viewers (Chromium)").'
  }
- **First frame** of each new session: Launch click → first presented frame (simple app), or → first presented frame showing the explorer's UI (luma standard deviation ≥ ${UI_LUMA_STD} on a 160x90 thumbnail, as in bench/RESULTS.md); the explorer is also waited for until its \`folder-opened\` claim for \`/files\`. These are the owner's own sessions, launched back to back: they start cold, but for one that finds a warm sandbox for an owner's files (with \`--share-probe\`; the pool starts the next one 5 s after a take).${
    o.shareProbe
      ? `
- **A client's read-only share** (\`--share-probe\`): the server keeps one warm File Explorer of each kind (\`WARM_SANDBOXES=1\`, sessions/warm-pool.ts); after each step's window, once it has been up ${WARM_SETTLE_MS / 1000} s, a client (a second browser context) opens a share they may only read, which takes it: click on Open → first presented frame showing the UI, as above; "(cold)" if it did not start warm. Then, once the warm File Explorer for an owner's own files has been up as long, the owner launches the explorer from the app list as the idle sessions are launched, timed the same way, and ends it again.`
      : ''
  }
- **CPU per idle session:** utime+stime deltas (/proc/<pid>/stat) over the window of the session's own processes — its sandbox tree (bwrap, Xvfb, the app; for the explorer its Node server, Chromium and PulseAudio) and the processes the server started for it (the stats' \`pids\`: frame pumps, FFmpeg video encoders (active + warm spare), the sound's encoder), % of one core, mean over the idle sessions of a kind. **Server:** this Node process (server + the bench's Playwright client, idle during the window): its CPU over the window, divided by all sessions in brackets; "added per idle session" = (server now − server solo) / idle sessions. With no session the process used ${r.serverIdleCpu.toFixed(1)} % of a core.
- **Memory:** PSS (\`Pss:\` of /proc/<pid>/smaps_rollup, read right after the window) summed over the same processes: shared pages (libraries, Chromium's and FFmpeg's code, the Xvfb framebuffer the server also maps) count 1/n for each of the n processes mapping them, so sums do not double-count as RSS sums do. Files on tmpfs that no process maps (the session folder) are not in it. **Server PSS:** the Node process (server, embedded database, bench).
- **Limits a step must keep** (else the series stops, unless \`--keep-going\`): active glass-to-glass p50 ≤ ${LIMITS.g2gFactor}× solo, every new session's first frame ≤ ${LIMITS.firstFrameMs / 1000} s (none after ${FIRST_FRAME_WAIT_MS / 1000} s counts as late), no launch refused or failed. **Sustained** = idle sessions at the last step that kept all three.

## Results

${r.series.map((s) => seriesSection(s, o.active)).join('\n\n')}

## Targets (issue 19)

Per-session costs are quoted at each series' last sustained step (its first step if none was).

${densityTargets(r.series, o.active)}
${r.errors.length ? `\n## Failed\n\n${r.errors.map((e) => `- ${e}`).join('\n')}\n` : ''}`;
}
