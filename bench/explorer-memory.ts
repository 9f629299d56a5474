/**
 * Idle File Explorer memory by launch flags (issue 19: ≤ 200 MiB PSS per idle explorer): a few
 * idle explorers per variant, launched through the real server with no viewer, left alone until
 * past ENCODER_IDLE_STOP, then PSS (/proc/<pid>/smaps_rollup) of each one's processes by kind.
 *
 *   node bench/explorer-memory.ts [--runs 3] [--sessions 3] [--idle 25] [--variants base,single,…]
 *
 * Each variant is a copy of apps/file-explorer whose run.sh gets other Chromium or Node flags. Variants are interleaved and their order rotated run by run, so the
 * machine's drift hits all alike. First frame = session request → the display shows the UI
 * (luma spread of a sampled framebuffer ≥ UI_LUMA_STD, as bench/lib/explorer.ts on the video).
 * Prints medians over runs of the per-session means (MiB) and of the first session's first frame.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SessionInfo } from '@vitrine/protocol';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import { api, isAlive, sessionProcesses, startTestServer, waitFor } from '../server/test/helpers.ts';
import { sampleFiles } from '../e2e/lib/sample-files.ts';
import { checkExplorerBuilt, displayLumaSpread, UI_LUMA_STD } from './lib/explorer.ts';
import { pssKiB } from './lib/procfs.ts';
import { median } from './lib/stats.ts';

const APP = path.resolve(import.meta.dirname, '../apps/file-explorer');
const CHROMIUM = 'exec /usr/lib/chromium/chromium';
const NODE = 'node "$main"';
/** run.sh's choice of the explorer server: the JavaScript build scripts/setup.sh makes. */
const BUILT = 'main=$(/app/server-main.sh /app)';

interface Variant {
  /** Extra Chromium flags, appended to run.sh's. */
  chromium?: string;
  /** Flags taken out of run.sh's Chromium command line (each must be there). */
  drop?: string[];
  /** Flags for run.sh's `node "$main"`. */
  nodeFlags?: string;
  /** Run the explorer server's TypeScript sources, as before the JavaScript build. */
  sources?: boolean;
}
const VARIANTS: Record<string, Variant> = {
  base: {},
  /** Browser, renderer, GPU and utilities in one process, no zygote (measured for issue 19, not used). */
  single: { chromium: '--single-process --no-zygote' },
  igpu: { chromium: '--in-process-gpu' },
  lite: { chromium: '--js-flags=--lite-mode' },
  size: { chromium: '--js-flags=--optimize-for-size' },
  nosemi: { nodeFlags: '--max-semi-space-size=1' },
  /** The explorer server from its TypeScript sources (Node's type stripper loaded in each session). */
  ts: { sources: true },
};

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    sessions: { type: 'string', default: '3' },
    idle: { type: 'string', default: '25' },
    variants: { type: 'string', default: 'base,single' },
  },
});
const RUNS = Number(values.runs);
const SESSIONS = Number(values.sessions);
const IDLE_MS = Number(values.idle) * 1000;
const ids = values.variants.split(',');
for (const id of ids) if (!VARIANTS[id]) throw new Error(`unknown variant ${id} (${Object.keys(VARIANTS).join(', ')})`);

