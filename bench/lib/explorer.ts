import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { api, isAlive, processTree, sessionProcesses, waitFor } from '../../server/test/helpers.ts';
import type { AppClaim } from '../../server/src/control/ports.ts';
import { PAGE_COLOURS, writeColourPdf } from '../../e2e/lib/sample-files.ts';
import { startCpuWindow, type Proc } from './procfs.ts';
import { FramebufferReader } from '../../server/src/media/framebuffer.ts';
import { withLaunchedViewer, type BenchContext, type SessionStats } from './scenario.ts';

/**
 * The File Explorer (apps/file-explorer) in an owner's session: start-up, opening a 300-page PDF,
 * sandbox memory with it open and CPU while paging through it. Everything is read from the
 * decoded video or the explorer's control-channel claims, as a client would see it.
 */

// e2e/lib/remote-screen.ts uses DOM types the root tsconfig does not load (see BROWSER_LIB in
// run.ts): imported by a path the type checker does not follow, with the signatures we use.
const REMOTE_SCREEN: string = '../../e2e/lib/remote-screen.ts';
type Area = [number, number, number, number];
interface RemoteScreen {
  findColour(page: Page, rgb: [number, number, number], tolerance: number, area: Area): Promise<{ share: number }>;
  focusViewer(page: Page): Promise<void>;
  clickDisplay(page: Page, x: number, y: number): Promise<void>;
  pressAndSettle(page: Page, key: string): Promise<void>;
  typeRemote(page: Page, text: string): Promise<void>;
}

export const EXPLORER_APP_ID = 'file-explorer';
export const PDF_PAGES = 300;
const PDF_NAME = 'bench-300-pages.pdf';
/** Page the memory is read again at (the viewer keeps only the pages around it). */
export const FAR_PAGE = 150;
/** The PDF viewer's page area, right of the thumbnails strip (display pixels). */
const PAGE_AREA: Area = [200, 120, 1280, 720];
/** How long after a page is shown the sandbox memory is read. */
export const MEMORY_SETTLE_MS = 2000;
/** PageDown presses per second while the CPU is measured. */
export const SCROLL_RATE = 4;
/**
 * A decoded frame "shows the UI" once the luma of a 160x90 thumbnail of it spreads this much
 * (standard deviation, 0–255). Measured: the empty display (black) 0, Chromium's blank window
 * 4–4.5 (its dark edge), the UI with its toolbar but no rows yet 13–14, the listed folder 34.
 */
export const UI_LUMA_STD = 10;

/** Luma standard deviation of the display, every 8th pixel both ways. */
export function displayLumaSpread(fbPath: string): number {
  const fb = new FramebufferReader(fbPath, 1);
  try {
    const px = fb.read();
    const { width, height } = fb.layout;
    let s = 0;
    let s2 = 0;
    let n = 0;
    for (let y = 0; y < height; y += 8) {
      for (let x = 0; x < width; x += 8) {
        const p = px.readUInt32LE((y * width + x) * 4);
        const l = (((p >> 16) & 255) * 299 + ((p >> 8) & 255) * 587 + (p & 255) * 114) / 1000;
        s += l;
        s2 += l * l;
        n++;
      }
    }
    return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
  } finally {
    fb.close();
  }
}

export interface ExplorerContext extends BenchContext {
  /** What the explorer reported over its control channel (the in-process server's record). */
  claimsOf(sessionId: string): AppClaim[];
  /** The owner's storage on disk (what the session shows at /files). */
  ownerFiles: string;
}

export type ExplorerRole = 'chromium' | 'explorer' | 'Xvfb' | 'other' | 'encoders' | 'server' | 'client';

