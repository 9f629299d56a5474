// Measures the File Explorer's start-up (session request → first drawn frame) and the sandbox's
// memory for several sets of Chromium flags, through the real server:
//   node --disable-warning=ExperimentalWarning apps/file-explorer/test/measure-startup.ts [runs] [a,b,…]
// Each variant is a copy of the app whose run.sh ends with another Chromium command line. Runs
// are interleaved (A B C D, A B C D, …) so that drift on the machine hits every variant alike.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SessionInfo } from '@vitrine/protocol';
import { FramebufferReader } from '../../../server/src/media/framebuffer.ts';
import { api, startTestServer, waitFor } from '../../../server/test/helpers.ts';

const APP = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.argv[2] ?? 3);
/** Which variants to run, e.g. "a,b,d" (default: all). */
const ONLY = process.argv[3]?.split(',');
const SETTLE_MS = 3000;

const REQUIRED = `--kiosk --no-sandbox --disable-gpu --no-first-run \\
  --disable-background-networking --disable-component-update --disable-sync \\
  --user-data-dir=/tmp/chromium --window-position=0,0 \\
  --window-size="$VITRINE_WIDTH,$VITRINE_HEIGHT" --force-device-scale-factor=1`;
const LEAN = `--disable-extensions --disable-breakpad --no-default-browser-check --noerrdialogs \\
  --disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,CertificateTransparencyComponentUpdater \\
  --renderer-process-limit=1 --disk-cache-dir=/dev/null --password-store=basic --disable-dev-shm-usage`;

const VARIANTS: Array<{ id: string; label: string; command: string }> = [
  { id: 'a', label: 'required flags, Debian launcher', command: `/usr/bin/chromium ${REQUIRED}` },
  { id: 'b', label: 'binary + lean flags', command: `/usr/lib/chromium/chromium ${REQUIRED} \\\n  ${LEAN}` },
  {
    id: 'c',
    label: 'lean + --no-zygote --in-process-gpu',
    command: `/usr/lib/chromium/chromium ${REQUIRED} \\\n  ${LEAN} --no-zygote --in-process-gpu`,
  },
  {
    id: 'e',
    label: 'lean, no spare renderer, no site isolation',
    command: `/usr/lib/chromium/chromium ${REQUIRED} \\\n  ${LEAN.replace('Translate,', 'Translate,SpareRendererForSitePerProcess,')} --disable-site-isolation-trials`,
  },
  {
    id: 'f',
    label: 'lean, network service and GPU in the browser process',
    command: `/usr/lib/chromium/chromium ${REQUIRED} \\\n  ${LEAN} --enable-features=NetworkServiceInProcess --in-process-gpu`,
  },
  {
    id: 'd',
    label: 'lean + --single-process',
    command: `/usr/lib/chromium/chromium ${REQUIRED} \\\n  ${LEAN} --single-process`,
  },
];

