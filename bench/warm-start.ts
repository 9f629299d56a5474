/**
 * Warm starts (issue 19; sessions/warm-pool.ts): what a client waits for when opening a share,
 * when its File Explorer was started before it (a read-only share takes the warm sandbox) and
 * when it starts cold (an editable share), paired in one server and alternated run by run, on a
 * quiet host and with idle File Explorers of the owner running (no viewers: their memory and
 * processes, the load that slowed new starts in the density benchmark).
 *
 *   node bench/warm-start.ts [--runs 5] [--idle 0,40] [--out FILE]
 *
 * First frame: the click on the share's Open → the first presented video frame showing the
 * explorer's UI (UI_FRAME_SCRIPT, as in bench/RESULTS.md), in Chromium. Before each warm
 * launch the warm sandbox's Chromium has been up WARM_SETTLE_MS. Whether a launch really started
 * warm is read from the session's sandbox process, not assumed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { SessionInfo } from '@vitrine/protocol';
import { api, isAlive, processTree, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import { sampleFiles } from '../e2e/lib/sample-files.ts';
import { checkExplorerBuilt, displayLumaSpread, UI_FRAME_SCRIPT, UI_LUMA_STD } from './lib/explorer.ts';
import { machineInfo } from './lib/report.ts';
import { median } from './lib/stats.ts';

// Browser helpers use DOM types the root tsconfig does not load (see BROWSER_LIB in run.ts).
const BROWSER_LIB: string = '../e2e/lib/browser.ts';
const SHARED_LIB: string = '../e2e/lib/shared-session.ts';
type BrowserLib = { launchChromium(): Promise<Browser> };
type SharedLib = {
  inviteClient(
    browser: Browser,
    server: TestServer,
    o: { folder: string; name: string; email: string; access?: 'view' | 'edit' },
  ): Promise<{ client: { page: Page } }>;
};

/** The warm sandbox's Chromium has been running this long before a warm launch. */
const WARM_SETTLE_MS = 3000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    idle: { type: 'string', default: '0,40' },
    out: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const IDLE = values.idle.split(',').map(Number);
const log = (msg: string) => process.stderr.write(`[warm-start] ${msg}\n`);

interface Launch {
  ms: number | null;
  warm: boolean;
}

checkExplorerBuilt();
const server = await startTestServer({
  WARM_SANDBOXES: '1',
  MAX_SESSIONS: '100',
  MAX_SESSIONS_PER_USER: '100',
  PEER_GRACE_MS: '3600000',
  SESSION_IDLE_TIMEOUT: '1h',
  SESSION_LAUNCHES_PER_MINUTE: '1000',
});
const { launchChromium } = (await import(BROWSER_LIB)) as BrowserLib;
const { inviteClient } = (await import(SHARED_LIB)) as SharedLib;
const browser = await launchChromium();
const idleSessions: string[] = [];
const rows: Array<{ idle: number; launches: Array<{ warm: Launch; cold: Launch }> }> = [];
try {
  const machine = machineInfo(browser.version());
  log(`${machine.nproc} CPUs, load ${machine.loadAvg.map((v) => v.toFixed(2)).join(' ')}`);
  const root = ownerRoot(server.config.storage.dir, server.owner.me.id);
  for (const folder of ['View', 'Edit']) {
    fs.mkdirSync(path.join(root, folder), { recursive: true });
    sampleFiles(path.join(root, folder));
  }
  const viewer = await inviteClient(browser, server, { folder: 'View', name: 'Vera', email: 'vera@example.test' });
  const editor = await inviteClient(browser, server, {
    folder: 'Edit',
    name: 'Eddie',
    email: 'eddie@example.test',
    access: 'edit',
  });
  for (const page of [viewer.client.page, editor.client.page]) await page.addInitScript(UI_FRAME_SCRIPT);

  for (const idle of IDLE) {
    while (idleSessions.length < idle) idleSessions.push(await startIdleExplorer(server));
    log(`${idle} idle explorers running`);
    const launches: Array<{ warm: Launch; cold: Launch }> = [];
    for (let run = 0; run < RUNS; run++) {
      // Alternated: the machine's drift within a run hits both alike.
      const order = run % 2 === 0 ? (['warm', 'cold'] as const) : (['cold', 'warm'] as const);
      const pair: Partial<Record<'warm' | 'cold', Launch>> = {};
      for (const kind of order) {
        if (kind === 'warm') await warmReady(server);
        pair[kind] = await openShare(server, (kind === 'warm' ? viewer : editor).client.page);
      }
      launches.push(pair as { warm: Launch; cold: Launch });
      log(`idle ${idle} run ${run + 1}: warm ${fmt(pair.warm!)}, cold ${fmt(pair.cold!)}`);
    }
    rows.push({ idle, launches });
  }
} finally {
  for (const id of idleSessions) await api(server.owner, 'DELETE', `/api/sessions/${id}`).catch(() => {});
  await browser.close().catch(() => {});
  await server.close();
}

const report = renderReport();
process.stdout.write(report);
if (values.out) fs.writeFileSync(values.out, report);