export interface ExplorerRunResult {
  /** Launch click → first decoded frame showing the UI (luma spread ≥ UI_LUMA_STD), ms. */
  firstUiFrameMs: number | null;
  /** Launch click → the explorer's `folder-opened` claim for /files, ms. */
  listedMs: number;
  /** Enter on the PDF → page 1's colour in the decoded video, ms. */
  pdfFirstPageMs: number;
  /** Enter on the PDF → its `file-opened` claim, ms. */
  pdfClaimMs: number | null;
  /** Sandbox cgroup usage MEMORY_SETTLE_MS after page 1, then page FAR_PAGE, is shown; bytes. */
  memoryPage1Bytes: number | null;
  memoryFarBytes: number | null;
  /** The higher of the two. */
  memoryBytes: number | null;
  /** % of one core per role while paging at SCROLL_RATE. */
  scrollCpu: Record<ExplorerRole, number>;
  scrollSeconds: number;
  /** Busy CPU of everything else on the machine during the window. */
  otherLoad: number;
  presses: number;
  /** Pages the viewer reported moving over (last `page-viewed` − FAR_PAGE). */
  pagesTurned: number | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps', EXPLORER_APP_ID);

/** Fails early, with the fix, when the explorer's UI has not been built. */
export function checkExplorerBuilt(): void {
  const index = path.join(appDir, 'ui', 'dist', 'index.html');
  if (!fs.existsSync(index)) throw new Error(`${index} is missing: run \`make setup\` (builds the explorer UI) first`);
  // The sources would run instead, with ≈ 27 MiB more per explorer: not what a deployment measures.
  const chosen = execFileSync(path.join(appDir, 'server-main.sh'), [appDir], { encoding: 'utf8', stdio: 'pipe' });
  if (!chosen.trim().endsWith('server-js/main.js')) {
    throw new Error('the explorer server is not built or older than its sources: run `make setup` first');
  }
}

/** Writes the 300-page PDF into the owner's storage (solid colour pages, PAGE_COLOURS). */
export function writeExplorerFiles(ownerFiles: string): void {
  fs.mkdirSync(ownerFiles, { recursive: true, mode: 0o700 });
  writeColourPdf(path.join(ownerFiles, PDF_NAME), PDF_PAGES);
}

/** Page code: the wall time of the first presented frame whose luma spreads ≥ UI_LUMA_STD. */
export const UI_FRAME_SCRIPT = `(() => {
  const b = (window.__explorerBench = { firstUiWall: null });
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 90;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let hooked = null;
  const onFrame = (video) => () => {
    if (b.firstUiWall !== null || video !== hooked) return;
    ctx.drawImage(video, 0, 0, 160, 90);
    const d = ctx.getImageData(0, 0, 160, 90).data;
    let s = 0, s2 = 0;
    for (let i = 0; i < d.length; i += 4) {
      const y = (d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000;
      s += y;
      s2 += y * y;
    }
    const n = d.length / 4;
    if (Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)) >= ${UI_LUMA_STD}) b.firstUiWall = Date.now();
    else video.requestVideoFrameCallback(onFrame(video));
  };
  const poll = setInterval(() => {
    if (b.firstUiWall !== null) return clearInterval(poll);
    const video = window.__vitrine && window.__vitrine.video;
    if (video && video !== hooked) {
      hooked = video;
      video.requestVideoFrameCallback(onFrame(video));
    }
  }, 2);
})()`;

function roleOf(cmd: string): ExplorerRole {
  if (/(^|\/)Xvfb\b/.test(cmd)) return 'Xvfb';
  if (/chrom(e|ium)/.test(cmd.split(' ')[0] ?? '')) return 'chromium';
  if (cmd.includes('/app/server/main.ts') || cmd.includes('/app/server-js/main.js')) return 'explorer';
  return 'other'; // bwrap, a shell while it starts
}

/** The session's processes by role, the server (this process) and the benchmark's own Chromium. */
async function listProcs(ctx: BenchContext, id: string): Promise<Proc[]> {
  const stats = (await api<SessionStats>(ctx.owner, 'GET', `/api/sessions/${id}/stats`)).body;
  const tree = sessionProcesses(ctx.runtimeDir, id).map((p) => ({ pid: p.pid, role: roleOf(p.cmd) }));
  const inTree = new Set(tree.map((p) => p.pid));
  const encoders = (stats.pids ?? []).filter((pid) => !inTree.has(pid) && isAlive(pid));
  // The sandbox's Chromium also descends from this process: only the rest is the client.
  const client = processTree(process.pid).filter(
    (p) => !inTree.has(p.pid) && /chrom(e|ium)/.test(p.cmd.split(' ')[0] ?? ''),
  );
  return [
    ...tree,
    ...encoders.map((pid) => ({ pid, role: 'encoders' })),
    { pid: process.pid, role: 'server' },
    ...client.map((p) => ({ pid: p.pid, role: 'client' })),
  ];
}

async function sandboxMemory(ctx: BenchContext, id: string): Promise<number | null> {
  const stats = await api<SessionStats>(ctx.owner, 'GET', `/api/sessions/${id}/stats`);
  if (stats.status !== 200) throw new Error(`stats: ${stats.status}`);
  return typeof stats.body.memoryBytes === 'number' ? stats.body.memoryBytes : null;
}

/** One run: launch, open the PDF, read memory at page 1 and FAR_PAGE, page on while measuring CPU. */
export async function runExplorer(ctx: ExplorerContext): Promise<ExplorerRunResult> {
  const screen = (await import(REMOTE_SCREEN)) as RemoteScreen;
  const launch = { appId: EXPLORER_APP_ID, codec: 'h264' as const, width: 1280, height: 720 };
  return withLaunchedViewer(
    ctx,
    { ...launch, initScript: UI_FRAME_SCRIPT },
    async ({ page, sessionId: id, clickedAt }) => {
      const claimed = (what: string, match: (c: AppClaim) => boolean, timeoutMs = 15_000) =>
        waitFor(what, () => ctx.claimsOf(id).find(match), timeoutMs);
      const shown = (what: string, colour: [number, number, number]) =>
        waitFor(what, async () => (await screen.findColour(page, colour, 40, PAGE_AREA)).share > 0.05, 15_000, 10);

      const listed = await claimed('/files listed', (c) => c.kind === 'folder-opened' && c.path === '/files', 30_000);
      const firstUiWall = await waitFor('a frame showing the UI', () =>
        page.evaluate('window.__explorerBench.firstUiWall'),
      ).catch(() => null);

      await screen.focusViewer(page);
      await screen.clickDisplay(page, 1200, 690); // empty space: gives the kiosk window the X focus
      await screen.pressAndSettle(page, '/'); // filter by name, back to the list, open
      await screen.typeRemote(page, PDF_NAME.slice(0, -4));
      await screen.pressAndSettle(page, 'Enter');
      const enterAt = Date.now();
      await page.keyboard.press('Enter');
      await shown('page 1 shown', PAGE_COLOURS[0]!);
      const pdfFirstPageMs = Date.now() - enterAt;
      const opened = await claimed('PDF opened', (c) => c.kind === 'file-opened' && c.path.endsWith(PDF_NAME));
      await sleep(MEMORY_SETTLE_MS);
      const memoryPage1Bytes = await sandboxMemory(ctx, id);

      await page.keyboard.press('g');
      await screen.typeRemote(page, String(FAR_PAGE));
      await page.keyboard.press('Enter');
      await claimed(`page ${FAR_PAGE} reported`, (c) => c.kind === 'page-viewed' && c.page === FAR_PAGE);
      await shown(`page ${FAR_PAGE} shown`, PAGE_COLOURS[(FAR_PAGE - 1) % PAGE_COLOURS.length]!);
      await sleep(MEMORY_SETTLE_MS);
      const memoryFarBytes = await sandboxMemory(ctx, id);

      // --- CPU while paging: PageDown at SCROLL_RATE for ctx.seconds ---------------------------
      const presses = Math.max(1, Math.round(ctx.seconds * SCROLL_RATE));
      const cpuWindow = startCpuWindow(await listProcs(ctx, id));
      const t0 = performance.now();
      for (let k = 0; k < presses; k++) {
        await sleep(t0 + (k * 1000) / SCROLL_RATE - performance.now());
        await page.keyboard.press('PageDown');
      }
      await sleep(t0 + (presses * 1000) / SCROLL_RATE - performance.now());
      const cpu = cpuWindow.end(await listProcs(ctx, id));
      await sleep(1000); // page-viewed is reported once the page has settled
      const lastPage = ctx
        .claimsOf(id)
        .filter((c) => c.kind === 'page-viewed')
        .at(-1)?.page;

      const scrollCpu: Record<ExplorerRole, number> = {
        chromium: 0,
        explorer: 0,
        Xvfb: 0,
        other: 0,
        encoders: 0,
        server: 0,
        client: 0,
      };
      for (const u of cpu.usage) scrollCpu[u.role as ExplorerRole] += u.cpuPercent;
      const memories = [memoryPage1Bytes, memoryFarBytes].filter((m): m is number => m !== null);
      return {
        firstUiFrameMs: typeof firstUiWall === 'number' ? firstUiWall - clickedAt : null,
        listedMs: Date.parse(listed.at) - clickedAt,
        pdfFirstPageMs,
        pdfClaimMs: Date.parse(opened.at) - enterAt,
        memoryPage1Bytes,
        memoryFarBytes,
        memoryBytes: memories.length ? Math.max(...memories) : null,
        scrollCpu,
        scrollSeconds: cpu.seconds,
        otherLoad: Math.max(0, cpu.systemPercent - cpu.usage.reduce((n, u) => n + u.cpuPercent, 0)),
        presses,
        pagesTurned: lastPage === undefined ? null : lastPage - FAR_PAGE,
      };
    },
  );
}
