import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedShare, InvitationLink, ReceivedShare, SessionInfo, Share } from '@vitrine/protocol';
import { call, register, tokenOf, type TestUser } from '../auth-client.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { WeriftViewer } from '../werift-viewer.ts';
import { ownerRoot } from '../../src/storage/owner-storage.ts';
import { openDetail } from '../../src/audit/sealed-detail.ts';

// An app that reports what its sandbox lets it see and do, into the one folder it may write.
const PROBE = `#!/bin/sh
{
  echo "top: $(ls /files | tr '\\n' ' ')"
  echo "reports: $(ls /files/Reports | tr '\\n' ' ')"
  echo "read: $(cat /files/Reports/q3.txt)"
  (echo x > /files/Reports/new.txt) 2>/dev/null && echo "write-reports: yes" || echo "write-reports: no"
  rm /files/Inbox/keep.txt 2>/dev/null && echo "delete-inbox: yes" || echo "delete-inbox: no"
  echo "fds: $(ls /proc/self/fd | tr '\n' ' ')"
  ls /files/../ 2>/dev/null | grep -q storage && echo "escape: yes" || echo "escape: no"
} > /files/Inbox/report.txt 2>&1
exec sleep 600
`;

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe.each(['pglite', 'postgres'] as const)('shares on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  let otherOwner: TestUser;
  let client: TestUser;
  let otherClient: TestUser;
  let appsRoot: string;
  let root: string;

  const newShare = async (body: Record<string, unknown>, by = owner) => {
    // The probe is what these shares open in (the File Explorer unless the owner names another).
    const res = await call<CreatedShare>(by, 'POST', '/api/shares', {
      expiresAt: inAnHour(),
      apps: ['probe'],
      ...body,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const upload = (user: TestUser, p: string, bytes: string | Buffer) =>
    fetch(`${server.url}/api/files/content?path=${encodeURIComponent(p)}`, {
      method: 'PUT',
      headers: { cookie: user.cookie, 'content-type': 'application/octet-stream' },
      body: bytes,
    });

  beforeAll(async () => {
    if (kind === 'postgres') pg = startTestPostgres();
    appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
    fs.mkdirSync(path.join(appsRoot, 'probe'));
    fs.writeFileSync(path.join(appsRoot, 'probe', 'run.sh'), PROBE, { mode: 0o755 });
    fs.writeFileSync(
      path.join(appsRoot, 'probe', 'manifest.json'),
      JSON.stringify({
        name: 'Probe',
        version: '1',
        type: 'x11',
        binary: 'run.sh',
        permissions: [{ path: '.', access: ['read', 'write', 'delete'] }],
      }),
    );
    server = await startTestServer({
      APPS_ROOT: appsRoot,
      OWNER_QUOTA: '64K',
      ...(pg ? { DATABASE_URL: pg.url } : {}),
    });
    owner = server.owner;
    const invite = async (email: string) =>
      (await call<InvitationLink>(owner, 'POST', '/api/admin/invitations', { email })).body.link;
    otherOwner = await register(server.url, server.publicUrl(), await invite('otto@example.test'), {
      displayName: 'Otto',
    });
    root = ownerRoot(server.config.storage.dir, owner.me.id);
    expect((await call(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
    expect((await call(owner, 'POST', '/api/files/folders', { path: 'Inbox' })).status).toBe(201);
    expect((await call(owner, 'POST', '/api/files/folders', { path: 'Private' })).status).toBe(201);
    expect((await upload(owner, 'Reports/q3.txt', 'revenue up')).status).toBe(201);
    expect((await upload(owner, 'Inbox/keep.txt', 'keep me')).status).toBe(201);
    expect((await upload(owner, 'Private/secret.txt', 'no')).status).toBe(201);

    const first = await newShare({
      clientEmail: 'cleo@example.test',
      label: 'Reports and inbox',
      paths: [
        { path: 'Reports', access: 'view' },
        { path: 'Inbox', access: 'edit' },
      ],
    });
    client = await register(server.url, server.publicUrl(), first.invitation.link, { displayName: 'Cleo' });
    const second = await newShare({ clientEmail: 'carl@example.test', paths: [{ path: 'Private', access: 'view' }] });
    otherClient = await register(server.url, server.publicUrl(), second.invitation.link, { displayName: 'Carl' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
    fs.rmSync(appsRoot, { recursive: true, force: true });
  });

  const sharesOf = async (u: TestUser) => (await call<ReceivedShare[]>(u, 'GET', '/api/shared-with-me')).body;

  it('a client gets 403 from every owner endpoint and an owner from the client one', async () => {
    const ownerOnly: Array<[string, string, unknown?]> = [
      ['GET', '/api/files'],
      ['GET', '/api/files/usage'],
      ['GET', '/api/files/content?path=Reports/q3.txt'],
      ['POST', '/api/files/folders', { path: 'x' }],
      ['POST', '/api/files/move', { from: 'Reports', to: 'R' }],
      ['DELETE', '/api/files?path=Reports'],
      ['GET', '/api/trash'],
      ['GET', '/api/shares'],
      [
        'POST',
        '/api/shares',
        { clientEmail: 'a@example.test', paths: [{ path: 'Reports', access: 'view' }], expiresAt: inAnHour() },
      ],
      ['POST', '/api/admin/invitations', { email: 'z@example.test' }],
      ['POST', '/api/sessions', { appId: 'probe' }],
    ];
    for (const [method, url, body] of ownerOnly) {
      expect((await call(client, method, url, body)).status, `${method} ${url}`).toBe(403);
    }
    const put = await upload(client, 'Reports/evil.txt', 'x');
    expect(put.status).toBe(403);
    expect(fs.existsSync(path.join(root, 'Reports', 'evil.txt'))).toBe(false);
    expect((await call(owner, 'GET', '/api/shared-with-me')).status).toBe(403);
  });

  it('clients see only their own shares; owners only theirs', async () => {
    expect((await sharesOf(client)).map((s) => s.label)).toEqual(['Reports and inbox']);
    const carls = await sharesOf(otherClient);
    expect(carls).toHaveLength(1);
    // Carl cannot open Cleo's share, nor learn it exists.
    const cleoShare = (await sharesOf(client))[0]!;
    expect((await call(otherClient, 'POST', '/api/sessions', { appId: 'probe', shareId: cleoShare.id })).status).toBe(
      404,
    );
    // Another owner can neither read, change nor revoke it.
    for (const [method, url] of [
      ['GET', `/api/shares/${cleoShare.id}`],
      ['PATCH', `/api/shares/${cleoShare.id}`],
      ['POST', `/api/shares/${cleoShare.id}/revoke`],
    ] as const) {
      expect((await call(otherOwner, method, url, method === 'GET' ? undefined : {})).status).toBe(404);
    }
    expect((await call<Share[]>(otherOwner, 'GET', '/api/shares')).body).toEqual([]);
    // And sees an empty storage of their own, not the first owner's files.
    expect((await call<{ entries: unknown[] }>(otherOwner, 'GET', '/api/files')).body.entries).toEqual([]);
    // A share may only name paths the owner has.
    const foreign = await call(otherOwner, 'POST', '/api/shares', {
      clientEmail: 'x@example.test',
      paths: [{ path: 'Reports', access: 'view' }],
      expiresAt: inAnHour(),
    });
    expect(foreign.status).toBe(404);
  });

  it('turns the share into the sandbox policy: shared folders only, each with its access', async () => {
    const share = (await sharesOf(client))[0]!;
    const res = await call<SessionInfo>(client, 'POST', '/api/sessions', { appId: 'probe', shareId: share.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.shareId).toBe(share.id);
    const record = await server.db
      .selectFrom('streamed_sessions')
      .select(['policy', 'user_id', 'share_id'])
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(record.user_id).toBe(client.me.id);
    expect((record.policy as { grants: unknown[] }).grants).toEqual([
      { hostPath: path.join(root, 'Reports'), sandboxPath: '/files/Reports', access: 'read' },
      { hostPath: path.join(root, 'Inbox'), sandboxPath: '/files/Inbox', access: 'read-write' },
    ]);
    const report = path.join(root, 'Inbox', 'report.txt');
    const text = await waitFor('the probe report', () => {
      const t = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
      return t.includes('escape:') ? t : null;
    });
    expect(text).toContain('top: Inbox Reports');
    expect(text).toContain('reports: q3.txt');
    expect(text).toContain('read: revenue up');
    expect(text).toContain('write-reports: no');
    expect(text).toContain('delete-inbox: no');
    expect(text).toContain('escape: no');
    // No descriptor of the host folders leaks into the app (only ls's own 0-3).
    expect(text).toContain('fds: 0 1 2 3 \n');
    expect(fs.existsSync(path.join(root, 'Reports', 'new.txt'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'Inbox', 'keep.txt'))).toBe(true);
    // The owner sees the live session on the share; the other client cannot touch the session.
    expect((await call<Share>(owner, 'GET', `/api/shares/${share.id}`)).body.liveSessions).toBe(1);
    expect((await call(otherClient, 'GET', `/api/sessions/${res.body.id}`)).status).toBe(404);
    expect((await call(otherClient, 'DELETE', `/api/sessions/${res.body.id}`)).status).toBe(404);
    expect((await call(client, 'GET', `/api/sessions/${res.body.id}/stats`)).status).toBe(403);
    expect((await call(client, 'DELETE', `/api/sessions/${res.body.id}`)).status).toBe(204);
    fs.rmSync(report);
  });

  it('keeps the watermark settings the owner chose, within bounds; previews show a share as its client gets it', async () => {
    const share = (await sharesOf(client))[0]!;
    const own = (await call<Share>(owner, 'GET', `/api/shares/${share.id}`)).body;
    expect([own.watermark, own.watermarkDensity, own.watermarkOpacity]).toEqual([true, 'normal', 0.12]);
    for (const bad of [{ watermarkOpacity: 0.5 }, { watermarkOpacity: 0.01 }, { watermarkDensity: 'solid' }]) {
      expect((await call(owner, 'PATCH', `/api/shares/${share.id}`, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const set = await call<Share>(owner, 'PATCH', `/api/shares/${share.id}`, {
      watermarkDensity: 'dense',
      watermarkOpacity: 0.2,
    });
    expect([set.body.watermarkDensity, set.body.watermarkOpacity]).toEqual(['dense', 0.2]);

    // The owner's preview: the share's files and rights, its watermark naming the owner, the path opened first.
    const preview = await call<SessionInfo>(owner, 'POST', '/api/sessions', {
      appId: 'probe',
      preview: { shareId: share.id, path: 'Reports/q3.txt' },
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    const record = await server.db
      .selectFrom('streamed_sessions')
      .select(['policy', 'user_id'])
      .where('id', '=', preview.body.id)
      .executeTakeFirstOrThrow();
    expect(record.user_id).toBe(owner.me.id);
    const policy = record.policy as { grants: Array<{ sandboxPath: string; access: string }>; openPath: string };
    expect(policy.grants.map((g) => [g.sandboxPath, g.access])).toEqual([
      ['/files/Reports', 'read'],
      ['/files/Inbox', 'read-write'],
    ]);
    expect(policy.openPath).toBe('/files/Reports/q3.txt');
    const launched = await server.db
      .selectFrom('audit_events')
      .select(['action', 'detail', 'share_id'])
      .where('session_id', '=', preview.body.id)
      .where('action', '=', 'session.preview')
      .executeTakeFirstOrThrow();
    expect(launched.share_id).toBe(share.id);
    expect(JSON.parse(openDetail(server.columnCipher, launched.detail))).toMatchObject({
      preview: { openPath: '/files/Reports/q3.txt' },
      policy: { watermark: true, watermarkStyle: { density: 'dense', opacity: 0.2 } },
    });
    expect((await call(owner, 'DELETE', `/api/sessions/${preview.body.id}`)).status).toBe(204);
    // Only inside the share, only the owner's own share, never for a client.
    const outside = { appId: 'probe', preview: { shareId: share.id, path: 'Private/secret.txt' } };
    expect((await call(owner, 'POST', '/api/sessions', outside)).status).toBe(400);
    expect(
      (await call(otherOwner, 'POST', '/api/sessions', { appId: 'probe', preview: { shareId: share.id } })).status,
    ).toBe(404);
    expect((await call(client, 'POST', '/api/sessions', { appId: 'probe', preview: {} })).status).toBe(403);
    expect(
      (await call(owner, 'PATCH', `/api/shares/${share.id}`, { watermarkDensity: 'normal', watermarkOpacity: 0.12 }))
        .status,
    ).toBe(200);
  });

  it('ends the client session within 5 s when the share expires, and when the owner changes it', async () => {
    const share = (await sharesOf(client))[0]!;
    const start = async () => {
      const s = (await call<SessionInfo>(client, 'POST', '/api/sessions', { appId: 'probe', shareId: share.id })).body;
      const viewer = new WeriftViewer(client, s.id);
      await waitFor('video', () => viewer.rtpPackets > 0);
      return { s, viewer };
    };
    const changed = await start();
    expect((await call(owner, 'PATCH', `/api/shares/${share.id}`, { watermark: false })).status).toBe(200);
    await waitFor('bye', () => changed.viewer.messages.find((m) => m.type === 'bye'), 5000);
    expect(changed.viewer.messages.find((m) => m.type === 'bye')).toMatchObject({ reason: 'share changed' });
    await changed.viewer.close();

    const expiring = await start();
    const t0 = Date.now();
    await server.db.updateTable('shares').set({ expires_at: new Date() }).where('id', '=', share.id).execute();
    await waitFor('bye', () => expiring.viewer.messages.find((m) => m.type === 'bye'), 5000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(expiring.viewer.messages.find((m) => m.type === 'bye')).toMatchObject({ reason: 'share expired' });
    await expiring.viewer.close();
    // An expired share is no longer listed or openable.
    expect(await sharesOf(client)).toEqual([]);
    expect((await call(client, 'POST', '/api/sessions', { appId: 'probe', shareId: share.id })).status).toBe(404);
    expect((await call<Share>(owner, 'GET', `/api/shares/${share.id}`)).body.status).toBe('expired');
  });

  it('client invitations are single use; a signed-in client can add a further share', async () => {
    const created = await newShare({ clientEmail: 'cleo@example.test', paths: [{ path: 'Reports', access: 'view' }] });
    const info = await call(server.url, 'POST', '/api/invitations/inspect', {
      token: tokenOf(created.invitation.link),
    });
    expect(info.body).toMatchObject({
      kind: 'client',
      share: { ownerName: 'Olive Owner', paths: [{ path: 'Reports' }] },
    });
    // Registering anew with an existing e-mail is refused with a way forward.
    const dup = await call<{ error: string }>(server.url, 'POST', '/api/auth/register/options', {
      token: tokenOf(created.invitation.link),
      displayName: 'Cleo again',
    });
    expect(dup.status).toBe(409);
    expect(
      (await call(owner, 'POST', '/api/invitations/accept', { token: tokenOf(created.invitation.link) })).status,
    ).toBe(403);
    expect(
      (await call(client, 'POST', '/api/invitations/accept', { token: tokenOf(created.invitation.link) })).status,
    ).toBe(204);
    expect((await sharesOf(client)).map((s) => s.id)).toEqual([created.share.id]);
    const again = await call<{ error: string }>(otherClient, 'POST', '/api/invitations/accept', {
      token: tokenOf(created.invitation.link),
    });
    expect(again.status).toBe(410);
    // A fresh link replaces an unused one; an accepted share has no new link.
    const pending = await newShare({ clientEmail: 'p@example.test', paths: [{ path: 'Reports', access: 'view' }] });
    const fresh = await call<InvitationLink>(owner, 'POST', `/api/shares/${pending.share.id}/invitation`);
    expect(fresh.status).toBe(201);
    expect(
      (await call(server.url, 'POST', '/api/invitations/inspect', { token: tokenOf(pending.invitation.link) })).status,
    ).toBe(404);
    expect((await call(owner, 'POST', `/api/shares/${created.share.id}/invitation`)).status).toBe(409);
    // Revoked shares disappear from the client's list at once.
    expect((await call<Share>(owner, 'POST', `/api/shares/${created.share.id}/revoke`)).body.status).toBe('revoked');
    expect(await sharesOf(client)).toEqual([]);
  });

  it('rejects bad paths and quota overruns without writing anything', async () => {
    const before = fs.readdirSync(path.dirname(root)).sort();
    for (const bad of ['../escape.txt', '/etc/passwd', 'Reports/../../x', 'a\u0000b', 'a\u0007b', 'x'.repeat(300)]) {
      expect((await upload(owner, bad, 'x')).status, JSON.stringify(bad)).toBe(400);
      expect((await call(owner, 'POST', '/api/files/move', { from: 'Reports/q3.txt', to: bad })).status).toBe(400);
    }
    expect(fs.readdirSync(path.dirname(root)).sort()).toEqual(before);
    expect(fs.readFileSync(path.join(root, 'Reports', 'q3.txt'), 'utf8')).toBe('revenue up');
    const big = await upload(owner, 'big.bin', Buffer.alloc(70 * 1024));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toBe('quota-exceeded');
    expect(fs.existsSync(path.join(root, 'big.bin'))).toBe(false);
    const share = await call(owner, 'POST', '/api/shares', {
      clientEmail: 'x@example.test',
      paths: [{ path: '../Private', access: 'view' }],
      expiresAt: inAnHour(),
    });
    expect(share.status).toBe(400);
  });
});