function fmt(l: Launch): string {
  return `${l.ms === null ? 'none' : `${(l.ms / 1000).toFixed(2)} s`}${l.warm ? ' (warm)' : ' (cold)'}`;
}

/** The owner's File Explorer, no viewer: launched, and waited for until its display shows the UI. */
async function startIdleExplorer(s: TestServer): Promise<string> {
  const r = await api<SessionInfo>(s.owner, 'POST', '/api/sessions', { appId: 'file-explorer' });
  if (r.status !== 201) throw new Error(`idle explorer: ${r.status} ${JSON.stringify(r.body)}`);
  const fb = path.join(s.runtimeDir, 'sessions', r.body.id, 'fb', 'Xvfb_screen0');
  await waitFor('an idle explorer showing its UI', () => displayLumaSpread(fb) >= UI_LUMA_STD, 60_000, 50);
  return r.body.id;
}

/** Waits until a warm sandbox's Chromium has been running WARM_SETTLE_MS. */
async function warmReady(s: TestServer): Promise<void> {
  const sessions = path.join(s.runtimeDir, 'sessions');
  let since: number | null = null;
  await waitFor(
    'a warm File Explorer',
    () => {
      const up = fs
        .readdirSync(sessions)
        .filter((d) => d.startsWith('warm-'))
        .some((d) => sandboxOf(path.join(sessions, d)).some((p) => /chromium/.test(p.cmd)));
      since = up ? (since ?? Date.now()) : null;
      return since !== null && Date.now() - since >= WARM_SETTLE_MS;
    },
    120_000,
    100,
  );
}

/** The processes of the sandbox whose folder is `dir` (bubblewrap and everything below it). */
function sandboxOf(dir: string): Array<{ pid: number; cmd: string }> {
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() !== 'bwrap') continue;
      if (!fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${dir}/fb`)) continue;
      return processTree(Number(p));
    } catch {
      continue;
    }
  }
  return [];
}

/** The client opens their share; resolves to click → first UI frame, and whether it started warm. */
async function openShare(s: TestServer, page: Page): Promise<Launch> {
  await page.goto(`${s.publicUrl()}/shared`);
  const open = page.getByTestId('share-open').first();
  await open.waitFor();
  const warmPids = new Set(
    fs
      .readdirSync(path.join(s.runtimeDir, 'sessions'))
      .filter((d) => d.startsWith('warm-'))
      .flatMap((d) =>
        sandboxOf(path.join(s.runtimeDir, 'sessions', d))
          .slice(0, 1)
          .map((p) => p.pid),
      ),
  );
  const clickedAt = Date.now();
  await open.click();
  await page.waitForURL(/\/session\//);
  const id = /\/session\/([\w-]+)/.exec(page.url())![1]!;
  // Polled with evaluate: the page's Content Security Policy refuses waitForFunction's string eval.
  const wall = await waitFor(
    'a frame showing the UI',
    () => page.evaluate('window.__explorerBench.firstUiWall') as Promise<number | null>,
    30_000,
    20,
  ).catch((err: Error) => {
    log(`no UI frame in ${id}: ${err.message}`);
    return null;
  });
  const pids = s.sessions.statsOf(id)?.pids ?? [];
  const launch = { ms: wall === null ? null : wall - clickedAt, warm: warmPids.has(pids[0] ?? -1) };
  await page.getByTestId('end-session').click();
  await waitFor('the session’s processes gone', () => pids.every((p) => !isAlive(p)), 30_000);
  return launch;
}

function renderReport(): string {
  const sec = (ms: number) => (ms / 1000).toFixed(2);
  const stat = (xs: number[]) =>
    xs.length ? `${sec(median(xs)!)} (${sec(Math.min(...xs))}–${sec(Math.max(...xs))})` : 'none';
  const lines = [
    `Warm starts (\`node bench/warm-start.ts --runs ${RUNS} --idle ${IDLE.join(',')}\`, ${new Date().toISOString().slice(0, 16)} UTC): a client opens a share in Chromium; click → first UI frame, s, median (min–max) over ${RUNS} runs, warm and cold alternated.`,
    '',
    '| Idle File Explorers (owner, no viewer) | Read-only share, warm | Editable share, cold | Warm / cold (median of run pairs) | Launches that started as labelled |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const warm = r.launches.filter((l) => l.warm.warm && l.warm.ms !== null).map((l) => l.warm.ms!);
    const cold = r.launches.filter((l) => !l.cold.warm && l.cold.ms !== null).map((l) => l.cold.ms!);
    const ratios = r.launches
      .filter((l) => l.warm.ms !== null && l.cold.ms !== null)
      .map((l) => l.warm.ms! / l.cold.ms!);
    const labelled = r.launches.filter((l) => l.warm.warm && !l.cold.warm).length;
    lines.push(
      `| ${r.idle} | ${stat(warm)} | ${stat(cold)} | ${ratios.length ? median(ratios)!.toFixed(2) : 'none'} | ${labelled} of ${r.launches.length} |`,
    );
  }
  return lines.join('\n') + '\n';
}
