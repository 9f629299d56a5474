import type { Browser, Page } from 'playwright-core';
import type { CreatedShare } from '@vitrine/protocol';
import type { AppClaim } from '../../server/src/control/ports.ts';
import { createShare, waitFor, type TestServer } from '../../server/test/helpers.ts';
import type { Target } from '../../server/test/auth-client.ts';
import { waitForStreaming } from './browser.ts';
import { registerInBrowser, type BrowserUser } from './passkeys.ts';
import { focusViewer } from './remote-screen.ts';

/**
 * A client of one folder of the owner's storage: the owner shares it (for an hour), the client
 * accepts the invitation and registers a passkey in a fresh browser context.
 */
export async function inviteClient(
  browser: Browser,
  server: TestServer,
  opts: {
    folder: string;
    name: string;
    email: string;
    access?: 'view' | 'edit';
    viewport?: { width: number; height: number };
    owner?: Target;
  },
): Promise<{ client: BrowserUser; share: CreatedShare }> {
  const share = await createShare(opts.owner ?? server.owner, {
    clientEmail: opts.email,
    label: opts.folder,
    paths: [{ path: opts.folder, access: opts.access ?? 'view' }],
  });
  const client = await registerInBrowser(
    browser,
    share.invitation.link,
    { displayName: opts.name },
    { apiUrl: server.url, viewport: opts.viewport ?? { width: 1440, height: 900 } },
  );
  return { client, share };
}

/** A client's streamed File Explorer session and what its app has reported. */
export interface SharedSession {
  sessionId: string;
  claims(): AppClaim[];
  /** The first claim matching, waited for. */
  claimed(what: string, match: (c: AppClaim) => boolean, timeoutMs?: number): Promise<AppClaim>;
}

/**
 * The client opens their (first) share from "Shared with me" and waits until the File Explorer
 * streams, has listed `/files/<folder>`, the viewer's "Opening…" cover is gone, and the keyboard
 * goes to the remote screen.
 */
export async function openShare(server: TestServer, page: Page, folder: string): Promise<SharedSession> {
  await page.goto(`${server.publicUrl()}/shared`);
  await page.getByTestId('share-open').first().click();
  await page.waitForURL(/\/session\//);
  await waitForStreaming(page);
  const sessionId = await page.evaluate(() => (window as any).__vitrine.sessionId as string);
  const claims = () => server.sessions.claimsOf(sessionId);
  const claimed = (what: string, match: (c: AppClaim) => boolean, timeoutMs = 10_000) =>
    waitFor(what, () => claims().find(match), timeoutMs);
  await claimed('the shared folder listed', (c) => c.kind === 'folder-opened' && c.path === `/files/${folder}`, 30_000);
  await page.getByTestId('viewer-progress').waitFor({ state: 'detached', timeout: 30_000 });
  await focusViewer(page);
  return { sessionId, claims, claimed };
}
