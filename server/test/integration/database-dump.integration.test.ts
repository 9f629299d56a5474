import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedShare } from '@vitrine/protocol';
import { call, register } from '../auth-client.ts';
import { api, createShare, startTestServer, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import type { Tables } from '../../src/db/schema.ts';
import { openAudit } from '../../src/audit/open-audit.ts';
import { dumpDatabase, restoreDatabase, RestoreError, type DumpLine } from '../../src/backup/database-dump.ts';
import { tablesInForeignKeyOrder } from '../../src/backup/catalog.ts';

/**
 * Issue 18, part 4: the database's logical dump. A server's data made the real way (an owner, a
 * client, a share with terms, folders, a purged stretch of the trail) plus rows with the values
 * JavaScript cannot hold (microseconds, integers past 2^53, every byte value, JSON text); dumped
 * while the server writes, restored into a fresh database, and the trail verifies there.
 */

async function collect(lines: AsyncIterable<DumpLine>): Promise<DumpLine[]> {
  const out: DumpLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

async function* replay(lines: DumpLine[]): AsyncGenerator<DumpLine> {
  yield* lines;
}

/** Every table's rows as the application reads them, with their exact JSON form, in a stable order. */
async function contents(db: Kysely<Tables>): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const { name } of await tablesInForeignKeyOrder(db)) {
    const { rows } = await sql<Record<string, unknown>>`
      select r.*, to_jsonb(r)::text as exact from ${sql.table(name)} r order by exact`.execute(db);
    out[name] = rows;
  }
  return out;
}

