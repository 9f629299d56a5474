import type { Browser } from 'playwright-core';
import { createAppsRoot } from '../../bench/lib/apps-root.ts';
import { api, createShare, startTestServer, type TestServer } from '../../server/test/helpers.ts';
import { launchChromium, waitForStreaming } from './browser.ts';
import { registerInBrowser, setupAdminInBrowser, type BrowserUser } from './passkeys.ts';

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

/**
 * A recorded share of a new folder `Deal` for Cleo Client, who registers in her own browser
 * context, opens it from "Shared with me", is told it is recorded, goes on, and streams.
 */
export async function openRecordedShare(
  lab: DiagnosticsLab,
  opts: { liveView: boolean; viewport: { width: number; height: number } },
): Promise<{ client: BrowserUser; sessionId: string }> {
  const { server, owner } = lab;
  const folder = await api(owner.api, 'POST', '/api/files/folders', { path: 'Deal' });
  if (folder.status !== 201) throw new Error(`making the shared folder answered ${folder.status}`);
  const created = await createShare(owner.api, {
    clientEmail: 'cleo@example.test',
    label: 'Deal room',
    paths: [{ path: 'Deal', access: 'view' }],
    apps: ['diagnostics'],
    recording: true,
    liveView: opts.liveView,
  });
  const client = await registerInBrowser(
    lab.browser,
    created.invitation.link,
    { displayName: 'Cleo Client' },
    { apiUrl: server.url, viewport: opts.viewport },
  );
  const page = client.page;
  await page.goto(`${server.publicUrl()}/shared`);
  await page.getByTestId('share-open').click();
  await page.getByTestId('recording-notice').waitFor();
  await page.getByTestId('recording-continue').click();
  await waitForStreaming(page, 30_000);
  return { client, sessionId: /\/session\/([^/?]+)/.exec(page.url())![1]! };
}
