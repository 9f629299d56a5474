import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAR_PAGE, MEMORY_SETTLE_MS, PDF_PAGES, SCROLL_RATE, UI_LUMA_STD, type ExplorerRunResult } from './explorer.ts';
import type { BenchOptions } from './options.ts';
import type { SandboxApp, SandboxRunResult } from './sandbox.ts';
import type { Role, RunResult, Scenario } from './scenario.ts';
import { median, range } from './stats.ts';

export interface ScenarioSummary {
  scenario: Scenario;
  runs: RunResult[];
  errors: string[];
}

export interface SandboxSummary {
  app: SandboxApp;
  /** Manifest facts quoted in the table, e.g. "1280x720, --fps 30". */
  description: string;
  /** Manifest limits, e.g. "0.5 CPU / 128M / 32 pids". */
  limits: string;
  runs: SandboxRunResult[];
  errors: string[];
}

export interface ExplorerSummary {
  /** Manifest limits, e.g. "1 CPU / 768M / 256 pids". */
  limits: string;
  runs: ExplorerRunResult[];
  errors: string[];
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  ffmpeg: string;
  chromium: string;
  loadAvg: [number, number, number];
  /** Git commit of the code under test (+ "with local changes"), or $BENCH_REVISION. */
  revision: string;
}

function revision(): string {
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'server', 'web', 'protocol', 'apps', 'native') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in server/web/protocol/apps/native' : ''}`;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(chromiumVersion: string): MachineInfo {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  let ffmpeg = 'unknown';
  try {
    const first =
      execFileSync(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
    ffmpeg = /ffmpeg version (\S+)/.exec(first)?.[1] ?? first;
  } catch {}
  const [l1, l5, l15] = os.loadavg();
  return {
    nproc: os.availableParallelism(),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    ffmpeg,
    chromium: chromiumVersion,
    loadAvg: [l1 ?? 0, l5 ?? 0, l15 ?? 0],
    revision: revision(),
  };
}

// --- formatting --------------------------------------------------------------------------------

const fmt = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined ? 'n/a' : v.toFixed(digits);
const fmtRange = (r: [number, number] | null, digits = 0): string =>
  r ? `${r[0].toFixed(digits)}–${r[1].toFixed(digits)}` : 'n/a';

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Median across runs of one metric. */
const med = (s: ScenarioSummary, pick: (r: RunResult) => number | null | undefined) => median(s.runs.map(pick));
const spread = (s: ScenarioSummary, pick: (r: RunResult) => number | null | undefined) => range(s.runs.map(pick));

const sessionCpu = (r: RunResult) => r.cpu.app + r.cpu.Xvfb + r.cpu.bwrap + r.cpu.other + r.cpu.ffmpeg + r.cpu.server;
const encoderServerCpu = (r: RunResult) => r.cpu.ffmpeg + r.cpu.server;
const sandboxRss = (r: RunResult) => r.rssKiB.app + r.rssKiB.Xvfb + r.rssKiB.bwrap + r.rssKiB.other;
const mib = (kib: number | null) => (kib === null ? null : kib / 1024);

