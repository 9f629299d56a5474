import type { Browser } from 'playwright-core';
import { createAppsRoot } from '../../bench/lib/apps-root.ts';
import { startTestServer, type TestServer } from '../../server/test/helpers.ts';
import { launchChromium } from './browser.ts';
import { setupAdminInBrowser, type BrowserUser } from './passkeys.ts';

/** A server whose one app is the diagnostics app, a Chromium, and its first owner signed in there. */
export interface DiagnosticsLab {
  server: TestServer;
  browser: Browser;
  owner: BrowserUser;
  close(): Promise<void>;
}

/**
 * The lightest app that streams (a share opens in it when the File Explorer is not installed),
 * for tests about what happens around a session rather than inside the app.
 */
export async function openDiagnosticsLab(
  env: Record<string, string>,
  ownerViewport: { width: number; height: number },
): Promise<DiagnosticsLab> {
  const apps = createAppsRoot([], [{ id: 'diagnostics', from: 'diagnostics' }]);
  const server = await startTestServer({ APPS_ROOT: apps.root, ...env }, { registerOwner: false });
  const browser = await launchChromium();
  const owner = await setupAdminInBrowser(browser, server, ownerViewport);
  return {
    server,
    browser,
    owner,
    close: async () => {
      await browser.close();
      await server.close();
      apps.remove();
    },
  };
}
