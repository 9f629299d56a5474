/**
 * A share's life after "create": its invitation never outliving it, archiving shares that are
 * over, sharing again, and what the owner is told when the client already has an account. On
 * PGlite and on PostgreSQL (the archive column is a migration of its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, CreatedShare, InvitationLink, Share } from '@vitrine/protocol';
import { call, register, tokenOf, type TestUser } from '../auth-client.ts';
import { startTestServer, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

describe.each(['pglite', 'postgres'] as const)('share lifecycle on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  let otherOwner: TestUser;

  const create = async (body: Record<string, unknown>, by = owner) => {
    const res = await call<CreatedShare>(by, 'POST', '/api/shares', { expiresAt: at(HOUR), ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const inspect = (link: string) =>
    call<{ expiresAt: string; error?: string }>(server.url, 'POST', '/api/invitations/inspect', {
      token: tokenOf(link),
    });
  const list = async (query = '') => (await call<Share[]>(owner, 'GET', `/api/shares${query}`)).body;
  const trail = async (action: string) => {
    await server.audit.flush();
    return (await call<AuditPage>(owner, 'GET', `/api/audit?scope=server&action=${action}`)).body.events;
  };

  beforeAll(async () => {
    if (kind === 'postgres') pg = startTestPostgres();
    server = await startTestServer(pg ? { DATABASE_URL: pg.url } : {});
    owner = server.owner;
    const invite = await call<InvitationLink>(owner, 'POST', '/api/admin/invitations', { email: 'otto@example.test' });
    otherOwner = await register(server.url, server.publicUrl(), invite.body.link, { displayName: 'Otto' });
    expect((await call(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
    expect((await call(owner, 'POST', '/api/files/folders', { path: 'Inbox' })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
  });

  it('an invitation never expires after its share: clamped at creation and when the expiry is shortened', async () => {
    // INVITATION_TTL is 7 days; the share ends in an hour, and so does its invitation.
    const shareEnds = at(HOUR);
    const created = await create({
      clientEmail: 'ivy@example.test',
      paths: [{ path: 'Reports', access: 'view' }],
      expiresAt: shareEnds,
    });
    expect(created.invitation.expiresAt).toBe(new Date(shareEnds).toISOString());
    // Without SMTP_URL nothing is mailed, and the server says so.
    expect(created.invitation.canEmail).toBe(false);
    const mail = await call<{ error: string }>(owner, 'POST', `/api/shares/${created.share.id}/invitation/send`, {
      token: tokenOf(created.invitation.link),
    });
    expect([mail.status, mail.body.error]).toEqual([503, 'mail-not-configured']);
    // A fresh link for the pending share is clamped the same way.
    const fresh = (await call<InvitationLink>(owner, 'POST', `/api/shares/${created.share.id}/invitation`)).body;
    expect(Date.parse(fresh.expiresAt)).toBeLessThanOrEqual(Date.parse(shareEnds));
    expect((await inspect(created.invitation.link)).status).toBe(404); // replaced

    // Shortened: the open invitation follows. Lengthened again: it does not grow back.
    const sooner = at(2_000);
    expect((await call(owner, 'PATCH', `/api/shares/${created.share.id}`, { expiresAt: sooner })).status).toBe(200);
    expect((await inspect(fresh.link)).body.expiresAt).toBe(new Date(sooner).toISOString());
    await new Promise((r) => setTimeout(r, 2_200));
    const late = await inspect(fresh.link);
    expect(late.status).toBe(410);
    expect(late.body.error).toBe('invitation-expired');
    expect(
      (await call(owner, 'PATCH', `/api/shares/${created.share.id}`, { expiresAt: at(30 * 24 * HOUR) })).status,
    ).toBe(200);
    expect((await inspect(fresh.link)).status).toBe(410);
  });

  it('archives shares that are over: hidden from the default list, shown on request, recorded', async () => {
    const revoked = await create({
      clientEmail: 'rex@example.test',
      label: 'Revoked one',
      paths: [{ path: 'Reports', access: 'view' }],
    });
    const live = await create({
      clientEmail: 'liv@example.test',
      label: 'Live one',
      paths: [{ path: 'Inbox', access: 'edit' }],
    });
    const expired = await create({
      clientEmail: 'exa@example.test',
      label: 'Expired one',
      paths: [{ path: 'Inbox', access: 'view' }],
    });
    await server.db
      .updateTable('shares')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expired.share.id)
      .execute();
    expect((await call(owner, 'POST', `/api/shares/${revoked.share.id}/revoke`)).status).toBe(200);

    // A live share cannot be archived (revoke it first); nor can someone else's be touched.
    const refused = await call<{ error: string }>(owner, 'POST', `/api/shares/${live.share.id}/archive`);
    expect([refused.status, refused.body.error]).toEqual([409, 'share-not-over']);
    expect((await call(otherOwner, 'POST', `/api/shares/${revoked.share.id}/archive`)).status).toBe(404);

    for (const s of [revoked, expired]) {
      const res = await call<Share>(owner, 'POST', `/api/shares/${s.share.id}/archive`);
      expect(res.status).toBe(200);
      expect(res.body.archivedAt).not.toBeNull();
    }
    const ids = (shares: Share[]) => shares.map((s) => s.id);
    expect(ids(await list())).toContain(live.share.id);
    expect(ids(await list())).not.toContain(revoked.share.id);
    expect(ids(await list())).not.toContain(expired.share.id);
    const all = await list('?archived=include');
    expect(ids(all)).toEqual(expect.arrayContaining([live.share.id, revoked.share.id, expired.share.id]));
    expect(all.find((s) => s.id === revoked.share.id)).toMatchObject({
      status: 'revoked',
      archivedAt: expect.any(String),
    });

    // Back in the list; and an expired share given a new expiry comes back by itself.
    expect((await call<Share>(owner, 'POST', `/api/shares/${revoked.share.id}/unarchive`)).body.archivedAt).toBeNull();
    expect(ids(await list())).toContain(revoked.share.id);
    const revived = await call<Share>(owner, 'PATCH', `/api/shares/${expired.share.id}`, { expiresAt: at(HOUR) });
    expect(revived.body).toMatchObject({ status: 'pending', archivedAt: null });

    const archived = await trail('share.archive');
    expect(archived.filter((e) => e.outcome === 'ok').map((e) => e.target.id)).toEqual(
      expect.arrayContaining([revoked.share.id, expired.share.id]),
    );
    // The refusal is on record too.
    expect(archived.some((e) => e.target.id === live.share.id && e.reason === 'share-not-over')).toBe(true);
    expect((await trail('share.unarchive')).map((e) => e.target.id)).toContain(revoked.share.id);
  });

  it('shares again: a new share for the same client, paths and settings, with a new invitation', async () => {
    const first = await create({
      clientEmail: 'sam@example.test',
      label: 'Quarterly',
      paths: [
        { path: 'Reports', access: 'view' },
        { path: 'Inbox', access: 'delete' },
      ],
      maxSessionMinutes: 45,
      watermark: false,
    });
    const client = await register(server.url, server.publicUrl(), first.invitation.link, { displayName: 'Sam' });
    expect((await call(owner, 'POST', `/api/shares/${first.share.id}/revoke`)).status).toBe(200);

    // The dialog prefills from the old share; the owner keeps the client, may change the rest.
    const { clientEmail, label, paths, maxSessionMinutes, watermark } = first.share;
    const again = await create({ clientEmail, label, paths, maxSessionMinutes, watermark, againOf: first.share.id });
    expect(again.share.id).not.toBe(first.share.id);
    expect(again.share).toMatchObject({ clientEmail, label, paths, maxSessionMinutes, watermark, status: 'pending' });
    expect(again.invitation.link).not.toBe(first.invitation.link);
    // Sam already has an account: the dialog says so (sign in, open the link; no sign-up).
    expect(again.existingAccount).toBe('client');
    expect(
      (await call(client, 'POST', '/api/invitations/accept', { token: tokenOf(again.invitation.link) })).status,
    ).toBe(204);
    const received = (await call<Array<{ id: string }>>(client, 'GET', '/api/shared-with-me')).body;
    expect(received.map((s) => s.id)).toEqual([again.share.id]);

    // Another client, or someone else's share, is not "again".
    const otherClient = await call<{ error: string }>(owner, 'POST', '/api/shares', {
      clientEmail: 'someone-else@example.test',
      paths,
      expiresAt: at(HOUR),
      againOf: first.share.id,
    });
    expect(otherClient.status).toBe(400);
    const notMine = await call(otherOwner, 'POST', '/api/shares', {
      clientEmail,
      paths: [{ path: '', access: 'view' }],
      expiresAt: at(HOUR),
      againOf: first.share.id,
    });
    expect(notMine.status).toBe(404);

    const events = await trail('share.share-again');
    const ok = events.filter((e) => e.outcome === 'ok');
    expect(ok).toHaveLength(1);
    expect(ok[0]!.target.id).toBe(again.share.id);
    expect(ok[0]!.detail).toMatchObject({ sharedAgainFrom: first.share.id, client: clientEmail });
  });

  it('tells the owner when the client e-mail already belongs to an account', async () => {
    const fresh = await create({
      clientEmail: 'new-person@example.test',
      paths: [{ path: 'Reports', access: 'view' }],
    });
    expect(fresh.existingAccount).toBeNull();
    const owners = await create({ clientEmail: 'otto@example.test', paths: [{ path: 'Reports', access: 'view' }] });
    expect(owners.existingAccount).toBe('owner');
  });
});
