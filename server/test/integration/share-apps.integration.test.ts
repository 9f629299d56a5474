import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody, CreatedShare, ReceivedShare, SessionInfo, Share } from '@vitrine/protocol';
import { call, register, type TestUser } from '../auth-client.ts';
import { startTestServer, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { openDetail } from '../../src/audit/sealed-detail.ts';
import { migrate } from '../../src/db/database.ts';
import type { Tables } from '../../src/db/schema.ts';

/**
 * The owner chooses the app (issue 20): a share names the apps its client may open, the server
 * refuses any other on that share (the client's sessions and the owner's preview alike) and puts the
 * refusal on the trail, "Shared with me" offers only those, and shares from before the choice open
 * in the File Explorer.
 */
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** Two apps that only sit there: `reader` and `player` (display names "Reader" and "Player"). */
function twoAppsRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  for (const [id, name] of [
    ['reader', 'Reader'],
    ['player', 'Player'],
  ] as const) {
    fs.mkdirSync(path.join(root, id));
    fs.writeFileSync(path.join(root, id, 'run.sh'), '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    fs.writeFileSync(
      path.join(root, id, 'manifest.json'),
      JSON.stringify({ name, version: '1', type: 'x11', binary: 'run.sh', permissions: [] }),
    );
  }
  return root;
}

