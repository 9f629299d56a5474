import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { isAlive, sessionProcesses, waitFor } from '../../server/test/helpers.ts';
import { INIT_SCRIPT, VIEWER_STATE } from './page-scripts.ts';

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
    await launchFromAppList(page, o, (id) => (viewer.sessionId = id));
    await page.waitForFunction('window.__bench.firstFrameWall !== null', null, { timeout: 10_000 });
    return viewer;
  } catch (err) {
    await close(viewer);
    throw err;
  }
}

/** The server's answer to a Launch click other than 201 Created (e.g. a limit reached). */
export class LaunchRefused extends Error {
  readonly status: number;
  constructor(status: number, body: string) {
    super(`launch refused: ${status} ${body}`);
    this.status = status;
  }
}

/**
 * On a signed-in page with the bench's INIT_SCRIPT: opens the app list with `?codec=`, clicks
 * Launch for `appId` and waits until the viewer streams. `onSession` hears the session's id as
 * soon as the page knows it (so a caller can end it even if streaming then fails). Resolves to
 * Date.now() just before the click; throws LaunchRefused when the server refused the launch.
 */
export async function launchFromAppList(
  page: Page,
  o: { origin: string; codec: string; appId: string },
  onSession: (id: string) => void = () => {},
): Promise<number> {
  await page.goto(`${o.origin}/apps?codec=${o.codec}`);
  const launch = page.getByTestId(`launch-${o.appId}`);
  await launch.waitFor();
  const answer = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/sessions',
  );
  const clickedAt = Date.now();
  await launch.click();
  const res = await answer;
  if (res.status() !== 201) throw new LaunchRefused(res.status(), await res.text().catch(() => ''));
  onSession(((await res.json()) as { id: string }).id);
  await page.waitForURL(/\/session\//);
  await page.waitForFunction(
    `window.__vitrine && ['streaming', 'failed', 'error', 'ended'].includes(window.__vitrine.state)`,
    null,
    { timeout: 30_000 },
  );
  const state = (await page.evaluate(VIEWER_STATE)) as string;
  if (state !== 'streaming') throw new Error(`viewer ended in state "${state}" instead of streaming`);
  return clickedAt;
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
