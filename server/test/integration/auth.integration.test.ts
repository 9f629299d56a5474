import { sql } from 'kysely';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ceremony, InvitationLink, Passkey, SignIn } from '@vitrine/protocol';
import { call, register, signIn, tokenOf, type TestUser } from '../auth-client.ts';
import { startTestServer, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { SoftwareAuthenticator } from '../passkey-authenticator.ts';

// Routes reachable without a sign-in; every other route must refuse anonymous callers.
const PUBLIC = new Set([
  'POST /api/invitations/inspect',
  'POST /api/auth/register/options',
  'POST /api/auth/register/verify',
  'POST /api/auth/login/options',
  'POST /api/auth/login/verify',
]);
const SAMPLE_ID = '0190a0a0-0000-7000-8000-000000000000';

describe.each(['pglite', 'postgres'] as const)('passkeys and sign-ins on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  beforeAll(async () => {
    if (kind === 'postgres') pg = startTestPostgres();
    server = await startTestServer(pg ? { DATABASE_URL: pg.url } : {});
    owner = server.owner;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
  });

  const inviteOwner = async (email: string) => {
    const res = await call<InvitationLink>(owner, 'POST', '/api/admin/invitations', { email });
    expect(res.status).toBe(201);
    return res.body.link;
  };

  it('the setup link made the first account an admin owner, and it works only once', async () => {
    expect((await call(owner, 'GET', '/api/auth/me')).body).toMatchObject({ role: 'owner', admin: true });
    expect(await server.issueSetupLink()).toBeUndefined();
    const used = await call<{ error: string }>(server.url, 'POST', '/api/invitations/inspect', {
      token: tokenOf(server.setupLink),
    });
    expect(used.status).toBe(410);
    expect(used.body.error).toBe('invitation-used');
  });

  it('refuses every non-public API route without a sign-in (listed from the OpenAPI document)', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, unknown>> }>(server.url, 'GET', '/api/openapi.json'))
      .body;
    const routes = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path: p })),
    );
    expect(routes.length).toBeGreaterThan(25);
    for (const r of routes) {
      if (PUBLIC.has(`${r.method} ${r.path}`)) continue;
      const url = r.path.replace(/\{[^}]+\}/g, SAMPLE_ID);
      const res = await call(server.url, r.method, url, ['GET', 'HEAD', 'DELETE'].includes(r.method) ? undefined : {});
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/sessions/${SAMPLE_ID}/signal`);
    const refused = await new Promise<number>((resolve, reject) => {
      ws.on('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      ws.on('open', () => reject(new Error('anonymous signaling socket was accepted')));
      ws.on('error', () => {});
    });
    ws.terminate();
    expect(refused).toBe(401);
  });

  it('sets an HttpOnly, SameSite=Strict cookie holding an opaque token that is stored only as a hash', async () => {
    const opts = await call<Ceremony>(server.url, 'POST', '/api/auth/login/options', {});
    const response = owner.authenticator.authenticate(opts.body.options);
    const res = await call(server.url, 'POST', '/api/auth/login/verify', {
      ceremonyId: opts.body.ceremonyId,
      response,
    });
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^vitrine_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const token = cookie.split(';')[0]!.split('=')[1]!;
    const rows = await server.db.selectFrom('sign_ins').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash.includes(token))).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('rejects a replayed assertion, an assertion for another origin and a counter that goes back', async () => {
    const opts = await call<Ceremony>(server.url, 'POST', '/api/auth/login/options', {});
    const response = owner.authenticator.authenticate(opts.body.options);
    const body = { ceremonyId: opts.body.ceremonyId, response };
    expect((await call(server.url, 'POST', '/api/auth/login/verify', body)).status).toBe(200);
    const replay = await call<{ error: string }>(server.url, 'POST', '/api/auth/login/verify', body);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('ceremony-expired');
    // The same signed answer under a fresh ceremony: the challenge does not match.
    const fresh = await call<Ceremony>(server.url, 'POST', '/api/auth/login/options', {});
    const moved = await call(server.url, 'POST', '/api/auth/login/verify', {
      ceremonyId: fresh.body.ceremonyId,
      response,
    });
    expect(moved.status).toBe(400);

    const cross = await call<Ceremony>(server.url, 'POST', '/api/auth/login/options', {});
    const evil = owner.authenticator.authenticate(cross.body.options, { origin: 'http://evil.example' });
    const crossRes = await call<{ error: string }>(server.url, 'POST', '/api/auth/login/verify', {
      ceremonyId: cross.body.ceremonyId,
      response: evil,
    });
    expect(crossRes.status).toBe(400);
    expect(crossRes.body.error).toBe('passkey-refused');

    const stale = await call<Ceremony>(server.url, 'POST', '/api/auth/login/options', {});
    const cloned = owner.authenticator.authenticate(stale.body.options, { counter: 1 });
    const cloneRes = await call<{ message: string }>(server.url, 'POST', '/api/auth/login/verify', {
      ceremonyId: stale.body.ceremonyId,
      response: cloned,
    });
    expect(cloneRes.status).toBe(400);
    expect(cloneRes.body.message).toMatch(/counter/);
    const stored = await server.db.selectFrom('passkeys').select('counter').executeTakeFirstOrThrow();
    expect(Number(stored.counter)).toBeGreaterThan(1);
  });

  it('rejects a passkey without user verification', async () => {
    const link = await inviteOwner('no-uv@example.test');
    const auth = new SoftwareAuthenticator({ origin: server.publicUrl() });
    const opts = await call<Ceremony>(server.url, 'POST', '/api/auth/register/options', {
      token: tokenOf(link),
      displayName: 'No UV',
    });
    const res = await call(server.url, 'POST', '/api/auth/register/verify', {
      ceremonyId: opts.body.ceremonyId,
      response: auth.register(opts.body.options, { userVerified: false }),
    });
    expect(res.status).toBe(400);
    expect(
      await server.db.selectFrom('users').select('id').where('email', '=', 'no-uv@example.test').execute(),
    ).toEqual([]);
  });

  it('owner invitations are single use and expire', async () => {
    const link = await inviteOwner('second@example.test');
    const info = await call(server.url, 'POST', '/api/invitations/inspect', { token: tokenOf(link) });
    expect(info.body).toMatchObject({ kind: 'owner', email: 'second@example.test', share: null });
    const second = await register(server.url, server.publicUrl(), link, { displayName: 'Second' });
    expect(second.me).toMatchObject({ role: 'owner', admin: false, email: 'second@example.test' });
    const reuse = await call<{ error: string }>(server.url, 'POST', '/api/auth/register/options', {
      token: tokenOf(link),
      displayName: 'Again',
      email: 'again@example.test',
    });
    expect(reuse.status).toBe(410);
    expect(reuse.body.error).toBe('invitation-used');

    const late = await inviteOwner('late@example.test');
    await server.db
      .updateTable('invitations')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` as never })
      .where('email', '=', 'late@example.test')
      .execute();
    const expired = await call<{ error: string }>(server.url, 'POST', '/api/invitations/inspect', {
      token: tokenOf(late),
    });
    expect(expired.status).toBe(410);
    expect(expired.body.error).toBe('invitation-expired');
    // Only admins invite owners.
    expect((await call(second, 'POST', '/api/admin/invitations', { email: 'x@example.test' })).status).toBe(403);
  });

  it('a ceremony finished after registration started elsewhere cannot reuse the invitation twice', async () => {
    const link = await inviteOwner('race@example.test');
    const a = new SoftwareAuthenticator({ origin: server.publicUrl() });
    const b = new SoftwareAuthenticator({ origin: server.publicUrl() });
    const o1 = await call<Ceremony>(server.url, 'POST', '/api/auth/register/options', {
      token: tokenOf(link),
      displayName: 'A',
    });
    const o2 = await call<Ceremony>(server.url, 'POST', '/api/auth/register/options', {
      token: tokenOf(link),
      displayName: 'B',
    });
    const r1 = await call(server.url, 'POST', '/api/auth/register/verify', {
      ceremonyId: o1.body.ceremonyId,
      response: a.register(o1.body.options),
    });
    const r2 = await call(server.url, 'POST', '/api/auth/register/verify', {
      ceremonyId: o2.body.ceremonyId,
      response: b.register(o2.body.options),
    });
    expect([r1.status, r2.status].sort()).toEqual([201, 409]);
  });

  it('adds, renames and removes passkeys but never the last one', async () => {
    const link = await inviteOwner('keys@example.test');
    const user = await register(server.url, server.publicUrl(), link, { displayName: 'Keys' });
    const [only] = (await call<Passkey[]>(user, 'GET', '/api/me/passkeys')).body;
    const last = await call<{ error: string }>(user, 'DELETE', `/api/me/passkeys/${only!.id}`);
    expect(last.status).toBe(409);
    expect(last.body.error).toBe('last-passkey');

    const phone = new SoftwareAuthenticator({ origin: server.publicUrl() });
    const opts = await call<Ceremony>(user, 'POST', '/api/me/passkeys/options', {});
    expect((opts.body.options as { excludeCredentials: unknown[] }).excludeCredentials).toHaveLength(1);
    const added = await call<Passkey>(user, 'POST', '/api/me/passkeys', {
      ceremonyId: opts.body.ceremonyId,
      response: phone.register(opts.body.options),
      name: 'Phone',
    });
    expect(added.status).toBe(201);
    const renamed = await call<Passkey>(user, 'PATCH', `/api/me/passkeys/${added.body.id}`, { name: 'Work phone' });
    expect(renamed.body.name).toBe('Work phone');
    expect((await call(user, 'PATCH', `/api/me/passkeys/${added.body.id}`, { name: 'bad\u0007name' })).status).toBe(
      400,
    );
    // Someone else's passkey is not found, whatever they try.
    expect((await call(owner, 'DELETE', `/api/me/passkeys/${added.body.id}`)).status).toBe(404);
    // The new passkey signs in; then the first one can go.
    await signIn({ ...user, authenticator: phone });
    expect((await call(user, 'DELETE', `/api/me/passkeys/${only!.id}`)).status).toBe(204);
    expect((await call<Passkey[]>(user, 'GET', '/api/me/passkeys')).body.map((p) => p.name)).toEqual(['Work phone']);
  });

  it('signing out revokes the sign-in on the server; other sign-ins can be listed and revoked', async () => {
    const a = await signIn(owner);
    const b = await signIn(owner);
    const list = (await call<SignIn[]>(a, 'GET', '/api/me/sign-ins')).body;
    expect(list.filter((s) => s.current)).toHaveLength(1);
    expect(list.length).toBeGreaterThanOrEqual(2);
    const bId = (await call<SignIn[]>(b, 'GET', '/api/me/sign-ins')).body.find((s) => s.current)!.id;
    expect((await call(a, 'DELETE', `/api/me/sign-ins/${bId}`)).status).toBe(204);
    expect((await call(b, 'GET', '/api/auth/me')).status).toBe(401);

    const out = await call(a, 'POST', '/api/auth/logout');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect((await call(a, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await call(a, 'GET', '/api/apps')).status).toBe(401);
  });

  it('sign-ins end after the idle timeout and after their absolute lifetime', async () => {
    const idle = await signIn(owner);
    const aged = await signIn(owner);
    const idOf = async (u: TestUser) =>
      (await call<SignIn[]>(u, 'GET', '/api/me/sign-ins')).body.find((s) => s.current)!.id;
    await server.db
      .updateTable('sign_ins')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60_000) })
      .where('id', '=', await idOf(idle))
      .execute();
    await server.db
      .updateTable('sign_ins')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', await idOf(aged))
      .execute();
    expect((await call(idle, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await call(aged, 'GET', '/api/auth/me')).status).toBe(401);
  });

  it('refuses state changes from another origin', async () => {
    const res = await call(
      owner,
      'POST',
      '/api/admin/invitations',
      { email: 'csrf@example.test' },
      { origin: 'http://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(
      await server.db.selectFrom('invitations').select('id').where('email', '=', 'csrf@example.test').execute(),
    ).toEqual([]);
  });

  // Last: it uses up this address's allowance of anonymous calls.
  it('limits anonymous ceremonies per address, without affecting signed-in people', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 120; i++) codes.push((await call(server.url, 'POST', '/api/auth/login/options', {})).status);
    expect(codes.slice(0, 20).every((c) => c === 200)).toBe(true);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(10);
    expect((await call(owner, 'GET', '/api/auth/me')).status).toBe(200);
  });
});
