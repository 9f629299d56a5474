import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { isAlive, sessionProcesses, waitFor } from '../../server/test/helpers.ts';
import { INIT_SCRIPT, SESSION_ID, VIEWER_STATE } from './page-scripts.ts';

/** One measuring viewer of a lab server (bench/network.ts, bench/sharpness.ts). */
export interface LabViewer {
  context: BrowserContext;
  page: Page;
  sessionId: string | null;
}

export interface LabViewerOptions {
  origin: string;
  /** The signed-in owner's session cookie. */
  cookie: Cookie;
  codec: string;
  appId: string;
  viewport: { width: number; height: number };
  /** A probe injected besides the bench's own (INIT_SCRIPT). */
  initScript?: string | undefined;
}

/** Opens the app list with `?codec=`, launches the app and waits until the viewer streams. */
export async function openLabViewer(browser: Browser, o: LabViewerOptions, close: (v: LabViewer) => Promise<void>) {
  // The probes are scripts injected as strings; the page's CSP rightly forbids that, so this
  // measuring browser alone bypasses it (as bench/run.ts does).
  const context = await browser.newContext({ viewport: o.viewport, bypassCSP: true });
  const viewer: LabViewer = { context, page: await context.newPage(), sessionId: null };
  try {
    await context.addCookies([{ ...o.cookie }]);
    const { page } = viewer;
    await page.addInitScript(INIT_SCRIPT);
    if (o.initScript) await page.addInitScript(o.initScript);
    await page.goto(`${o.origin}/apps?codec=${o.codec}`);
    await page.getByTestId(`launch-${o.appId}`).click();
    await page.waitForURL(/\/session\//);
    await page.waitForFunction(
      `window.__vitrine && ['streaming', 'failed', 'error', 'ended'].includes(window.__vitrine.state)`,
      null,
      { timeout: 30_000 },
    );
    viewer.sessionId = (await page.evaluate(SESSION_ID)) as string | null;
    const state = (await page.evaluate(VIEWER_STATE)) as string;
    if (state !== 'streaming') throw new Error(`viewer ended in state "${state}" instead of streaming`);
    await page.waitForFunction('window.__bench.firstFrameWall !== null', null, { timeout: 10_000 });
    return viewer;
  } catch (err) {
    await close(viewer);
    throw err;
  }
}

/** Ends the viewer's session and waits until its processes are gone (warns, does not throw). */
export async function closeLabViewer(
  { context, page, sessionId }: LabViewer,
  runtimeDir: string,
  log: (msg: string) => void,
): Promise<void> {
  if (sessionId) {
    const procs = sessionProcesses(runtimeDir, sessionId);
    await page
      .getByTestId('end-session')
      .click({ timeout: 5000 })
      .catch(() => {});
    await waitFor('session processes to exit', () => procs.every((x) => !isAlive(x.pid)), 15_000).catch((e: Error) =>
      log(`warning: ${e.message}`),
    );
  }
  await context.close().catch(() => {});
}
