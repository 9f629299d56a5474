/**
 * What sound costs and how well it keeps time (server/src/audio/): the A/V offset in the viewer's
 * page (a white flash and a beep at the same instants, played in the File Explorer), CPU of a
 * File Explorer session playing sound and of one showing a still folder (with sound and, for
 * comparison, the same app without `audio` in its manifest), and PulseAudio's memory.
 *
 *   node bench/audio.ts [--runs N] [--seconds S]
 *
 * Prints a table; bench/RESULTS.md is the lead's to update. Everything stays on 127.0.0.1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { sessionProcesses, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import { startCpuWindow, rssKiB, type Proc } from './lib/procfs.ts';
import { median, percentile } from './lib/stats.ts';
import { addSessionCookie } from '../e2e/lib/session-cookie.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' } },
});
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The page probes use DOM types the root tsconfig does not load (see bench/lib/explorer.ts):
// imported by a path the type checker does not follow, with the signatures used here.
const SOUND_PROBE: string = '../e2e/lib/sound-probe.ts';
const REMOTE_SCREEN: string = '../e2e/lib/remote-screen.ts';
const BROWSER: string = '../e2e/lib/browser.ts';
interface SoundProbe {
  writeSoundMedia(dir: string, flashSeconds?: number): void;
  installAvProbe(page: Page): Promise<void>;
  readAvProbe(page: Page): Promise<{ flashes: number[]; beeps: number[] }>;
  avOffsets(flashes: readonly number[], beeps: readonly number[], skip?: number): number[];
}
interface RemoteScreen {
  focusViewer(page: Page): Promise<void>;
  openByName(page: Page, name: string): Promise<void>;
}
const probe = (await import(SOUND_PROBE)) as SoundProbe;
const screen = (await import(REMOTE_SCREEN)) as RemoteScreen;
const { launchChromium } = (await import(BROWSER)) as { launchChromium(): Promise<Browser> };

/** APPS_ROOT with the File Explorer as it is, and a copy whose manifest does not ask for sound. */
function appsRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-bench-audio-apps-'));
  const from = path.join(REPO, 'apps', 'file-explorer');
  fs.symlinkSync(from, path.join(root, 'file-explorer'));
  const silent = path.join(root, 'file-explorer-silent');
  fs.cpSync(from, silent, {
    recursive: true,
    filter: (src) => !src.includes('node_modules') && !src.includes(`${path.sep}test`),
  });
  const manifest = JSON.parse(fs.readFileSync(path.join(from, 'manifest.json'), 'utf8')) as {
    capabilities: Record<string, unknown>;
  };
  const capabilities = { ...manifest.capabilities, audio: false };
  fs.writeFileSync(path.join(silent, 'manifest.json'), JSON.stringify({ ...manifest, capabilities }, null, 2));
  return root;
}

interface Opened {
  page: Page;
  sessionId: string;
  close(): Promise<void>;
}

