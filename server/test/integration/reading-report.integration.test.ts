import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, CreatedShare, ReadingReport, SessionInfo } from '@vitrine/protocol';
import { call, register, type TestUser } from '../auth-client.ts';
import { api, createShare, idleAppsRoot, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { WeriftViewer } from '../werift-viewer.ts';

/**
 * A share's reading report through the real server: a real session and viewer (werift), whose tab
 * goes hidden through the signaling socket, the trail in a real database, the owner-only route and
 * its CSV.
 */
describe.each(['pglite', 'postgres'] as const)('reading report on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  let client: TestUser;
  let share: CreatedShare;
  let appsRoot: string;

  const trail = async (sessionId: string, action: string) => {
    await server.audit.flush();
    const r = await api<AuditPage>(owner, 'GET', `/api/audit?session=${sessionId}&action=${action}&order=asc`);
    return r.body.events;
  };
  // The session's app (idle) reports nothing itself: these claims stand for what the File Explorer
  // sends, recorded as its control channel would (its own claims: e2e/reading-insights.e2e.test.ts).
  const claim = (sessionId: string, detail: Record<string, unknown>) =>
    server.audit.note({
      actor: { id: client.me.id, role: 'client' },
      action: 'app.claim',
      target: { type: 'file', path: 'Deal/Contract.pdf' },
      outcome: 'ok',
      ownerId: owner.me.id,
      shareId: share.share.id,
      sessionId,
      detail: { path: '/files/Deal/Contract.pdf', ...detail },
    });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    if (kind === 'postgres') pg = startTestPostgres();
    appsRoot = idleAppsRoot();
    server = await startTestServer({ APPS_ROOT: appsRoot, ...(pg ? { DATABASE_URL: pg.url } : {}) });
    owner = server.owner;
    expect((await api(owner, 'POST', '/api/files/folders', { path: 'Deal' })).status).toBe(201);
    share = await createShare(owner, {
      clientEmail: 'cleo@example.test',
      label: 'Deal room',
      paths: [{ path: 'Deal', access: 'view' }],
      apps: ['idle'],
    });
    client = await register(server.url, server.publicUrl(), share.invitation.link, { displayName: 'Cleo' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
    fs.rmSync(appsRoot, { recursive: true, force: true });
  });

  it('counts a page only while the viewer is there and its tab visible, for the owner only', async () => {
    const launched = await call<SessionInfo>(client, 'POST', '/api/sessions', {
      appId: 'idle',
      shareId: share.share.id,
    });
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    const id = launched.body.id;
    const viewer = new WeriftViewer(client, id);
    await waitFor('the viewer connected on record', async () => (await trail(id, 'session.peer-connected'))[0]);

    claim(id, { kind: 'file-opened', page: 1, pages: 3 });
    await pause(600);
    viewer.send({ type: 'visibility', visible: false });
    const away = await waitFor('away on record', async () => (await trail(id, 'session.attention'))[0]);
    expect(away.detail).toEqual({ present: false, why: 'hidden' });
    await pause(2500); // hidden: not reading
    viewer.send({ type: 'visibility', visible: true });
    await waitFor('back on record', async () => (await trail(id, 'session.attention'))[1]);
    claim(id, { kind: 'page-viewed', page: 2, pages: 3, zoom: 125 });
    await pause(600);
    expect((await call(client, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);
    await waitFor('ended on record', async () => (await trail(id, 'session.ended'))[0]);
    await viewer.close();

    const events = [
      ...(await trail(id, 'app.claim')),
      ...(await trail(id, 'session.attention')),
      ...(await trail(id, 'session.ended')),
    ];
    const at = (action: string, n = 0) => Date.parse(events.filter((e) => e.action === action)[n]!.at);
    // Page 1: opened → hidden; page 2: back (or its claim, whichever came later) → ended.
    const page1 = (at('session.attention', 0) - at('app.claim', 0)) / 1000;
    const page2 = (at('session.ended') - Math.max(at('app.claim', 1), at('session.attention', 1))) / 1000;

    const report = await api<ReadingReport>(owner, 'GET', `/api/shares/${share.share.id}/reading`);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.label).toBe('Deal room');
    expect(report.body.clients).toHaveLength(1);
    const [cleo] = report.body.clients;
    expect(cleo!.person).toMatchObject({ id: client.me.id, name: 'Cleo' });
    expect(cleo!.sessions).toBe(1);
    const doc = cleo!.documents[0]!;
    expect(doc).toMatchObject({ path: 'Deal/Contract.pdf', pages: 3, pagesViewed: 2, opens: 1, zoom: 125 });
    expect(doc.pageTimes[0]!.seconds).toBeCloseTo(page1, 0);
    expect(doc.pageTimes[1]!.seconds).toBeCloseTo(page2, 0);
    // The 2.5 s in a hidden tab are nowhere.
    expect(doc.seconds).toBeLessThan(2.5);

    const csv = await fetch(`${server.url}/api/shares/${share.share.id}/reading.csv`, {
      headers: { cookie: owner.cookie },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^client_name,client_email,document,page,seconds_on_screen/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'Cleo,cleo@example.test,Deal/Contract.pdf,',
      'Cleo,cleo@example.test,Deal/Contract.pdf,1',
      'Cleo,cleo@example.test,Deal/Contract.pdf,2',
    ]);

    // Nobody else reads it: not the client, not on the trail as anything but a refusal.
    expect((await call(client, 'GET', `/api/shares/${share.share.id}/reading`)).status).toBe(403);
    expect((await api(owner, 'GET', '/api/shares/00000000-0000-4000-8000-000000000000/reading')).status).toBe(404);
    await server.audit.flush();
    const reads = await api<AuditPage>(owner, 'GET', `/api/audit?action=share.reading&share=${share.share.id}`);
    expect(reads.body.events.map((e) => [e.actor.role, e.outcome])).toContainEqual(['owner', 'ok']);
  }, 90_000);
});