function makeVariant(root: string, id: string): void {
  const v = VARIANTS[id]!;
  const dir = path.join(root, `fe-${id}`);
  fs.cpSync(APP, dir, {
    recursive: true,
    // run.sh runs the sources instead of the build when they look newer.
    preserveTimestamps: true,
    filter: (src) => !/\/(node_modules|test|src)$/.test(src) && !src.endsWith('/ui/src'),
  });
  const manifest = JSON.parse(fs.readFileSync(path.join(APP, 'manifest.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name: `Explorer ${id}` }));
  let runSh = fs.readFileSync(path.join(APP, 'run.sh'), 'utf8');
  if (!runSh.includes(CHROMIUM) || !runSh.includes(NODE) || !runSh.includes(BUILT))
    throw new Error('run.sh no longer has the expected lines');
  // Only on the command line itself, not in the comments above it.
  const at = runSh.indexOf(CHROMIUM);
  let command = runSh.slice(at);
  for (const flag of v.drop ?? []) {
    if (!command.includes(` ${flag} `)) throw new Error(`run.sh's Chromium has no ${flag}`);
    command = command.replace(` ${flag} `, ' ');
  }
  runSh = runSh.slice(0, at) + command;
  if (v.chromium) runSh = runSh.replace(CHROMIUM, `${CHROMIUM} ${v.chromium}`);
  if (v.nodeFlags) runSh = runSh.replace(NODE, `node ${v.nodeFlags} "$main"`);
  if (v.sources) runSh = runSh.replace(BUILT, 'main=/app/server/main.ts');
  fs.writeFileSync(path.join(dir, 'run.sh'), runSh, { mode: 0o755 });
}

/** What a process is: `chromium`, `node`, `Xvfb`, … (Chromium rewrites argv into one string). */
function kindOf(cmd: string): string {
  const program = path.basename(cmd.split(' ')[0] ?? '');
  return program.startsWith('chrom') ? 'chromium' : program || 'other';
}

interface Sample {
  firstFrameMs: number[];
  /** Per kind, mean over the sessions: PSS and the anonymous part of it (MiB). */
  pss: Record<string, number>;
  anon: Record<string, number>;
  /** Per Chromium process type (browser, renderer, utility, zygote, gpu-process), mean PSS. */
  chromium: Record<string, number>;
}

function anonKiB(pid: number): number {
  try {
    return Number(/^Pss_Anon:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const add = (o: Record<string, number>, k: string, v: number) => (o[k] = (o[k] ?? 0) + v);

async function main(): Promise<void> {
  checkExplorerBuilt();
  const appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-explorer-memory-'));
  for (const id of ids) makeVariant(appsRoot, id);
  const server = await startTestServer({
    APPS_ROOT: appsRoot,
    MAX_SESSIONS: String(SESSIONS + 1),
    MAX_SESSIONS_PER_USER: String(SESSIONS + 1),
    // No viewer connects: the sessions must outlive the wait for one.
    PEER_GRACE_MS: '600000',
  });
  const files = ownerRoot(server.config.storage.dir, server.owner.me.id);
  fs.mkdirSync(files, { recursive: true, mode: 0o700 });
  sampleFiles(files);
  const samples = new Map<string, Sample[]>(ids.map((id) => [id, []]));
  try {
    for (let run = 0; run < RUNS; run++) {
      const order = ids.map((_, i) => ids[(i + run) % ids.length]!);
      for (const id of order) {
        const sessions: string[] = [];
        const firstFrameMs: number[] = [];
        try {
          for (let k = 0; k < SESSIONS; k++) {
            const t0 = performance.now();
            const r = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: `fe-${id}` });
            if (r.status !== 201) throw new Error(`${id}: ${r.status} ${JSON.stringify(r.body)}`);
            sessions.push(r.body.id);
            const fb = path.join(server.runtimeDir, 'sessions', r.body.id, 'fb', 'Xvfb_screen0');
            await waitFor(
              `${id} to show its UI`,
              () => fs.existsSync(fb) && displayLumaSpread(fb) >= UI_LUMA_STD,
              30_000,
              20,
            );
            firstFrameMs.push(performance.now() - t0);
          }
          await new Promise((r) => setTimeout(r, IDLE_MS));
          const sample: Sample = { firstFrameMs, pss: {}, anon: {}, chromium: {} };
          for (const sid of sessions) {
            // The sandbox's two bwrap processes each list the tree below them: once per pid.
            const procs = new Map(sessionProcesses(server.runtimeDir, sid).map((p) => [p.pid, p]));
            for (const p of procs.values()) {
              const kind = kindOf(p.cmd);
              const pss = (pssKiB(p.pid) ?? 0) / 1024 / SESSIONS;
              add(sample.pss, kind, pss);
              add(sample.pss, 'total', pss);
              const anon = anonKiB(p.pid) / 1024 / SESSIONS;
              add(sample.anon, kind, anon);
              add(sample.anon, 'total', anon);
              if (kind === 'chromium') add(sample.chromium, /--type=(\S+)/.exec(p.cmd)?.[1] ?? 'browser', pss);
            }
          }
          samples.get(id)!.push(sample);
          const r0 = (o: object) => JSON.stringify(o, (_k, x) => (typeof x === 'number' ? Math.round(x) : x));
          console.error(
            `run ${run + 1} ${id}: first frames ${r0(firstFrameMs)} PSS ${r0(sample.pss)} anon ${r0(sample.anon)} chromium ${r0(sample.chromium)}`,
          );
        } finally {
          for (const sid of sessions) {
            const pids = sessionProcesses(server.runtimeDir, sid).map((p) => p.pid);
            await api(server.owner, 'DELETE', `/api/sessions/${sid}`).catch(() => {});
            await waitFor('session processes to exit', () => pids.every((p) => !isAlive(p)), 15_000).catch(() => {});
          }
        }
      }
    }
  } finally {
    await server.close();
    fs.rmSync(appsRoot, { recursive: true, force: true });
  }
  const m = (xs: number[]) => Math.round(median(xs) ?? NaN);
  console.log(
    `| Variant | Chromium PSS | Node PSS | Xvfb PSS | total PSS | total anon | first frame, 1st session (ms) | first frame, all (ms) |`,
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const id of ids) {
    const s = samples.get(id)!;
    const k = (f: 'pss' | 'anon', kind: string) => m(s.map((x) => x[f][kind] ?? 0));
    console.log(
      `| ${id} | ${k('pss', 'chromium')} | ${k('pss', 'node')} | ${k('pss', 'Xvfb')} | ${k('pss', 'total')} | ${k('anon', 'total')} | ${m(s.map((x) => x.firstFrameMs[0]!))} | ${m(s.flatMap((x) => x.firstFrameMs))} |`,
    );
  }
  console.log(
    `\nmedian of ${RUNS} runs, ${SESSIONS} idle sessions each, PSS read ${IDLE_MS / 1000} s after the last launch (MiB, per session)`,
  );
}

await main();