export function resultTables(summaries: ScenarioSummary[]): string {
  const ok = summaries.filter((s) => s.runs.length > 0);
  const latency = table(
    [
      'Scenario',
      'Runs',
      'Start (s)',
      'Glass-to-glass p50 / p95 (ms)',
      'g2g p50 range',
      'frames',
      'Input-to-photon p50 / p95 (ms)',
      'i2p p50 range',
      'clicks ok',
      'Decoded fps',
      'Bitrate (kbit/s)',
    ],
    ok.map((s) => {
      const a = s.scenario.animated;
      return [
        s.scenario.label,
        String(s.runs.length),
        fmt(
          med(s, (r) => (r.startMs === null ? null : r.startMs / 1000)),
          2,
        ),
        a ? `${fmt(med(s, (r) => r.g2g.p50))} / ${fmt(med(s, (r) => r.g2g.p95))}` : 'n/a (static)',
        a ? fmtRange(spread(s, (r) => r.g2g.p50)) : '–',
        a ? fmt(med(s, (r) => r.g2g.n)) : '–',
        `${fmt(med(s, (r) => r.i2p.p50))} / ${fmt(med(s, (r) => r.i2p.p95))}`,
        fmtRange(spread(s, (r) => r.i2p.p50)),
        `${s.runs.reduce((n, r) => n + r.i2p.n, 0)}/${s.runs.reduce((n, r) => n + r.i2p.n + r.i2p.missed, 0)}`,
        fmt(
          med(s, (r) => r.fps),
          1,
        ),
        fmt(med(s, (r) => r.kbps)),
      ];
    }),
  );
  const split = table(
    [
      'Scenario',
      'drawn → last packet received (ms)',
      'received → presented (ms)',
      'decode (ms, getStats)',
      'jitter buffer (ms, getStats)',
      'encoded fps (server)',
      'dropped / freezes per run',
      'keyframe requests',
    ],
    ok
      .filter((s) => s.scenario.animated)
      .map((s) => [
        s.scenario.label,
        fmt(med(s, (r) => r.upstreamP50)),
        fmt(med(s, (r) => r.downstreamP50)),
        fmt(
          med(s, (r) => r.decodeMs),
          1,
        ),
        fmt(
          med(s, (r) => r.jitterBufferMs),
          1,
        ),
        fmt(
          med(s, (r) => r.encodedFps),
          1,
        ),
        `${fmt(med(s, (r) => r.framesDropped))} / ${fmt(med(s, (r) => r.freezes))}`,
        fmt(med(s, (r) => r.keyframeRequests)),
      ]),
  );
  const cpuCol = (role: Role) => (s: ScenarioSummary) =>
    fmt(
      med(s, (r) => r.cpu[role]),
      1,
    );
  const resources = table(
    [
      'Scenario',
      'app',
      'Xvfb',
      'bwrap',
      'ffmpeg (n)',
      'server†',
      'encoder + server',
      'session total',
      'RSS sandbox (MiB)',
      'RSS ffmpeg (MiB)',
      'RSS server† (MiB)',
      'Chromium (client)',
      'rest of machine',
    ],
    ok.map((s) => [
      s.scenario.label,
      cpuCol('app')(s),
      cpuCol('Xvfb')(s),
      fmt(
        med(s, (r) => r.cpu.bwrap + r.cpu.other),
        1,
      ),
      `${fmt(
        med(s, (r) => r.cpu.ffmpeg),
        1,
      )} (${fmt(med(s, (r) => r.encoderProcesses))})`,
      cpuCol('server')(s),
      fmt(med(s, encoderServerCpu), 1),
      `**${fmt(med(s, sessionCpu), 1)}**`,
      fmt(mib(med(s, sandboxRss))),
      fmt(mib(med(s, (r) => r.rssKiB.ffmpeg))),
      fmt(mib(med(s, (r) => r.rssKiB.server))),
      fmt(
        med(s, (r) => r.cpu.chromium),
        1,
      ),
      fmt(
        med(s, (r) => r.otherLoad),
        1,
      ),
    ]),
  );
  return [
    '### Latency, start-up and throughput (median across runs)',
    '',
    latency,
    '',
    '### Where glass-to-glass goes (median across runs of per-run p50 / means)',
    '',
    split,
    '',
    '### CPU (% of one core over the window) and memory (VmRSS at its end), median across runs',
    '',
    resources,
  ].join('\n');
}

