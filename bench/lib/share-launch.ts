/**
 * A client opening their share, or the owner their own files, in Chromium, timed as a person
 * waits for it (click → first frame showing the File Explorer's UI), and whether it started warm
 * (sessions/warm-pool.ts). Shared by bench/warm-start.ts and the density benchmark's probes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  api,
  isAlive,
  processTree,
  waitFor,
  warmSandboxDirs,
  type TestServer,
  type WarmKind,
} from '../../server/test/helpers.ts';
import { ownerRoot } from '../../server/src/storage/owner-storage.ts';
import { sampleFiles } from '../../e2e/lib/sample-files.ts';
import { EXPLORER_APP_ID, UI_FRAME_SCRIPT } from './explorer.ts';
import { launchFromAppList } from './lab-viewer.ts';
import { INIT_SCRIPT } from './page-scripts.ts';
import { addSessionCookie } from '../../e2e/lib/session-cookie.ts';

/** The warm sandbox's Chromium has been running this long before a warm launch. */
export const WARM_SETTLE_MS = 3000;

export interface ShareLaunch {
  /** Click → first UI frame, ms; null: none within 30 s. */
  ms: number | null;
  warm: boolean;
}

const log = (msg: string) => process.stderr.write(`[share-launch] ${msg}\n`);

/** Where a server keeps its sessions' and warm sandboxes' folders. */
type Where = Pick<TestServer, 'runtimeDir'>;

/** Waits until a warm sandbox of that kind has had its Chromium running WARM_SETTLE_MS. */
export async function warmReady(s: Where, kind: WarmKind): Promise<void> {
  let since: number | null = null;
  await waitFor(
    `a warm File Explorer (${kind})`,
    () => {
      const up = warmSandboxDirs(s.runtimeDir, kind).some((dir) => sandboxOf(dir).some((p) => /chromium/.test(p.cmd)));
      since = up ? (since ?? Date.now()) : null;
      return since !== null && Date.now() - since >= WARM_SETTLE_MS;
    },
    120_000,
    100,
  );
}

/** The sandbox processes of every warm sandbox now: a session whose sandbox is one of them started warm. */
export function warmSandboxPids(s: Where): Set<number> {
  return new Set(
    warmSandboxDirs(s.runtimeDir).flatMap((dir) =>
      sandboxOf(dir)
        .slice(0, 1)
        .map((p) => p.pid),
    ),
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

/**
 * Session `id`, launched at `clickedAt` and shown in `page`: click → its first frame showing the UI,
 * whether its sandbox was one of `warmPids` (started before it), and its processes.
 */
async function timed(s: TestServer, page: Page, id: string, clickedAt: number, warmPids: Set<number>) {
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
  const launch: ShareLaunch = { ms: wall === null ? null : wall - clickedAt, warm: warmPids.has(pids[0] ?? -1) };
  return { launch, pids };
}

/** The client opens their share; resolves to click → first UI frame, and whether it started warm. */
export async function openShare(s: TestServer, page: Page): Promise<ShareLaunch> {
  await page.goto(`${s.publicUrl()}/shared`);
  const open = page.getByTestId('share-open').first();
  await open.waitFor();
  const warmPids = warmSandboxPids(s);
  const clickedAt = Date.now();
  await open.click();
  await page.waitForURL(/\/session\//);
  const id = /\/session\/([\w-]+)/.exec(page.url())![1]!;
  const { launch, pids } = await timed(s, page, id, clickedAt, warmPids);
  await page.getByTestId('end-session').click();
  await waitFor('the session’s processes gone', () => pids.every((p) => !isAlive(p)), 30_000);
  return launch;
}

// e2e/lib/shared-session.ts uses DOM types the root tsconfig does not load (see BROWSER_LIB in run.ts).
const SHARED_LIB: string = '../../e2e/lib/shared-session.ts';
type SharedLib = {
  inviteClient(
    browser: Browser,
    server: TestServer,
    o: { folder: string; name: string; email: string; access?: 'view' | 'edit' },
  ): Promise<{ client: { page: Page } }>;
};

/** A client invited to `folder` of the owner's storage (made with `fill`), their page ready to time launches. */
export async function invitedClient(
  browser: Browser,
  server: TestServer,
  o: { folder: string; name: string; email: string; access?: 'view' | 'edit' },
  fill: (dir: string) => void,
): Promise<Page> {
  const { inviteClient } = (await import(SHARED_LIB)) as SharedLib;
  const dir = path.join(ownerRoot(server.config.storage.dir, server.owner.me.id), o.folder);
  fs.mkdirSync(dir, { recursive: true });
  fill(dir);
  const { client } = await inviteClient(browser, server, o);
  await client.page.addInitScript(UI_FRAME_SCRIPT);
  return client.page;
}

/** The density benchmark's probe: once a warm sandbox is ready, a client opens a read-only share. */
export async function warmShareProbe(browser: Browser, server: TestServer): Promise<() => Promise<ShareLaunch>> {
  const page = await invitedClient(
    browser,
    server,
    { folder: 'Shared', name: 'Vera', email: 'vera@example.test' },
    (d) => sampleFiles(d),
  );
  return async () => {
    await warmReady(server, 'share');
    return openShare(server, page);
  };
}

/**
 * The owner opening their own files: the File Explorer launched from the app list in Chromium
 * (the owner's cookie), click → first UI frame, and whether it took the warm sandbox kept for
 * an owner's files; the session is ended again.
 */
export async function ownerLauncher(browser: Browser, s: TestServer): Promise<() => Promise<ShareLaunch>> {
  // The page's own script reads frames (UI_FRAME_SCRIPT): only this measuring browser bypasses the CSP.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  await addSessionCookie(context, s.owner, s.publicUrl());
  await context.addInitScript(INIT_SCRIPT);
  await context.addInitScript(UI_FRAME_SCRIPT);
  return async () => {
    const page = await context.newPage();
    const warmPids = warmSandboxPids(s);
    let id = '';
    const clickedAt = await launchFromAppList(
      page,
      { origin: s.publicUrl(), codec: 'h264', appId: EXPLORER_APP_ID },
      (x) => (id = x),
    );
    const { launch, pids } = await timed(s, page, id, clickedAt, warmPids);
    await api(s.owner, 'DELETE', `/api/sessions/${id}`);
    await waitFor('the session’s processes gone', () => pids.every((p) => !isAlive(p)), 30_000);
    await page.close();
    return launch;
  };
}
