import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AuditEvent, AuditPage } from '@vitrine/protocol';
import { launchChromium, waitForStreaming } from './lib/browser.ts';
import { registerInBrowser, setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { clickDisplay, focusViewer, pressAndSettle } from './lib/remote-screen.ts';
import { writeColourPdf, writeSolidPng } from './lib/sample-files.ts';
import { api, createShare, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { startTestPostgres, type TestPostgres } from '../server/test/postgres.ts';
import { shootOnFailure } from './lib/screenshots.ts';

/** Successful reads: recorded (and checked elsewhere), but how many a page makes is the UI's business. */
const QUERIES = new Set([
  'auth.whoami',
  'app.list',
  'server.status',
  'share.list',
  'share.get',
  'share.received',
  'session.list',
  'session.get',
  'file.list',
  'file.usage',
  'trash.list',
  'passkey.list',
  'sign-in.list',
  'audit.query',
  'audit.people',
]);

/** One line per event: who (by name), what, on what, how it went. */
function describeEvent(e: AuditEvent, names: Map<string, string>): string {
  const who = e.actor.id ? (names.get(e.actor.id) ?? e.actor.role) : e.actor.role;
  const what = e.action === 'app.claim' ? `app.claim ${String(e.detail.kind)}` : e.action;
  const on = e.target.path ?? '';
  return `${who} ${what}${on ? ` ${on}` : ''} → ${e.outcome}${e.reason ? ` (${e.reason})` : ''}`;
}

describe.each(['pglite', 'postgres'] as const)('audit trail end to end on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let server: TestServer;
  let browser: Browser;
  let owner: BrowserUser;
  let tmp: string;

  beforeAll(async () => {
    if (kind === 'postgres') pg = startTestPostgres();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-audit-'));
    server = await startTestServer(pg ? { DATABASE_URL: pg.url } : {}, { registerOwner: false });
    browser = await launchChromium();
    owner = await setupAdminInBrowser(browser, server);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a share, a client session viewing two files, a refusal and a revocation are on record, in order, and on the Audit page', async () => {
    // The owner uploads two files and shares their folder, view only.
    const upload = async (name: string, file: string) => {
      const res = await fetch(`${server.url}/api/files/content?path=${encodeURIComponent(`Reports/${name}`)}`, {
        method: 'PUT',
        headers: { cookie: owner.api.cookie, 'content-type': 'application/octet-stream' },
        body: fs.readFileSync(file),
      });
      expect(res.status).toBe(201);
    };
    expect((await api(owner.api, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
    writeColourPdf(path.join(tmp, 'q3.pdf'), 2);
    writeSolidPng(path.join(tmp, 'photo.png'), 0x00c850);
    await upload('q3.pdf', path.join(tmp, 'q3.pdf'));
    await upload('photo.png', path.join(tmp, 'photo.png'));
    const { share, invitation } = await createShare(owner.api, {
      clientEmail: 'cleo@example.test',
      label: 'Quarterly',
      paths: [{ path: 'Reports', access: 'view' }],
    });

    // The client accepts with a new passkey, signs out and signs in again.
    const client = await registerInBrowser(browser, invitation.link, { displayName: 'Cleo' }, { apiUrl: server.url });
    const page: Page = client.page;
    shootOnFailure(page, 'audit');
    await page.getByTestId('signout-button').click();
    await page.getByTestId('signin-button').click();
    await page.getByTestId('me-name').waitFor();
    const cookie = (await client.context.cookies()).find((c) => c.name === 'vitrine_session')!;
    const clientApi = { url: server.url, cookie: `${cookie.name}=${cookie.value}` };
    const clientId = (await api<{ id: string }>(clientApi, 'GET', '/api/auth/me')).body.id;

    // Opens the share and views two files in the File Explorer, through the stream.
    await page.goto(`${server.publicUrl()}/shared`);
    await page.locator(`[data-testid="received-share"][data-share-id="${share.id}"]`).getByTestId('share-open').click();
    await page.waitForURL(/\/session\//);
    await waitForStreaming(page);
    const sessionId = await page.evaluate(() => (window as any).__vitrine.sessionId as string);
    const claimed = (what: string, p: string, kindOf = 'file-opened') =>
      waitFor(what, () => server.sessions.claimsOf(sessionId).find((c) => c.kind === kindOf && c.path === p), 15_000);
    await claimed('top level listed', '/files', 'folder-opened');
    await focusViewer(page);
    await clickDisplay(page, 1200, 690);
    await page.keyboard.press('Enter');
    await claimed('Reports listed', '/files/Reports', 'folder-opened');
    // Sorted by name: photo.png is selected first, q3.pdf is next. The picture must show the image
    // before Escape: the claim can arrive before the frame that shows it, and Escape pressed then
    // would close the image with no change of picture to wait for.
    await pressAndSettle(page, 'Enter');
    await claimed('photo.png opened', '/files/Reports/photo.png');
    await pressAndSettle(page, 'Escape');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await claimed('q3.pdf opened', '/files/Reports/q3.pdf');
    // Tries to download a file outside the stream: refused.
    const refused = await page.evaluate(() => fetch('/api/files/content?path=Reports%2Fq3.pdf').then((r) => r.status));
    expect(refused).toBe(403);
    // Leaves the viewer (the peer disconnects); the owner revokes the share.
    await page.goto(`${server.publicUrl()}/shared`);
    await waitFor(
      'the peer gone',
      async () => (await api<{ state: string }>(clientApi, 'GET', `/api/sessions/${sessionId}`)).body.state === 'ready',
    );
    expect((await api(owner.api, 'POST', `/api/shares/${share.id}/revoke`)).status).toBe(200);
    await waitFor(
      'the session ended',
      async () => (await api<{ state: string }>(clientApi, 'GET', `/api/sessions/${sessionId}`)).body.state === 'ended',
    );
    await server.audit.flush();

    // Exactly this, in this order, in the owner's part of the trail.
    const trail = (await api<AuditPage>(owner.api, 'GET', '/api/audit?order=asc&limit=500')).body.events;
    const idOf = async (u: BrowserUser) => (await api<{ id: string }>(u.api, 'GET', '/api/auth/me')).body.id;
    const names = new Map([
      [await idOf(owner), 'Ada'],
      [clientId, 'Cleo'],
    ]);
    const seen = trail
      .filter((e) => !(QUERIES.has(e.action) && e.outcome === 'ok'))
      .filter((e) => e.action !== 'app.claim' || e.detail.kind === 'file-opened')
      // Leaving the page hides it first: whether that "away" reaches the server before the socket
      // closes is a race (reading time: reading-insights.e2e.test.ts, reading-report.integration).
      .filter((e) => e.action !== 'session.attention')
      .map((e) => describeEvent(e, names));
    // The revocation ends the session while its request is under way: the end goes on the trail
    // once the session's record says so, the revocation once its request is done; which comes
    // first is not defined (with PostgreSQL either happens), so the last two are compared as a set.
    const [revokeAndEnd, rest] = [seen.slice(-2).sort(), seen.slice(0, -2)];
    expect(revokeAndEnd).toEqual(['Ada share.revoke → ok', 'Cleo session.ended → ok (share revoked)']);
    expect(rest).toEqual([
      'Ada auth.register ada@example.test → ok',
      'Ada file.create-folder Reports → ok',
      'Ada file.upload Reports/q3.pdf → ok',
      'Ada file.upload Reports/photo.png → ok',
      'Ada share.create Quarterly → ok',
      'Cleo auth.register cleo@example.test → ok',
      'Cleo auth.sign-out → ok',
      'Cleo auth.sign-in → ok',
      'Cleo session.launch → ok',
      'Cleo session.connect → ok',
      'Cleo session.peer-connected → ok',
      'Cleo app.claim file-opened Reports/photo.png → ok',
      'Cleo app.claim file-opened Reports/q3.pdf → ok',
      'Cleo file.download Reports/q3.pdf → denied (forbidden)',
      'Cleo session.peer-disconnected → ok',
    ]);
    // The launch carries the resolved sandbox policy; the end its duration and what was sent.
    const launch = trail.find((e) => e.action === 'session.launch')!;
    expect(launch).toMatchObject({ sessionId, shareId: share.id, ip: '127.0.0.1' });
    expect(launch.detail.policy).toMatchObject({
      files: [{ path: '/files/Reports', access: 'read' }],
      network: 'loopback only',
    });
    const ended = trail.find((e) => e.action === 'session.ended')!;
    expect(ended.detail.durationMs).toBeGreaterThan(0);
    expect(ended.detail.framesSent).toBeGreaterThan(0);
    expect(ended.detail.bytesSent).toBeGreaterThan(0);
    expect(ended.correlationId).toBe(launch.correlationId);

    // The owner's Audit page opens on the client's activity, in words: the session, the files it
    // opened, the refused download, why the session ended; none of the owner's own page loads.
    const op = owner.page;
    await op.getByTestId('nav-audit').click();
    const activity = op.getByRole('table', { name: 'Client activity' });
    const activityRow = (action: string) => activity.locator(`[data-testid="activity-row"][data-action="${action}"]`);
    await activityRow('session.ended').waitFor();
    await expect(activityRow('session.ended').getByTestId('activity-what').innerText()).resolves.toBe(
      'Session ended: the share was revoked',
    );
    await expect(activityRow('session.ended').innerText()).resolves.toContain('Cleo');
    await expect(activityRow('session.ended').getByTestId('activity-share').innerText()).resolves.toBe('Quarterly');
    await expect(activityRow('session.launch').getByTestId('activity-what').innerText()).resolves.toBe(
      'Opened the share',
    );
    const opened = await activityRow('app.claim').getByTestId('activity-what').allInnerTexts();
    expect(opened).toEqual(expect.arrayContaining(['Opened q3.pdf', 'Opened photo.png']));
    const refusedRow = activity.locator('[data-testid="activity-row"][data-outcome="denied"]');
    await expect(refusedRow.count()).resolves.toBe(1);
    await expect(refusedRow.getByTestId('activity-what').innerText()).resolves.toBe('Tried to download q3.pdf');
    for (const action of ['auth.whoami', 'share.list', 'share.create', 'file.upload', 'audit.query']) {
      await expect(activityRow(action).count(), action).resolves.toBe(0);
    }
    // No action codes on screen.
    expect(await activity.innerText()).not.toMatch(/\b(app\.claim|auth\.whoami|session\.ended|share\.list)\b/);
    // Nothing wider than the window at 1280 px.
    await op.setViewportSize({ width: 1280, height: 800 });
    expect(await op.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    // The full trail is one click away: every event, the owner's own reads included.
    await op.getByTestId('audit-view-all').click();
    await op.waitForURL(/view=all/);
    await op.locator('[data-testid="audit-row"][data-action="session.launch"]').first().waitFor();
    // The page fills as its events arrive: wait for each kind rather than count at once (seen empty under load).
    for (const action of ['auth.whoami', 'share.list']) {
      await op.locator(`[data-testid="audit-row"][data-action="${action}"]`).first().waitFor({ timeout: 10_000 });
    }
    expect(await op.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expect(
      op.locator('[data-testid="audit-row"][data-action="file.download"][data-outcome="denied"]').count(),
    ).resolves.toBe(1);
    const [download] = await Promise.all([op.waitForEvent('download'), op.getByTestId('audit-export-csv').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    for (const line of ['share.create', 'session.launch', 'Reports/q3.pdf', 'Reports/photo.png', 'share revoked']) {
      expect(csv).toContain(line);
    }
    expect(csv.split('\r\n')[0]).toMatch(/^seq,time,actor_id/);
    await op
      .locator('[data-testid="audit-row"][data-action="session.launch"]')
      .first()
      .getByTestId('audit-timeline-open')
      .click();
    const timeline = op.getByTestId('audit-timeline');
    // The dialog opens at once; its rows come when the session's events are loaded.
    await timeline.getByTestId('audit-timeline-row').first().waitFor();
    const steps = await timeline
      .getByTestId('audit-timeline-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(steps[0]).toBe('session.launch');
    // (This test's own status polls are in the timeline too.)
    expect(steps.filter((s) => s !== 'session.get').at(-1)).toBe('session.ended');
    expect(steps.filter((s) => s === 'app.claim').length).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
