import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isClientActivity,
  type AuditEvent,
  type AuditPage,
  type CreatedShare,
  type SessionInfo,
} from '@vitrine/protocol';
import { call, register, type TestUser } from '../auth-client.ts';
import { api, createShare, idleAppsRoot, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';

/**
 * The Audit page's default view (`view=client-activity`): what clients did with an owner's
 * shares, filtered by the server so that pages stay full; the owner's own reads are left out.
 */
describe.each(['pglite', 'postgres'] as const)('client activity on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  let client: TestUser;
  let share: CreatedShare;
  let appsRoot: string;

  /** Every event of a query, page by page (`limit` a page), and how many pages it took. */
  const allPages = async (query: string, limit: number) => {
    await server.audit.flush();
    const events: AuditEvent[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: AuditPage } = await api<AuditPage>(
        owner,
        'GET',
        `/api/audit?${query}&limit=${limit}${before ? `&before=${before}` : ''}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.events.length).toBeLessThanOrEqual(limit);
      events.push(...res.body.events);
      before = res.body.nextBefore;
      pages++;
    } while (before !== null && pages < 100);
    return { events, pages };
  };

  const launch = async (by: TestUser, body: Record<string, unknown>) => {
    const res = await call<SessionInfo>(by, 'POST', '/api/sessions', { appId: 'idle', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };
  const ended = (sessionId: string) =>
    waitFor(`session ${sessionId} ended on record`, async () => {
      await server.audit.flush();
      const r = await api<AuditPage>(owner, 'GET', `/api/audit?session=${sessionId}&action=session.ended`);
      return r.body.events[0];
    });

  beforeAll(async () => {
    if (kind === 'postgres') pg = startTestPostgres();
    appsRoot = idleAppsRoot();
    server = await startTestServer({ APPS_ROOT: appsRoot, ...(pg ? { DATABASE_URL: pg.url } : {}) });
    owner = server.owner;
    expect((await api(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
    share = await createShare(owner, {
      clientEmail: 'cleo@example.test',
      label: 'Quarterly',
      paths: [{ path: 'Reports', access: 'view' }],
      apps: ['idle'],
    });
    client = await register(server.url, server.publicUrl(), share.invitation.link, { displayName: 'Cleo' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
    fs.rmSync(appsRoot, { recursive: true, force: true });
  });

  it('shows what the client did, with why each session ended, and none of the owner’s own actions, page by page', async () => {
    // The owner's page loads: many reads, none of them client activity.
    for (let i = 0; i < 3; i++) {
      for (const url of ['/api/auth/me', '/api/shares', '/api/files', `/api/shares/${share.share.id}`]) {
        expect((await api(owner, 'GET', url)).status).toBe(200);
      }
    }
    // The owner's own session, on their own files: not a client's.
    const own = await launch(owner, {});
    expect((await call(owner, 'DELETE', `/api/sessions/${own}`)).status).toBe(204);
    await ended(own);

    // The client opens the share and ends the session; the app reports a file opened meanwhile.
    const first = await launch(client, { shareId: share.share.id });
    server.audit.note({
      actor: { id: client.me.id, role: 'client' },
      action: 'app.claim',
      target: { type: 'file', path: 'Reports/q3.pdf' },
      outcome: 'ok',
      ownerId: owner.me.id,
      shareId: share.share.id,
      sessionId: first,
      detail: { kind: 'file-opened' },
    });
    expect((await call(client, 'DELETE', `/api/sessions/${first}`)).status).toBe(204);
    expect(await ended(first)).toMatchObject({ reason: 'user ended', actor: { id: client.me.id, role: 'client' } });
    // The client's own reads are not activity either; a refused download is.
    expect((await api(client, 'GET', '/api/auth/me')).status).toBe(200);
    expect((await call(client, 'GET', '/api/files/content?path=Reports%2Fq3.pdf')).status).toBe(403);
    // A second session, ended by the owner revoking the share.
    const second = await launch(client, { shareId: share.share.id });
    expect((await api(owner, 'POST', `/api/shares/${share.share.id}/revoke`)).status).toBe(200);
    expect(await ended(second)).toMatchObject({ reason: 'share revoked' });
    for (let i = 0; i < 3; i++) expect((await api(owner, 'GET', '/api/shares')).status).toBe(200);

    const full = await allPages('view=all', 500);
    const activity = await allPages('view=client-activity', 2);

    // Exactly the full trail's client activity, newest first, over several full pages.
    expect(activity.events.map((e) => e.seq)).toEqual(full.events.filter(isClientActivity).map((e) => e.seq));
    expect(activity.pages).toBeGreaterThan(2);
    expect(activity.events.length).toBeLessThan(full.events.length / 3);
    const seqs = activity.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(seqs.length);

    // What the owner reads there, oldest first.
    const seen = [...activity.events]
      .reverse()
      .map(
        (e) =>
          `${e.actor.role} ${e.action}${e.reason ? ` (${e.reason})` : ''}${e.target.path ? ` ${e.target.path}` : ''}`,
      );
    expect(seen).toEqual([
      'client auth.register cleo@example.test',
      'client session.launch',
      'client app.claim Reports/q3.pdf',
      'client session.ended (user ended)',
      'client file.download (forbidden) Reports/q3.pdf',
      'client session.launch',
      'client session.ended (share revoked)',
    ]);
    // None of the owner's own actions (nor the client's reads); all of those are in the full trail.
    expect(activity.events.some((e) => e.actor.id === owner.me.id)).toBe(false);
    for (const action of ['auth.whoami', 'share.list', 'share.get', 'file.list', 'audit.query', 'share.revoke']) {
      expect(
        activity.events.some((e) => e.action === action),
        action,
      ).toBe(false);
      expect(
        full.events.some((e) => e.action === action),
        action,
      ).toBe(true);
    }
    expect(full.events.some((e) => e.sessionId === own && e.action === 'session.ended')).toBe(true);
    expect(activity.events.some((e) => e.sessionId === own)).toBe(false);
    expect(full.events.some((e) => e.actor.id === client.me.id && e.action === 'auth.whoami')).toBe(true);

    // The view combines with the other filters, and the export takes it too.
    const byShare = await allPages(`view=client-activity&share=${share.share.id}`, 50);
    expect(byShare.events.map((e) => e.seq)).toEqual(
      seqs.filter((s) => activity.events.find((e) => e.seq === s)!.shareId === share.share.id),
    );
    const refused = await allPages('view=client-activity&outcome=denied', 50);
    expect(refused.events.map((e) => e.action)).toEqual(['file.download']);
    const csv = await call<string>(owner, 'GET', '/api/audit/export?format=csv&view=client-activity');
    expect(csv.status).toBe(200);
    expect(csv.body.trim().split('\r\n')).toHaveLength(1 + activity.events.length);
    expect((await api(owner, 'GET', '/api/audit?view=everything')).status).toBe(400);
  }, 120_000);
});