describe.each(['pglite', 'postgres'] as const)('the apps a share opens in, on %s', (kind) => {
  let pg_: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  let client: TestUser;
  let appsRoot: string;
  let shareId: string;

  const launch = (appId: string, by = client) =>
    call<SessionInfo & ApiErrorBody>(by, 'POST', '/api/sessions', { appId, shareId });
  const preview = (appId: string) =>
    call<SessionInfo & ApiErrorBody>(owner, 'POST', '/api/sessions', { appId, preview: { shareId } });
  const end = async (res: { status: number; body: SessionInfo }, by: TestUser) => {
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await call(by, 'DELETE', `/api/sessions/${res.body.id}`)).status).toBe(204);
  };
  const refusals = async () => {
    await server.audit.flush();
    const rows = await server.db
      .selectFrom('audit_events')
      .select(['action', 'actor_id', 'outcome', 'reason', 'owner_id', 'share_id', 'detail'])
      .where('reason', '=', 'app-not-shared')
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      ...r,
      detail: JSON.parse(openDetail(server.columnCipher, r.detail)) as Record<string, unknown>,
    }));
  };

  beforeAll(async () => {
    if (kind === 'postgres') pg_ = startTestPostgres();
    appsRoot = twoAppsRoot();
    server = await startTestServer({ APPS_ROOT: appsRoot, ...(pg_ ? { DATABASE_URL: pg_.url } : {}) });
    owner = server.owner;
    expect((await call(owner, 'POST', '/api/files/folders', { path: 'Deal' })).status).toBe(201);
    const created = await call<CreatedShare>(owner, 'POST', '/api/shares', {
      clientEmail: 'cleo@example.test',
      label: 'Deal room',
      paths: [{ path: 'Deal', access: 'view' }],
      expiresAt: inAnHour(),
      apps: ['reader', 'reader'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    shareId = created.body.share.id;
    client = await register(server.url, server.publicUrl(), created.body.invitation.link, { displayName: 'Cleo' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg_?.stop();
    fs.rmSync(appsRoot, { recursive: true, force: true });
  });

  it('keeps the apps the owner named (each once) and offers the client those, by name', async () => {
    expect((await call<Share>(owner, 'GET', `/api/shares/${shareId}`)).body.apps).toEqual(['reader']);
    const received = (await call<ReceivedShare[]>(client, 'GET', '/api/shared-with-me')).body;
    expect(received.map((s) => s.apps)).toEqual([[{ id: 'reader', name: 'Reader' }]]);
  });

  it('refuses another app on the share with 403 app-not-shared, on the trail with the app and the share', async () => {
    const refused = await launch('player');
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'app-not-shared', message: 'This share does not open in the app "player".' });
    // An app that is not installed at all is no different: the share does not name it.
    expect((await launch('nope')).body.error).toBe('app-not-shared');
    // The owner's preview shows what the client would get: the same refusal.
    const refusedPreview = await preview('player');
    expect([refusedPreview.status, refusedPreview.body.error]).toEqual([403, 'app-not-shared']);

    const trail = await refusals();
    expect(trail).toEqual([
      expect.objectContaining({
        action: 'session.launch',
        actor_id: client.me.id,
        outcome: 'denied',
        owner_id: owner.me.id,
        share_id: shareId,
        detail: expect.objectContaining({ app: 'player', sharedApps: ['reader'], status: 403 }),
      }),
      // The second refusal of the same kind within the minute is counted, not written (refusal-tally.ts).
      expect.objectContaining({
        action: 'session.preview',
        actor_id: owner.me.id,
        outcome: 'denied',
        share_id: shareId,
        detail: expect.objectContaining({ app: 'player' }),
      }),
    ]);

    // The named app opens, for the client and in the owner's preview; the owner's own files open in any.
    await end(await launch('reader'), client);
    await end(await preview('reader'), owner);
    await end(await call<SessionInfo>(owner, 'POST', '/api/sessions', { appId: 'player' }), owner);
  });

  it('lets the owner change the apps, ending the sessions of the old choice', async () => {
    const running = await launch('reader');
    expect(running.status, JSON.stringify(running.body)).toBe(201);
    const changed = await call<Share>(owner, 'PATCH', `/api/shares/${shareId}`, { apps: ['player', 'reader'] });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.apps).toEqual(['player', 'reader']);
    expect((await call<SessionInfo>(client, 'GET', `/api/sessions/${running.body.id}`)).body.state).toBe('ended');
    const received = (await call<ReceivedShare[]>(client, 'GET', '/api/shared-with-me')).body[0]!;
    expect(received.apps).toEqual([
      { id: 'player', name: 'Player' },
      { id: 'reader', name: 'Reader' },
    ]);
    await end(await launch('player'), client);

    expect((await call<Share>(owner, 'PATCH', `/api/shares/${shareId}`, { apps: ['player'] })).status).toBe(200);
    expect((await launch('reader')).body.error).toBe('app-not-shared');
    await end(await launch('player'), client);
  });

  it('refuses naming an app that is not installed, and an empty list, with 400', async () => {
    const body = { clientEmail: 'dora@example.test', paths: [{ path: 'Deal', access: 'view' }], expiresAt: inAnHour() };
    const unknown = await call<ApiErrorBody>(owner, 'POST', '/api/shares', { ...body, apps: ['reader', 'nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: 'unknown-app', message: 'apps: no app "nope" is installed on this server' });
    const patched = await call<ApiErrorBody>(owner, 'PATCH', `/api/shares/${shareId}`, { apps: ['xclock'] });
    expect([patched.status, patched.body.error]).toEqual([400, 'unknown-app']);
    expect(patched.body.message).toContain('"xclock"');
    expect((await call<Share>(owner, 'GET', `/api/shares/${shareId}`)).body.apps).toEqual(['player']);
    expect((await call(owner, 'POST', '/api/shares', { ...body, apps: [] })).status).toBe(400);
    expect((await call(owner, 'POST', '/api/shares', { ...body, apps: ['../reader'] })).status).toBe(400);
  });

  it('gives a share made without a choice the File Explorer, installed or not', async () => {
    const created = await call<CreatedShare>(owner, 'POST', '/api/shares', {
      clientEmail: 'erin@example.test',
      paths: [{ path: 'Deal', access: 'view' }],
      expiresAt: inAnHour(),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.share.apps).toEqual(['file-explorer']);
  });

  it('gives every share from before the choice the File Explorer (migration 012)', async () => {
    let db: Kysely<Tables>;
    if (kind === 'pglite') {
      db = new Kysely<Tables>({ dialect: new PGliteDialect({ pglite: () => PGlite.create() }) });
    } else {
      // A database of its own, migrated only as far as 011 (the server's is already at the latest).
      const admin = new pg.Client({ connectionString: pg_!.superuserUrl });
      await admin.connect();
      await admin.query('create database before_apps owner vitrine');
      await admin.end();
      const url = pg_!.url.replace('/vitrine?', '/before_apps?');
      db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) });
    }
    try {
      await migrate(db, '011-session-watchers');
      await sql`insert into users (id, email, display_name, role, admin, webauthn_user_id, created_at)
        values ('00000000-0000-4000-8000-000000000001', 'o@example.test', 'O', 'owner', false, 'w1', now())`.execute(
        db,
      );
      for (const id of ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b']) {
        await sql`insert into shares (id, owner_id, client_email, label, paths, expires_at, watermark, created_at, updated_at)
          values (${id}, '00000000-0000-4000-8000-000000000001', 'c@example.test', '', '[]'::jsonb, now(), true, now(), now())`.execute(
          db,
        );
      }
      await migrate(db);
      const rows = await db.selectFrom('shares').select(['id', 'apps']).orderBy('id').execute();
      expect(rows.map((r) => r.apps)).toEqual([['file-explorer'], ['file-explorer']]);
      // Never an empty list or something else than a list.
      for (const apps of ['[]', '"file-explorer"']) {
        await expect(db.updateTable('shares').set({ apps }).where('id', '=', rows[0]!.id).execute()).rejects.toThrow(
          /shares_apps_listed/,
        );
      }
    } finally {
      await db.destroy();
    }
  });
});