export function sandboxTable(summaries: SandboxSummary[]): string {
  const ok = summaries.filter((s) => s.runs.length > 0);
  const m = (s: SandboxSummary, pick: (r: SandboxRunResult) => number | null | undefined) => median(s.runs.map(pick));
  const bytesMiB = (b: number | null) => (b === null ? null : b / 2 ** 20);
  return table(
    [
      'App',
      'Limits (cpu / memory / pids)',
      'Runs',
      'Starts',
      'Sandbox start-up p50 / p95 (ms)',
      'start-up p50 range',
      'First frame (s)',
      'Sandbox cgroup (MiB)',
      'ffmpeg RSS (MiB, n)',
      'Session memory (MiB)',
    ],
    ok.map((s) => [
      `${s.app.label} (${s.description})`,
      s.limits,
      String(s.runs.length),
      String(s.runs.reduce((n, r) => n + r.createMs.length, 0)),
      `${fmt(m(s, (r) => r.createP50))} / ${fmt(m(s, (r) => r.createP95))}`,
      fmtRange(range(s.runs.map((r) => r.createP50))),
      fmt(
        m(s, (r) => (r.firstFrameMs === null ? null : r.firstFrameMs / 1000)),
        2,
      ),
      fmt(bytesMiB(m(s, (r) => r.memoryBytes)), 1),
      `${fmt(mib(m(s, (r) => r.encoderRssKiB)), 1)} (${fmt(m(s, (r) => r.encoders))})`,
      `**${fmt(bytesMiB(m(s, (r) => (r.memoryBytes === null ? null : r.memoryBytes + r.encoderRssKiB * 1024))), 1)}**`,
    ]),
  );
}

export const SANDBOX_HEADING = '### Sandbox: start-up and memory per bundled app';

/** Heading and table of the sandbox section, for stdout and RESULTS.md. */
export function sandboxSection(summaries: SandboxSummary[]): string {
  return [SANDBOX_HEADING, '', sandboxTable(summaries)].join('\n');
}

const EXPLORER_LABEL = `File Explorer (${PDF_PAGES}-page PDF)`;
const explorerSandboxCpu = (r: ExplorerRunResult) =>
  r.scrollCpu.chromium + r.scrollCpu.explorer + r.scrollCpu.Xvfb + r.scrollCpu.other;
const explorerSessionCpu = (r: ExplorerRunResult) => explorerSandboxCpu(r) + r.scrollCpu.encoders + r.scrollCpu.server;

export const EXPLORER_HEADING = '### File Explorer: start-up, a 300-page PDF, memory and CPU while paging';

/** Heading and tables of the File Explorer section (medians across runs), for stdout and RESULTS.md. */
export function explorerSection(e: ExplorerSummary): string {
  const m = (pick: (r: ExplorerRunResult) => number | null | undefined) => median(e.runs.map(pick));
  const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : ms / 1000);
  const bytesMiB = (b: number | null) => (b === null ? null : b / 2 ** 20);
  const cpu = (pick: (r: ExplorerRunResult) => number) => fmt(m(pick), 1);
  const start = table(
    [
      'App (limits cpu / memory / pids)',
      'Runs',
      'First UI frame (s)',
      'range',
      '/files listed, claim (s)',
      'PDF page 1 after Enter (s)',
      'range',
      'file-opened claim (ms)',
      `Sandbox memory, page 1 / page ${FAR_PAGE} (MiB)`,
      'Sandbox memory, higher (MiB)',
    ],
    e.runs.length === 0
      ? []
      : [
          [
            `file-explorer (${e.limits})`,
            String(e.runs.length),
            fmt(s(m((r) => r.firstUiFrameMs)), 2),
            fmtRange(range(e.runs.map((r) => s(r.firstUiFrameMs))), 2),
            fmt(s(m((r) => r.listedMs)), 2),
            fmt(s(m((r) => r.pdfFirstPageMs)), 2),
            fmtRange(range(e.runs.map((r) => s(r.pdfFirstPageMs))), 2),
            fmt(m((r) => r.pdfClaimMs)),
            `${fmt(bytesMiB(m((r) => r.memoryPage1Bytes)))} / ${fmt(bytesMiB(m((r) => r.memoryFarBytes)))}`,
            `**${fmt(bytesMiB(m((r) => r.memoryBytes)))}**`,
          ],
        ],
  );
  const scroll = table(
    [
      'Chromium (sandbox)',
      'explorer server',
      'Xvfb',
      'other',
      'sandbox total',
      'encoders',
      'server†',
      'session total',
      'pages turned / presses',
      'Chromium (client)',
      'rest of machine',
    ],
    e.runs.length === 0
      ? []
      : [
          [
            cpu((r) => r.scrollCpu.chromium),
            cpu((r) => r.scrollCpu.explorer),
            cpu((r) => r.scrollCpu.Xvfb),
            cpu((r) => r.scrollCpu.other),
            cpu(explorerSandboxCpu),
            cpu((r) => r.scrollCpu.encoders),
            cpu((r) => r.scrollCpu.server),
            `**${cpu(explorerSessionCpu)}**`,
            `${fmt(m((r) => r.pagesTurned))} / ${fmt(m((r) => r.presses))}`,
            cpu((r) => r.scrollCpu.client),
            cpu((r) => r.otherLoad),
          ],
        ],
  );
  return [
    EXPLORER_HEADING,
    '',
    start,
    '',
    `CPU (% of one core) while paging the PDF from page ${FAR_PAGE} with PageDown ${SCROLL_RATE} times a second:`,
    '',
    scroll,
  ].join('\n');
}

