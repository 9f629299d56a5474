import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, runCli, startTestServer, type TestServer } from '../helpers.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { openDatabase } from '../../src/db/database.ts';
import { openCoreServices } from '../../src/composition/services.ts';

/**
 * Issue 16, item 1: an intruder with write access to the database (the superuser, triggers off)
 * rewrites the audit trail the way the attack did: an event edited and every later hash
 * recomputed with plain SHA-256, an event deleted and the rest renumbered, the newest events
 * deleted. Before the trail had a key, `audit verify` said "intact" to each of them.
 */

interface Row {
  seq: string | number;
  at: Date;
  actor_id: string | null;
  actor_role: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_path: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  correlation_id: string | null;
  owner_id: string | null;
  share_id: string | null;
  session_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The intruder's own code: the chain's published rule, SHA-256 over the previous hash and the fields. */
function plainHash(r: Row, seq: number, prevHash: string): string {
  const content = JSON.stringify([
    seq,
    new Date(r.at).toISOString(),
    r.actor_id,
    r.actor_role,
    r.action,
    r.target_type,
    r.target_id,
    r.target_path,
    r.outcome,
    r.reason,
    r.ip,
    r.user_agent,
    r.correlation_id,
    r.owner_id,
    r.share_id,
    r.session_id,
    r.detail,
  ]);
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

describe.each(['pglite', 'postgres'] as const)('rewriting the audit trail on %s', (kind) => {
  let pgServer: TestPostgres | undefined;
  let server: TestServer;
  let copies = 0;
  const cleanup: string[] = [];

  // One server makes a trail and stops (its shutdown exports a checkpoint); each attack gets a copy.
  beforeAll(async () => {
    if (kind === 'postgres') pgServer = startTestPostgres();
    // The intruder here holds the database itself (its files, or a superuser): encryption at rest is
    // beside the point, and off it leaves the embedded database's files where a copy can open them.
    server = await startTestServer({ ENCRYPTION: 'off', ...(pgServer ? { DATABASE_URL: pgServer.url } : {}) });
    for (let i = 0; i < 6; i++) {
      expect((await api(server.owner, 'POST', '/api/files/folders', { path: `Folder ${i}` })).status).toBe(201);
    }
    await server.app.close();
  }, 240_000);
  afterAll(async () => {
    await server?.close();
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
    pgServer?.stop();
  });

  /**
   * A copy of the stopped trail (database, key and checkpoint file), and the intruder's tools on
   * it; with `fresh`, an empty database that has never been opened by a server (no key yet).
   */
  async function stoppedTrail({ fresh = false } = {}) {
    const n = ++copies;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-tamper-'));
    cleanup.push(dir);
    const keyFile = path.join(dir, 'audit', 'audit.key');
    const checkpointFile = path.join(dir, 'audit', 'audit-checkpoints.jsonl');
    if (!fresh) {
      fs.mkdirSync(path.dirname(keyFile), { mode: 0o700 });
      fs.copyFileSync(server.config.audit.keyFile, keyFile);
      fs.copyFileSync(server.config.audit.checkpointFile, checkpointFile);
    }
    const dataDir = path.join(dir, 'data');
    let databaseUrl: string | undefined;
    if (pgServer) {
      await asSuperuser(pgServer.superuserUrl.replace('/vitrine?', '/postgres?'), (c) =>
        c.query(`create database trail_${n} ${fresh ? '' : 'template vitrine'} owner vitrine`),
      );
      databaseUrl = pgServer.url.replace('/vitrine?', `/trail_${n}?`);
    } else if (!fresh) {
      fs.cpSync(server.config.database.dataDir, dataDir, { recursive: true });
    }
    // The schema as the server makes it, without the server's first start (which keys the trail).
    if (fresh) await (await openDatabase({ databaseUrl, dataDir })).close();
    const env = {
      ENCRYPTION: 'off',
      DATA_DIR: dataDir,
      AUDIT_KEY_FILE: keyFile,
      AUDIT_CHECKPOINT_FILE: checkpointFile,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    const config = loadConfig({ ...env, PORT: '0', RUNTIME_DIR: path.join(dir, 'run') });
    const cli = (...args: string[]) => runCli(env, ...args);
    /** Statements run behind the application's back: the superuser, with the append-only triggers off. */
    const tamper = async (work: (query: (text: string, values?: unknown[]) => Promise<Row[]>) => Promise<void>) => {
      if (databaseUrl) {
        await asSuperuser(databaseUrl.replace('vitrine@', 'postgres@'), async (c) => {
          await c.query('set session_replication_role = replica');
          await work(async (text, values) => (await c.query<Row>(text, values)).rows);
        });
      } else {
        const db = await openDatabase({ dataDir });
        try {
          await sql`set session_replication_role = replica`.execute(db.db);
          await work(async (text, values) => {
            const q = sql.raw<Row>(text.replace(/\$(\d+)/g, (_, i: string) => literal(values?.[Number(i) - 1])));
            return (await q.execute(db.db)).rows;
          });
        } finally {
          await db.close();
        }
      }
    };
    const rows = async () => {
      let all: Row[] = [];
      await tamper(async (query) => {
        all = await query('select * from audit_events order by seq');
      });
      return all;
    };
    /** Gives every event from `from` on (renumbered from there) a plain SHA-256 hash linking it to the one before. */
    const rehash = async (from: number) => {
      const all = await rows();
      await tamper(async (query) => {
        let prev = all.find((r) => Number(r.seq) === from - 1)?.hash ?? '0'.repeat(64);
        let seq = from;
        for (const r of all.filter((x) => Number(x.seq) >= from)) {
          const hash = plainHash(r, seq, prev);
          await query('update audit_events set seq = $1, prev_hash = $2, hash = $3 where seq = $4', [
            seq,
            prev,
            hash,
            Number(r.seq),
          ]);
          prev = hash;
          seq++;
        }
      });
    };
    return { config, cli, tamper, rows, rehash };
  }

  it('an event edited and every later hash recomputed with plain SHA-256: a rewrite at that event', async () => {
    const t = await stoppedTrail();
    expect(await t.cli('audit', 'verify')).toMatchObject({
      code: 0,
      out: expect.stringContaining('audit trail intact'),
    });
    const target = Number((await t.rows()).at(-6)!.seq);
    await t.tamper(async (query) => {
      await query(`update audit_events set ip = '10.9.9.9', outcome = 'ok' where seq = $1`, [target]);
    });
    await t.rehash(target);
    const broken = await t.cli('audit', 'verify');
    expect(broken.code, broken.out).toBe(1);
    expect(broken.out).toContain(`BROKEN at event ${target}: event ${target} was changed after it was recorded`);
  }, 240_000);

  it('an event deleted and the rest renumbered and rehashed: a rewrite at its place', async () => {
    const t = await stoppedTrail();
    const target = Number((await t.rows()).at(-5)!.seq);
    await t.tamper(async (query) => {
      await query('delete from audit_events where seq = $1', [target]);
    });
    await t.rehash(target);
    const all = await t.rows();
    expect(all.map((r) => Number(r.seq))).toEqual(all.map((_, i) => i + 1));
    const broken = await t.cli('audit', 'verify');
    expect(broken.code, broken.out).toBe(1);
    expect(broken.out).toContain(`BROKEN at event ${target}: event ${target} was changed after it was recorded`);
  }, 240_000);

  it('the newest events deleted: a truncation against the exported checkpoint, then a mismatch once the trail grows past it', async () => {
    const t = await stoppedTrail();
    const head = Number((await t.rows()).at(-1)!.seq);
    await t.tamper(async (query) => {
      await query('delete from audit_events where seq > $1', [head - 3]);
    });
    const broken = await t.cli('audit', 'verify');
    expect(broken.code, broken.out).toBe(1);
    expect(broken.out).toContain(`BROKEN at event ${head - 2}: the newest events were removed`);
    expect(broken.out).toContain(`covers event ${head}, the trail ends at event ${head - 3}`);

    // The trail goes on from the truncated head (that command recorded itself), past the checkpoint.
    const core = await openCoreServices(t.config, () => t.config.http.publicUrl, { error: () => {} });
    try {
      for (let i = 0; i < 2; i++)
        await core.audit.record({ actor: { id: null, role: 'system' }, action: 'server.start', outcome: 'ok' });
      expect(await core.auditStore.verify()).toMatchObject({
        ok: false,
        brokenAt: head,
        checked: head - 1,
        problemKind: 'anchor-mismatch',
        problem: expect.stringContaining(`event ${head} does not match the checkpoint exported at`),
      });
    } finally {
      await core.close();
    }
  }, 240_000);

  it('an edited checkpoint file is reported; without renumbering, a deleted event is a gap', async () => {
    const t = await stoppedTrail();
    const file = t.config.audit.checkpointFile;
    const original = fs.readFileSync(file, 'utf8');
    const lines = original.trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { seq: number };
    // Moving the newest checkpoint back would hide a later truncation: the signature no longer fits.
    fs.writeFileSync(file, [...lines.slice(0, -1), JSON.stringify({ ...last, seq: last.seq - 2 })].join('\n') + '\n');
    const edited = await t.cli('audit', 'verify');
    expect(edited.code, edited.out).toBe(1);
    expect(edited.out).toMatch(/has a bad signature: it was edited, or written with another key \[checkpoint-file\]/);
    fs.writeFileSync(file, original);

    const target = Number((await t.rows()).at(-4)!.seq);
    await t.tamper(async (query) => {
      await query('delete from audit_events where seq = $1', [target]);
    });
    const gap = await t.cli('audit', 'verify');
    expect(gap.code, gap.out).toBe(1);
    expect(gap.out).toContain(`BROKEN at event ${target}: event ${target} is missing [gap]`);
  }, 240_000);

  it('a trail recorded before the key still verifies by the old rule, and is covered from the first keyed event on', async () => {
    const t = await stoppedTrail({ fresh: true });
    // What the code before the key wrote (migration 007 marks such rows scheme 1): plain SHA-256.
    await t.tamper(async (query) => {
      let prev = '0'.repeat(64);
      for (let seq = 1; seq <= 5; seq++) {
        const r = { ...LEGACY, at: new Date(Date.UTC(2026, 10, 1, 10, seq)), detail: JSON.stringify({ seq }) };
        const hash = plainHash(r, seq, prev);
        await query(
          `insert into audit_events (seq, at, actor_role, action, outcome, ip, detail, prev_hash, hash, scheme)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)`,
          [seq, r.at, r.actor_role, r.action, r.outcome, r.ip, r.detail, prev, hash],
        );
        prev = hash;
      }
    });
    const core = await openCoreServices(t.config, () => t.config.http.publicUrl, { error: () => {} });
    try {
      for (let i = 0; i < 2; i++)
        await core.audit.record({ actor: { id: null, role: 'system' }, action: 'server.start', outcome: 'ok' });
      expect(await core.auditStore.verify()).toMatchObject({ ok: true, checked: 7, keyedFromSeq: 6 });
    } finally {
      await core.close();
    }
    const intact = await t.cli('audit', 'verify');
    expect(intact.code, intact.out).toBe(0);
    expect(intact.out).toContain('events 1–5 were recorded before the trail had a key');

    // Rewriting those old events now, by their own rule, breaks the chain where the key begins.
    await t.tamper(async (query) => {
      await query(`update audit_events set ip = '10.9.9.9' where seq = 2`);
    });
    await t.rehash(2);
    const broken = await t.cli('audit', 'verify');
    expect(broken.code, broken.out).toBe(1);
    expect(broken.out).toContain('BROKEN at event 6: event 6 was changed after it was recorded');
  }, 240_000);

  it('keeps its key outside the database: made 0600 on the first start, refused when missing or another', async () => {
    const t = await stoppedTrail();
    // As the server made them on its first start, beside (not in) its DATA_DIR.
    const made = server.config.audit;
    expect(fs.statSync(made.keyFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(made.checkpointFile).mode & 0o777).toBe(0o600);
    expect(path.relative(server.config.database.dataDir, made.keyFile)).toMatch(/^\.\.\//);
    const key = fs.readFileSync(made.keyFile, 'utf8').trim();
    expect(fs.readFileSync(made.checkpointFile, 'utf8')).not.toContain(key);

    const { keyFile } = t.config.audit;
    const open = () => openCoreServices(t.config, () => t.config.http.publicUrl, { error: () => {} });

    fs.renameSync(keyFile, `${keyFile}.away`);
    await expect(open()).rejects.toThrow(/AUDIT_KEY_FILE .* is missing, but this database's audit trail is sealed/);
    expect(fs.existsSync(keyFile)).toBe(false);
    fs.writeFileSync(keyFile, `${Buffer.alloc(32, 1).toString('base64')}\n`, { mode: 0o600 });
    await expect(open()).rejects.toThrow(/is not the key this database's audit trail was sealed with/);
    fs.renameSync(`${keyFile}.away`, keyFile);

    // The key record removed (and the events left as they were): the trail is not silently re-keyed.
    await t.tamper(async (query) => {
      await query('delete from audit_trail');
    });
    await expect(open()).rejects.toThrow(/key record is missing/);
  }, 240_000);
});

/** An event as the code before the key recorded it (only what these tests need differs). */
const LEGACY: Row = {
  seq: 0,
  at: new Date(0),
  actor_id: null,
  actor_role: 'system',
  action: 'server.start',
  target_type: null,
  target_id: null,
  target_path: null,
  outcome: 'ok',
  reason: null,
  ip: '127.0.0.1',
  user_agent: null,
  correlation_id: null,
  owner_id: null,
  share_id: null,
  session_id: null,
  detail: '{}',
  prev_hash: '',
  hash: '',
};

async function asSuperuser(url: string, work: (c: pg.Client) => Promise<unknown>): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await work(c);
  } finally {
    await c.end();
  }
}

/** PGlite through Kysely's raw SQL: the few values these statements use, as literals. */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return String(v);
  return `'${(v instanceof Date ? v.toISOString() : String(v)).replaceAll("'", "''")}'`;
}