async function openExplorer(server: TestServer, browser: Browser, appId: string): Promise<Opened> {
  // The probes evaluate code in the page, which its CSP rightly forbids: this measuring browser alone bypasses it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 880 }, bypassCSP: true });
  await addSessionCookie(context, server.owner, server.publicUrl());
  const page = await context.newPage();
  await page.goto(`${server.publicUrl()}/apps`);
  await page.getByTestId(`launch-${appId}`).click();
  await page.waitForURL(/\/session\//);
  await page.waitForFunction('window.__vitrine?.state === "streaming"', null, { timeout: 60_000 });
  const sessionId = (await page.evaluate('window.__vitrine.sessionId')) as string;
  await waitFor(
    'the folder listed',
    () => server.sessions.claimsOf(sessionId).find((c) => c.kind === 'folder-opened'),
    60_000,
  );
  await page.getByTestId('viewer-progress').waitFor({ state: 'detached', timeout: 60_000 });
  await screen.focusViewer(page);
  return {
    page,
    sessionId,
    close: async () => {
      await page
        .getByTestId('end-session')
        .click()
        .catch(() => {});
      await context.close();
    },
  };
}

const procs = (server: TestServer, sessionId: string): Proc[] =>
  sessionProcesses(server.runtimeDir, sessionId, server.sessions.statsOf(sessionId)?.pids ?? []).map((p) => ({
    pid: p.pid,
    role: p.cmd.startsWith('pulseaudio') ? 'pulseaudio' : p.cmd.startsWith('ffmpeg') ? 'ffmpeg' : 'other',
  })) as Proc[];

/** CPU (% of one core) of the session's processes and this server process over `seconds`. */
async function cpuOver(server: TestServer, sessionId: string, seconds: number): Promise<number> {
  const self = { pid: process.pid, role: 'server' } as Proc;
  const window = startCpuWindow([...procs(server, sessionId), self]);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const used = window.end([...procs(server, sessionId), self]);
  return used.usage.reduce((sum, u) => sum + u.cpuPercent, 0);
}

async function play(server: TestServer, o: Opened, name: string): Promise<void> {
  await screen.openByName(o.page, name);
  await waitFor(
    `${name} opened`,
    () => server.sessions.claimsOf(o.sessionId).find((c) => c.kind === 'file-opened'),
    20_000,
  );
  await o.page.waitForTimeout(500);
  await o.page.keyboard.press(' ');
  await waitFor(
    `${name} playing`,
    () => server.sessions.claimsOf(o.sessionId).find((c) => c.kind === 'video-started'),
    20_000,
  );
}

const apps = appsRoot();
const server = await startTestServer({ APPS_ROOT: apps, LOG_LEVEL: 'error' });
const browser = await launchChromium();
const fmt = (v: number | null, digits = 0) => (v === null ? '–' : v.toFixed(digits));
try {
  const media = path.join(ownerRoot(server.config.storage.dir, server.owner.me.id), 'Media');
  fs.mkdirSync(media, { recursive: true });
  probe.writeSoundMedia(media, SECONDS + 6);
  const offsets: number[][] = [];
  const playingCpu: number[] = [];
  const silentCpu: number[] = [];
  const silentCpuWithout: number[] = [];
  const pulseKiB: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Without sound in the manifest: the still folder's cost before this change.
    const plain = await openExplorer(server, browser, 'file-explorer-silent');
    silentCpuWithout.push(await cpuOver(server, plain.sessionId, SECONDS));
    await plain.close();

    const o = await openExplorer(server, browser, 'file-explorer');
    silentCpu.push(await cpuOver(server, o.sessionId, SECONDS));
    const pulse = procs(server, o.sessionId).find((p) => (p.role as string) === 'pulseaudio');
    if (pulse) pulseKiB.push(rssKiB(pulse.pid) ?? 0);
    await screen.openByName(o.page, 'Media');
    await probe.installAvProbe(o.page);
    await play(server, o, 'flashes');
    playingCpu.push(await cpuOver(server, o.sessionId, SECONDS));
    const { flashes, beeps } = await probe.readAvProbe(o.page);
    offsets.push(probe.avOffsets(flashes, beeps));
    await o.close();
    console.error(
      `run ${run + 1}/${RUNS}: offsets ${offsets
        .at(-1)!
        .map((x) => x.toFixed(0))
        .join(' ')}`,
    );
  }
  const all = offsets.flat();
  const abs = all.map(Math.abs);
  const rows: Array<[string, string]> = [
    ['A/V offset, beep − flash: median (ms)', fmt(median(all))],
    ['A/V offset |beep − flash|: p95 (ms)', fmt(percentile(abs, 95))],
    ['A/V pairs measured', String(all.length)],
    ['CPU, explorer playing a video with sound (% of a core)', fmt(median(playingCpu), 1)],
    ['CPU, explorer still, with sound (% of a core)', fmt(median(silentCpu), 1)],
    ['CPU, explorer still, without sound (% of a core)', fmt(median(silentCpuWithout), 1)],
    ['PulseAudio memory, RSS (MiB)', fmt((median(pulseKiB) ?? 0) / 1024, 1)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nSound (${RUNS} runs, ${SECONDS} s windows; CPU includes the server process)\n`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(apps, { recursive: true, force: true });
}
