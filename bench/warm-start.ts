/**
 * Warm starts (issue 19; sessions/warm-pool.ts): what a client waits for when opening a share,
 * when its File Explorer was started before it (a read-only share takes the warm sandbox) and
 * when it starts cold (an editable share), paired in one server and alternated run by run, on a
 * quiet host and with idle File Explorers of the owner running (no viewers: their memory and
 * processes, the load that slowed new starts in the density benchmark). Then the owner opens their
 * own files twice, back to back: the first takes the warm sandbox kept for that, the second
 * starts cold (the next is started only 5 s after a take).
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
import type { Browser } from 'playwright-core';
import type { SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { sampleFiles } from '../e2e/lib/sample-files.ts';
import { checkExplorerBuilt, displayLumaSpread, UI_LUMA_STD } from './lib/explorer.ts';
import { machineInfo } from './lib/report.ts';
import { median } from './lib/stats.ts';
import { invitedClient, openShare, ownerLauncher, warmReady, type ShareLaunch } from './lib/share-launch.ts';

// Browser helpers use DOM types the root tsconfig does not load (see BROWSER_LIB in run.ts).
const BROWSER_LIB: string = '../e2e/lib/browser.ts';
type BrowserLib = { launchChromium(): Promise<Browser> };

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
const browser = await launchChromium();
const idleSessions: string[] = [];
type Pair = { warm: ShareLaunch; cold: ShareLaunch };
const rows: Array<{ idle: number; launches: Pair[]; owner: Pair[] }> = [];
try {
  const machine = machineInfo(browser.version());
  log(`${machine.nproc} CPUs, load ${machine.loadAvg.map((v) => v.toFixed(2)).join(' ')}`);
  const viewer = await invitedClient(
    browser,
    server,
    { folder: 'View', name: 'Vera', email: 'vera@example.test' },
    (d) => sampleFiles(d),
  );
  const editor = await invitedClient(
    browser,
    server,
    { folder: 'Edit', name: 'Eddie', email: 'eddie@example.test', access: 'edit' },
    (d) => sampleFiles(d),
  );

  const ownerLaunch = await ownerLauncher(browser, server);

  for (const idle of IDLE) {
    while (idleSessions.length < idle) idleSessions.push(await startIdleExplorer(server));
    log(`${idle} idle explorers running`);
    const launches: Pair[] = [];
    const owner: Pair[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Alternated: the machine's drift within a run hits both alike.
      const order = run % 2 === 0 ? (['warm', 'cold'] as const) : (['cold', 'warm'] as const);
      const pair: Partial<Record<'warm' | 'cold', ShareLaunch>> = {};
      for (const kind of order) {
        if (kind === 'warm') await warmReady(server, 'share');
        pair[kind] = await openShare(server, kind === 'warm' ? viewer : editor);
      }
      launches.push(pair as Pair);
      log(`idle ${idle} run ${run + 1}: warm ${fmt(pair.warm!)}, cold ${fmt(pair.cold!)}`);
      await warmReady(server, 'owner');
      const own = { warm: await ownerLaunch(), cold: await ownerLaunch() };
      owner.push(own);
      log(`idle ${idle} run ${run + 1}: owner's own files ${fmt(own.warm)}, then ${fmt(own.cold)}`);
    }
    rows.push({ idle, launches, owner });
  }
} finally {
  for (const id of idleSessions) await api(server.owner, 'DELETE', `/api/sessions/${id}`).catch(() => {});
  await browser.close().catch(() => {});
  await server.close();
}

const report = renderReport();
process.stdout.write(report);
if (values.out) fs.writeFileSync(values.out, report);

function fmt(l: ShareLaunch): string {
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

function renderReport(): string {
  const sec = (ms: number) => (ms / 1000).toFixed(2);
  const stat = (xs: number[]) =>
    xs.length ? `${sec(median(xs)!)} (${sec(Math.min(...xs))}–${sec(Math.max(...xs))})` : 'none';
  const lines = [
    `Warm starts (\`node bench/warm-start.ts --runs ${RUNS} --idle ${IDLE.join(',')}\`, ${new Date().toISOString().slice(0, 16)} UTC): a client opens a share in Chromium; click → first UI frame, s, median (min–max) over ${RUNS} runs, warm and cold alternated.`,
    '',
    '| Idle File Explorers (owner, no viewer) | Who opens what | Warm | Cold | Warm / cold (median of run pairs) | Launches that started as labelled |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    for (const [who, pairs] of [
      ['a client: read-only share warm, editable share cold', r.launches],
      ['the owner: their own files, warm then cold', r.owner],
    ] as const) {
      const warm = pairs.filter((l) => l.warm.warm && l.warm.ms !== null).map((l) => l.warm.ms!);
      const cold = pairs.filter((l) => !l.cold.warm && l.cold.ms !== null).map((l) => l.cold.ms!);
      const ratios = pairs.filter((l) => l.warm.ms !== null && l.cold.ms !== null).map((l) => l.warm.ms! / l.cold.ms!);
      const labelled = pairs.filter((l) => l.warm.warm && !l.cold.warm).length;
      lines.push(
        `| ${r.idle} | ${who} | ${stat(warm)} | ${stat(cold)} | ${ratios.length ? median(ratios)!.toFixed(2) : 'none'} | ${labelled} of ${pairs.length} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