describe.each(['pglite', 'postgres'] as const)('database dump and restore on %s', (kind) => {
  let pgServer: TestPostgres | undefined;
  let server: TestServer;
  const opened: Database[] = [];
  const dirs: string[] = [];
  let fresh = 0;

  /** A new, migrated, empty database. */
  async function freshDatabase(): Promise<Database> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-restore-'));
    dirs.push(dir);
    let url: string | undefined;
    if (pgServer) {
      const name = `restored_${++fresh}`;
      const admin = new pg.Client({ connectionString: pgServer.superuserUrl });
      await admin.connect();
      await admin.query(`create database ${name} owner vitrine`).finally(() => admin.end());
      url = pgServer.url.replace('/vitrine?', `/${name}?`);
    }
    const database = await openDatabase({ databaseUrl: url, dataDir: dir });
    opened.push(database);
    return database;
  }

  /**
   * The trail of a restored database, verified with the server's audit key, a copy of its
   * checkpoints and the server's column cipher (event details are sealed when encrypting at rest).
   */
  async function verifyTrail(db: Kysely<Tables>, checkpointFile: string) {
    const trail = await openAudit(
      db,
      { ...server.config.audit, checkpointFile },
      { error: () => {} },
      server.columnCipher,
    );
    try {
      return await trail.store.verify();
    } finally {
      await trail.close();
    }
  }

  function snapshotCheckpoints(): string {
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-checkpoints-')), 'audit-checkpoints.jsonl');
    dirs.push(path.dirname(copy));
    fs.copyFileSync(server.config.audit.checkpointFile, copy);
    return copy;
  }

  beforeAll(async () => {
    if (kind === 'postgres') pgServer = startTestPostgres();
    // Checkpoints exported every few events, so the restored trail has some to match.
    server = await startTestServer({
      AUDIT_CHECKPOINT_EVENTS: '3',
      ...(pgServer ? { DATABASE_URL: pgServer.url } : {}),
    });
    const owner = server.owner;
    for (const folder of ['Deal', 'Old']) {
      expect((await api(owner, 'POST', '/api/files/folders', { path: folder })).status).toBe(201);
    }
    // The oldest events leave the trail; a checkpoint in the database keeps the rest verifiable.
    await server.audit.flush();
    const cutoff = new Date();
    expect(await server.auditStore.purgeBefore(cutoff)).toBeGreaterThan(0);

    const created = await call<CreatedShare>(owner, 'POST', '/api/shares', {
      clientEmail: 'cleo@example.test',
      label: 'Deal room',
      paths: [{ path: 'Deal', access: 'view' }],
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      termsText: 'Keep it to yourself.',
    });
    expect(created.status).toBe(201);
    const client = await register(server.url, server.publicUrl(), created.body.invitation.link, {
      displayName: 'Cleo',
    });
    const accepted = await call(client, 'POST', `/api/shares/${created.body.share.id}/terms/accept`, {
      typedName: 'Cleo Client',
      agreed: true,
      version: 1,
    });
    expect(accepted.status).toBe(201);
    await createShare(owner, { clientEmail: 'dora@example.test', paths: [{ path: 'Old', access: 'view' }] });

    // Values a round trip through JavaScript would bend.
    const db = server.db;
    const sessionId = randomUUID();
    await sql`insert into streamed_sessions (id, app_id, state, created_at, ended_at, policy, user_id, share_id)
      values (${sessionId}, 'files', 'ended', '2026-03-01 10:00:00.123456+00', '2026-03-01 10:30:00.000001+00',
        ${'{"note": "é \u2028 \\"quoted\\" \\\\ back", "n": 0.1, "big": 12345678901234567890, "nested": [null, true]}'}::jsonb,
        ${owner.me.id}, ${created.body.share.id})`.execute(db);
    await sql`update passkeys set counter = 9007199254740993 where user_id = ${client.me.id}`.execute(db);
    const recordingId = randomUUID();
    await sql`insert into recordings (id, session_id, share_id, owner_id, client_id, state, started_at, segments, bytes)
      values (${recordingId}, ${sessionId}, ${created.body.share.id}, ${owner.me.id}, ${client.me.id}, 'finished',
        '2026-03-01 10:00:01.000007+00', 1, 9007199254740993)`.execute(db);
    await sql`insert into recording_segments values (${recordingId}, 0, 0, '2026-03-01 10:00:01.5+00',
      '2026-03-01 10:00:03.999999+00', 1234, ${'a'.repeat(64)}, ${'b'.repeat(64)}, true, 48)`.execute(db);
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await sql`update passkeys set public_key = ${everyByte} where user_id = ${owner.me.id}`.execute(db);
  }, 120_000);

  afterAll(async () => {
    try {
      for (const d of opened) await d.close().catch(() => {});
      await server?.close();
    } finally {
      pgServer?.stop();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('a dump taken while the server writes restores into a fresh database, and its trail verifies', async () => {
    // Taken first: every checkpoint in it is of a head the dump's snapshot holds.
    const checkpoints = snapshotCheckpoints();
    let writing = true;
    let writes = 0;
    let twoWritten: () => void = () => {};
    const twoWrites = new Promise<void>((r) => (twoWritten = r));
    const writer = (async () => {
      while (writing) {
        expect((await api(server.owner, 'POST', '/api/files/folders', { path: `During ${writes}` })).status).toBe(201);
        if (++writes === 2) twoWritten();
      }
    })();
    let lines: DumpLine[];
    try {
      await twoWrites;
      lines = await collect(dumpDatabase(server.db));
    } finally {
      writing = false;
      await writer;
    }
    // Every table with rows (no passkey ceremony is under way: webauthn_challenges is empty).
    const withRows = 'audit_checkpoints audit_events audit_trail invitations passkeys recording_segments recordings'
      .concat(' shares sign_ins streamed_sessions terms_acceptances users')
      .split(' ');
    expect([...new Set(lines.map((l) => l.table))].sort()).toEqual(withRows);
    expect(lines.some((l) => l.table.startsWith('kysely_migration'))).toBe(false);

    const database = await freshDatabase();
    const restored = await restoreDatabase(database.db, replay(lines));
    expect(restored.audit_checkpoints).toBe(1);
    const verdict = await verifyTrail(database.db, checkpoints);
    expect(verdict, JSON.stringify(verdict)).toMatchObject({
      ok: true,
      checkpoint: { throughSeq: expect.any(Number) },
    });
    expect(verdict.checked).toBe(restored.audit_events);
    expect(verdict.exported.matched).toBeGreaterThan(0);
  }, 120_000);

  // PGlite has one connection: the server's writes wait for the dump there, and would wait for ever here.
  it.runIf(kind === 'postgres')(
    'is one snapshot: what the server commits while it runs is not in it',
    async () => {
      const lines: DumpLine[] = [];
      for await (const l of dumpDatabase(server.db)) {
        if (!lines.length) {
          expect((await api(server.owner, 'POST', '/api/files/folders', { path: 'Written meanwhile' })).status).toBe(
            201,
          );
          await server.audit.flush();
        }
        lines.push(l);
      }
      const dumped = lines
        .filter((l) => l.table === 'audit_events')
        .map((l) => Number((JSON.parse(l.line) as { seq: number }).seq));
      const head = await server.db
        .selectFrom('audit_events')
        .select(({ fn }) => fn.max('seq').as('seq'))
        .executeTakeFirstOrThrow();
      expect(Math.max(...dumped)).toBeLessThan(Number(head.seq));
    },
    120_000,
  );

  it('every table restores equal, sequences go on, and the trail verifies', async () => {
    await server.audit.flush();
    const checkpoints = snapshotCheckpoints();
    const before = await contents(server.db);
    const lines = await collect(dumpDatabase(server.db));
    // The server is idle now: the dump is of exactly these rows.
    expect(await contents(server.db)).toEqual(before);
    const database = await freshDatabase();
    await restoreDatabase(database.db, replay(lines));
    const after = await contents(database.db);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
    expect(after.streamed_sessions!.length).toBeGreaterThan(0);

    // The next session number follows the restored ones.
    const next = await sql<{
      seq: string;
    }>`select nextval(pg_get_serial_sequence('streamed_sessions', 'seq')) as seq`.execute(database.db);
    const highest = Math.max(...before.streamed_sessions!.map((r) => Number((r as { seq: string }).seq)));
    expect(Number(next.rows[0]!.seq)).toBe(highest + 1);

    const verdict = await verifyTrail(database.db, checkpoints);
    expect(verdict, JSON.stringify(verdict)).toMatchObject({ ok: true });
    expect(verdict.exported.matched).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a database that is not empty, and a dump that does not fit', async () => {
    const lines = await collect(dumpDatabase(server.db));
    const database = await freshDatabase();
    await restoreDatabase(database.db, replay(lines));
    await expect(restoreDatabase(database.db, replay(lines))).rejects.toThrow(
      /the database is not empty \(table \w+ has rows\): restore only into a freshly migrated, empty database/,
    );

    const empty = (await freshDatabase()).db;
    const user = lines.find((l) => l.table === 'users')!;
    const passkey = lines.find((l) => l.table === 'passkeys')!;
    await expect(restoreDatabase(empty, replay([passkey, user]))).rejects.toThrow(
      /not in foreign-key order: users comes after passkeys, which refers to it/,
    );
    const extra = { table: 'users', line: user.line.replace(/^\{/, '{"shoe_size": 44, ') };
    await expect(restoreDatabase(empty, replay([extra]))).rejects.toThrow(
      /table users of the dump has columns this database does not have \(shoe_size\)/,
    );
    await expect(restoreDatabase(empty, replay([{ table: 'nope', line: '{}' }]))).rejects.toThrow(RestoreError);
    // Each refusal rolled back: still empty.
    expect(await sql`select 1 from users`.execute(empty).then((r) => r.rows.length)).toBe(0);
  }, 120_000);
});