export interface TargetRow {
  target: string;
  scenario: string;
  measured: string;
  met: boolean | null;
}

export function evaluateTargets(summaries: ScenarioSummary[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const add = (
    target: string,
    s: ScenarioSummary,
    value: number | null,
    ok: (v: number) => boolean,
    unit: string,
    digits = 0,
  ) =>
    rows.push({
      target,
      scenario: s.scenario.label,
      measured: value === null ? 'n/a' : `${value.toFixed(digits)} ${unit}`,
      met: value === null ? null : ok(value),
    });
  const is720 = (s: ScenarioSummary) => s.scenario.height === 720;
  for (const s of summaries.filter((s) => s.runs.length > 0)) {
    const { animated } = s.scenario;
    if (animated && is720(s)) {
      add(
        'glass-to-glass p50 ≤ 40 ms (720p)',
        s,
        med(s, (r) => r.g2g.p50),
        (v) => v <= 40,
        'ms',
      );
      add(
        'glass-to-glass p95 ≤ 70 ms (720p)',
        s,
        med(s, (r) => r.g2g.p95),
        (v) => v <= 70,
        'ms',
      );
      add(
        '30 fps decoded (720p animated; ≥ 29)',
        s,
        med(s, (r) => r.fps),
        (v) => v >= 29,
        'fps',
        1,
      );
    }
    if (is720(s))
      add(
        'input-to-photon p50 ≤ 60 ms (720p)',
        s,
        med(s, (r) => r.i2p.p50),
        (v) => v <= 60,
        'ms',
      );
    add(
      'session start ≤ 1.5 s',
      s,
      med(s, (r) => (r.startMs === null ? null : r.startMs / 1000)),
      (v) => v <= 1.5,
      's',
      2,
    );
    if (!animated)
      add('static session ≤ 3 % of a core (session total incl. server)', s, med(s, sessionCpu), (v) => v <= 3, '%', 1);
    if (animated && is720(s) && s.scenario.codec === 'h264') {
      add('720p30 H.264 ≤ 30 % of a core (encoders + server)', s, med(s, encoderServerCpu), (v) => v <= 30, '%', 1);
    }
  }
  return rows;
}

export function evaluateExplorerTargets(e: ExplorerSummary): TargetRow[] {
  if (e.runs.length === 0) return [];
  const m = (pick: (r: ExplorerRunResult) => number | null) => median(e.runs.map(pick));
  const row = (target: string, value: number | null, ok: (v: number) => boolean, measured: (v: number) => string) => ({
    target,
    scenario: EXPLORER_LABEL,
    measured: value === null ? 'n/a' : measured(value),
    met: value === null ? null : ok(value),
  });
  const firstUi = m((r) => (r.firstUiFrameMs === null ? null : r.firstUiFrameMs / 1000));
  const seconds = (v: number) => `${v.toFixed(2)} s`;
  return [
    row('explorer start → first visible frame ≤ 3 s', firstUi, (v) => v <= 3, seconds),
    row('explorer start → first visible frame ≤ 1.5 s (stretch)', firstUi, (v) => v <= 1.5, seconds),
    row(
      `${PDF_PAGES}-page PDF: first page ≤ 2 s after Enter`,
      m((r) => r.pdfFirstPageMs / 1000),
      (v) => v <= 2,
      seconds,
    ),
    row(
      `sandbox memory ≤ 400 MB with a ${PDF_PAGES}-page PDF open`,
      m((r) => r.memoryBytes),
      (v) => v <= 400e6,
      (v) => `${(v / 1e6).toFixed(0)} MB (${(v / 2 ** 20).toFixed(0)} MiB)`,
    ),
  ];
}

export function targetsTable(rows: TargetRow[]): string {
  return table(
    ['Target', 'Scenario', 'Measured (median)', 'Met'],
    rows.map((r) => [r.target, r.scenario, r.measured, r.met === null ? 'n/a' : r.met ? '✅ met' : '❌ not met']),
  );
}

export interface ReportInput {
  date: Date;
  machine: MachineInfo;
  loadAvgEnd: [number, number, number];
  options: BenchOptions;
  summaries: ScenarioSummary[];
  sandbox: SandboxSummary[];
  explorer: ExplorerSummary;
  /** Sessions created per app per run for the start-up time. */
  sandboxStarts: number;
  /** Seconds the viewer streams before the memory reading. */
  sandboxStreamS: number;
  /** What /api/status reports, e.g. "cgroup v1, Landlock enforced". */
  sandboxHost: string;
  serverIdleCpu: number;
  elapsedS: number;
}

export function renderReport(r: ReportInput): string {
  const m = r.machine;
  const la = (l: [number, number, number]) => l.map((v) => v.toFixed(2)).join(' / ');
  const errors = [
    ...r.summaries.flatMap((s) => s.errors.map((e) => `- ${s.scenario.label}: ${e}`)),
    ...r.sandbox.flatMap((s) => s.errors.map((e) => `- sandbox ${s.app.label}: ${e}`)),
    ...r.explorer.errors.map((e) => `- ${EXPLORER_LABEL}: ${e}`),
  ];
  const scales = r.summaries.flatMap((s) => s.runs.map((x) => x.videoScale)).filter((v): v is number => v !== null);
  return `# Vitrine benchmark results

- **Date:** ${r.date.toISOString()} (took ${Math.round(r.elapsedS)} s; \`node bench/run.ts${r.options.quick ? ' --quick' : ''}\`, ${r.options.runs} run(s) × ${r.options.seconds} s window, ${r.options.clicks} clicks per run)
- **Machine:** ${m.nproc} CPU(s), ${m.cpuModel}, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.kernel}; load average (1/5/15 min) ${la(m.loadAvg)} at start, ${la(r.loadAvgEnd)} at end
- **Code:** ${m.revision}
- **Software:** Node ${m.node}, FFmpeg ${m.ffmpeg}, Chromium ${m.chromium}

## Method

- **Setup:** one in-process server (\`startTestServer\`, defaults: 3000 kbit/s, keyframe every 2 s) serving copies of the diagnostics app (1280x720 and 1920x1080 at 30 fps, static 1280x720); headless Chromium (e2e flags) launches each session from the UI with \`?codec=\`. Server, Chromium and session share this machine's ${m.nproc} cores; one session at a time, scenarios interleaved run by run.
- **Start:** Launch click (Date.now() in the bench) → first frame presented (requestVideoFrameCallback, rVFC, in the page).
- **Glass-to-glass:** for every frame presented in the ${r.options.seconds} s window, Date.now() in its rVFC callback − the draw time the app wrote into the picture (decoded from an 800x80 canvas region); split at rVFC's \`receiveTime\` (last packet of the frame received).
- **Input-to-photon:** button down+up sent straight on the page's input data channel → first presented frame whose toggle counter changed; clicks 150–300 ms apart. In animated scenes this includes waiting for the app's next redraw (0–33 ms).
- **fps / bitrate:** inbound-rtp \`getStats\` deltas over the window. **CPU:** utime+stime deltas of /proc/<pid>/stat over the same window (the static window has no input), % of one core; **RSS:** VmRSS at its end. "rest of machine" = /proc/stat busy time not used by the processes listed (other users' jobs).
- **Aggregation:** p50/p95 per run, then the median across runs; ranges are min–max of per-run p50.
- **Sandbox** (${r.sandboxHost}): unchanged copies of the bundled apps (manifest and binary). **Start-up:** ${r.sandboxStarts} × \`POST /api/sessions\` per app per run, sent by the bench (fetch), request → 201 response = session cgroup created + bubblewrap + Landlock/seccomp init helper + Xvfb accepting connections + the server's X connection (the app is exec'd as the display comes up and may still be starting); each session is DELETEd and its processes waited for before the next. **First frame:** one more session per app per run launched from the UI (H.264), Launch click → first frame presented, as "Start" above. **Memory:** after that viewer has streamed ${r.sandboxStreamS} s, \`memoryBytes\` of \`GET /api/sessions/:id/stats\` (usage of the sandbox cgroup, whose processes are bwrap, Xvfb and the app: their anonymous memory, the tmpfs framebuffer Xvfb writes (3.5 MiB at 720p), page cache they brought in and kernel memory; shared libraries already cached by other processes are not charged to it) + VmRSS of the stats \`pids\` that are ffmpeg (active encoder + warm spare, outside the sandbox cgroup).
- **File Explorer** (\`apps/file-explorer\` as it is, its built UI; the owner's session shows their storage, holding one ${PDF_PAGES}-page PDF of solid colour pages, at \`/files\`), H.264 viewer. **First UI frame:** Launch click → first presented frame whose luma (160x90 thumbnail) has a standard deviation ≥ ${UI_LUMA_STD} (the empty display and Chromium's blank window stay under 5); **listed:** Launch click → the explorer's \`folder-opened\` claim for \`/files\` (control channel). **PDF page 1:** the name typed into the filter, then Enter on the PDF → page 1's colour covering > 5 % of the page area in the decoded video (polled every ~10 ms). **Memory:** \`memoryBytes\` of the stats (the sandbox cgroup: Xvfb, the explorer server, Chromium, their tmpfs and page cache) ${MEMORY_SETTLE_MS / 1000} s after page 1 is shown, and again ${MEMORY_SETTLE_MS / 1000} s after jumping to page ${FAR_PAGE} (\`g\`, ${FAR_PAGE}, Enter); the higher counts. **Paging CPU:** PageDown ${SCROLL_RATE} times a second for the ${r.options.seconds} s window, the same /proc accounting as above; "session total" = sandbox + encoders + server†.

Notes: **server†** is the whole Node process, which also runs this benchmark (its Playwright client idles during the window): werift (ICE/DTLS/SRTP), RTP forwarding and framebuffer capture for the session. With no session it used ${r.serverIdleCpu.toFixed(1)} % of a core. Its RSS covers server + harness, so it is not counted as session memory. RSS sums double-count shared pages (the Xvfb framebuffer is mapped by Xvfb and the server). "ffmpeg (n)" counts the active encoder and the warm spare. "Chromium (client)" is the whole browser tree, including the benchmark's own per-frame decoding, and is not part of the session total. Video is shown pixel for pixel (\`object-fit: contain\` scale ${scales.length ? `${Math.min(...scales).toFixed(2)}–${Math.max(...scales).toFixed(2)}` : 'n/a'}).

## Results

${resultTables(r.summaries)}

${sandboxSection(r.sandbox)}

${explorerSection(r.explorer)}

## Targets

${targetsTable([...evaluateTargets(r.summaries), ...evaluateExplorerTargets(r.explorer)])}
${errors.length ? `\n## Failed runs\n\n${errors.join('\n')}\n` : ''}`;
}