function makeVariant(root: string, v: (typeof VARIANTS)[number]): string {
  const dir = path.join(root, `fe-${v.id}`);
  fs.mkdirSync(dir);
  const manifest = JSON.parse(fs.readFileSync(path.join(APP, 'manifest.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name: `Explorer ${v.id}` }));
  fs.cpSync(path.join(APP, 'server'), path.join(dir, 'server'), { recursive: true });
  if (fs.existsSync(path.join(APP, 'ui', 'dist'))) {
    fs.cpSync(path.join(APP, 'ui', 'dist'), path.join(dir, 'ui', 'dist'), { recursive: true });
  }
  const runSh = fs.readFileSync(path.join(APP, 'run.sh'), 'utf8');
  const head = runSh.slice(0, runSh.indexOf('# --- chromium ---'));
  fs.writeFileSync(path.join(dir, 'run.sh'), `${head}exec ${v.command} \\\n  "http://127.0.0.1:$port/"\n`, {
    mode: 0o755,
  });
  return `fe-${v.id}`;
}

function hasContent(fbPath: string): boolean {
  const fb = new FramebufferReader(fbPath, 1);
  try {
    const px = fb.read();
    const { width, height } = fb.layout;
    const colours = new Set<number>();
    for (let y = 0; y < height; y += 8) {
      for (let x = 0; x < width; x += 8) colours.add(px.readUInt32LE((y * width + x) * 4) & 0xffffff);
      if (colours.size > 1) return true;
    }
    return false;
  } finally {
    fb.close();
  }
}

/** The memory and pids cgroup folders of a host process (v1 or v2). */
function cgroupsOf(pid: number): { memory: string; pids: string; v2: boolean } {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const find = (c: string) => lines.find((l) => l.split(':')[1]!.split(',').includes(c))?.split(':')[2];
  const mem = find('memory');
  if (mem !== undefined) {
    return { memory: `/sys/fs/cgroup/memory${mem}`, pids: `/sys/fs/cgroup/pids${find('pids')}`, v2: false };
  }
  const unified = lines.find((l) => l.startsWith('0::'))!.slice(3);
  return { memory: `/sys/fs/cgroup${unified}`, pids: `/sys/fs/cgroup${unified}`, v2: true };
}

const mib = (bytes: number) => bytes / 2 ** 20;
const read = (f: string) => fs.readFileSync(f, 'utf8').trim();
function memoryStat(dir: string): Record<string, number> {
  return Object.fromEntries(
    read(path.join(dir, 'memory.stat'))
      .split('\n')
      .map((l) => l.split(' '))
      .map(([k, v]) => [k!, Number(v)]),
  );
}

/** Proportional set size of every process in the group, by what it is (for the last run). */
function breakdown(procsDir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of read(path.join(procsDir, 'cgroup.procs')).split('\n').filter(Boolean)) {
    try {
      // Chromium rewrites its command line into one space-separated string.
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      const type =
        cmd.find((a) => a.startsWith('--type='))?.slice(7) ??
        (cmd.some((a) => a.startsWith('--renderer-client-id')) ? 'renderer' : undefined) ??
        (cmd.some((a) => a.startsWith('--gpu-preferences')) ? 'gpu' : undefined) ??
        (cmd.length > 1 && cmd.length < 4 && cmd[0]!.endsWith('chromium') ? 'zygote' : undefined);
      const sub = cmd
        .find((a) => a.startsWith('--utility-sub-type='))
        ?.slice(19)
        .split('.')[0];
      const name = `${path.basename(cmd[0]!)}${type ? ` ${type}` : ''}${sub ? ` ${sub}` : ''}`;
      const pss = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      out[name] = (out[name] ?? 0) + Number(pss?.[1] ?? 0) / 1024;
    } catch {
      // gone
    }
  }
  return out;
}

interface Sample {
  createdMs: number;
  firstFrameMs: number;
  usageMiB: number;
  anonMiB: number;
  peakMiB: number;
  tasks: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-measure-'));
  const variants = VARIANTS.filter((v) => !ONLY || ONLY.includes(v.id));
  const ids = variants.map((v) => makeVariant(appsRoot, v));
  const server = await startTestServer({ APPS_ROOT: appsRoot, MAX_SESSIONS: '1' });
  const samples = new Map<string, Sample[]>(ids.map((id) => [id, []]));
  const breakdowns = new Map<string, Record<string, number>>();
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const id of ids) {
        const t0 = performance.now();
        const { status, body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: id });
        if (status !== 201) throw new Error(`${id}: ${status} ${JSON.stringify(body)}`);
        const createdMs = performance.now() - t0;
        const sessionDir = path.join(server.runtimeDir, 'sessions', body.id);
        const fbPath = path.join(sessionDir, 'fb', 'Xvfb_screen0');
        try {
          await waitFor(`${id} to draw`, () => hasContent(fbPath), 30_000, 20);
        } catch (err) {
          const log = fs.readFileSync(path.join(sessionDir, 'log', 'app.log'), 'utf8').slice(-1500);
          throw new Error(`${(err as Error).message}\n${log}`, { cause: err });
        }
        const firstFrameMs = performance.now() - t0;
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const stats = await api<{ pids: number[] }>(server.owner, 'GET', `/api/sessions/${body.id}/stats`);
        const cg = cgroupsOf(stats.body.pids[0]!);
        const stat = memoryStat(cg.memory);
        const sample: Sample = cg.v2
          ? {
              createdMs,
              firstFrameMs,
              usageMiB: mib(Number(read(path.join(cg.memory, 'memory.current')))),
              anonMiB: mib(stat.anon! + stat.shmem!),
              peakMiB: mib(Number(read(path.join(cg.memory, 'memory.peak')))),
              tasks: Number(read(path.join(cg.pids, 'pids.current'))),
            }
          : {
              createdMs,
              firstFrameMs,
              usageMiB: mib(Number(read(path.join(cg.memory, 'memory.usage_in_bytes')))),
              anonMiB: mib(stat.total_rss! + stat.total_shmem!),
              peakMiB: mib(Number(read(path.join(cg.memory, 'memory.max_usage_in_bytes')))),
              tasks: Number(read(path.join(cg.pids, 'pids.current'))),
            };
        samples.get(id)!.push(sample);
        breakdowns.set(id, breakdown(cg.v2 ? cg.memory : cg.pids));
        console.error(
          `run ${run + 1} ${id}: ${JSON.stringify(sample, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`,
        );
        await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
        await waitFor('the session to end', () => !fs.existsSync(sessionDir), 15_000, 50);
      }
    }
  } finally {
    await server.close();
    fs.rmSync(appsRoot, { recursive: true, force: true });
  }
  console.log(
    `| Flags | display up (ms) | first frame (ms) | memory after ${SETTLE_MS / 1000} s (MiB) | of which anon+shmem (MiB) | peak (MiB) | tasks |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const v of variants) {
    const s = samples.get(`fe-${v.id}`)!;
    const m = (k: keyof Sample) => Math.round(median(s.map((x) => x[k])));
    console.log(
      `| ${v.id}: ${v.label} | ${m('createdMs')} | ${m('firstFrameMs')} | ${m('usageMiB')} | ${m('anonMiB')} | ${m('peakMiB')} | ${m('tasks')} |`,
    );
  }
  console.log('\nPSS by process (MiB, last run):');
  for (const [id, b] of breakdowns) {
    const parts = Object.entries(b)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${k} ${Math.round(v)}`);
    console.log(`- ${id}: ${parts.join(', ')}`);
  }
  console.log(`\nmedian of ${RUNS} runs each; first frame = session request → first frame with more than one colour`);
}

await main();
