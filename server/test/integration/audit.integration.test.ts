import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, AuditPage, AuditVerifyResult, CreatedShare } from '@vitrine/protocol';
import {
  api,
  createShare,
  openStoppedDatabase,
  runCli,
  startTestServer,
  waitFor,
  type TestServer,
} from '../helpers.ts';
import { call, register, signIn, tokenOf, type TestUser } from '../auth-client.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { sweepExpirations } from '../../src/audit/expiry-sweep.ts';

describe.each(['pglite', 'postgres'] as const)('audit trail on %s', (kind) => {
  let pgServer: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  let client: TestUser;
  let share: CreatedShare;

  const events = async (query = '', as: TestUser = owner) => {
    await server.audit.flush();
    const res = await api<AuditPage>(as, 'GET', `/api/audit?${query.includes('limit=') ? '' : 'limit=500&'}${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.events;
  };
  const cli = (...args: string[]) =>
    runCli(
      {
        DATA_DIR: server.config.encryption.dataDir,
        MASTER_KEY_FILE: server.config.encryption.masterKeyFile,
        AUDIT_KEY_FILE: server.config.audit.keyFile,
        AUDIT_CHECKPOINT_FILE: server.config.audit.checkpointFile,
        ...(pgServer ? { DATABASE_URL: pgServer.url } : {}),
      },
      ...args,
    );

  beforeAll(async () => {
    if (kind === 'postgres') pgServer = startTestPostgres();
    server = await startTestServer({
      EXPIRY_CHECK_INTERVAL: '1s',
      ...(pgServer ? { DATABASE_URL: pgServer.url } : {}),
    });
    owner = server.owner;
    expect((await api(owner, 'POST', '/api/files/folders', { path: 'Shared' })).status).toBe(201);
    share = await createShare(owner, {
      clientEmail: 'cleo@example.test',
      label: 'Audit',
      paths: [{ path: 'Shared', access: 'view' }],
    });
    client = await register(server.url, server.publicUrl(), share.invitation.link, { displayName: 'Cleo' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pgServer?.stop();
  });

  it('records each API request once: actor, outcome, address, agent and correlation id, refusals included', async () => {
    const anonymous = await call(server.url, 'GET', '/api/files', undefined, { 'user-agent': 'probe/1' });
    expect(anonymous.status).toBe(401);
    const refused = await call(client, 'GET', '/api/files?path=secret.txt', undefined, { 'user-agent': 'probe/2' });
    expect(refused.status).toBe(403);
    const made = await call(owner, 'POST', '/api/files/folders', { path: 'Reports' }, { 'user-agent': 'probe/3' });
    expect(made.status).toBe(201);
    const missing = await call(owner, 'GET', `/api/shares/${crypto.randomUUID()}`, undefined, {
      'user-agent': 'probe/4',
    });
    expect(missing.status).toBe(404);

    const all = await events('scope=server');
    const byAgent = (ua: string) => all.filter((e) => e.userAgent === ua);
    for (const ua of ['probe/1', 'probe/2', 'probe/3', 'probe/4']) expect(byAgent(ua), ua).toHaveLength(1);
    expect(byAgent('probe/1')[0]).toMatchObject({
      actor: { id: null, role: 'anonymous' },
      action: 'file.list',
      outcome: 'denied',
      reason: 'unauthenticated',
      ip: '127.0.0.1',
      correlationId: anonymous.headers.get('x-correlation-id'),
    });
    expect(byAgent('probe/2')[0]).toMatchObject({
      actor: { id: client.me.id, role: 'client', email: 'cleo@example.test' },
      action: 'file.list',
      target: { type: 'file', path: 'secret.txt' },
      outcome: 'denied',
      reason: 'forbidden',
    });
    expect(byAgent('probe/3')[0]).toMatchObject({
      actor: { id: owner.me.id, role: 'owner' },
      action: 'file.create-folder',
      target: { path: 'Reports' },
      outcome: 'ok',
      correlationId: made.headers.get('x-correlation-id'),
    });
    // Someone else's (or no) share answers 404 so ids cannot be probed; the trail still says "denied" for policy hides.
    expect(byAgent('probe/4')[0]).toMatchObject({ action: 'share.get', outcome: 'failed', reason: 'not-found' });
    expect(new Set(all.map((e) => e.correlationId)).size).toBeGreaterThan(5);
  });

  it('owners see their own part, clients none; admins see the whole server', async () => {
    const mine = await events();
    expect(mine.some((e) => e.action === 'share.create' && e.shareId === share.share.id)).toBe(true);
    // The client's registration through the owner's invitation is about the owner's share.
    expect(mine.some((e) => e.action === 'auth.register' && e.actor.id === client.me.id)).toBe(true);
    expect(mine.some((e) => e.action === 'server.start')).toBe(false);
    expect((await api(client, 'GET', '/api/audit')).status).toBe(403);
    expect((await api(client, 'GET', '/api/audit/verify')).status).toBe(403);
    const other = await register(
      server.url,
      server.publicUrl(),
      (await api<{ link: string }>(owner, 'POST', '/api/admin/invitations', { email: 'otto@example.test' })).body.link,
      { displayName: 'Otto' },
    );
    expect((await api(other, 'GET', '/api/audit?scope=server')).status).toBe(403);
    const hers = await events('', other);
    expect(hers.every((e) => e.actor.id === other.me.id)).toBe(true);
    expect((await events('scope=server')).some((e) => e.action === 'server.start')).toBe(true);
  });

  it('filters by person, share, action family, outcome and time, and pages newest first', async () => {
    expect((await events(`person=${client.me.id}`)).every((e) => e.actor.id === client.me.id)).toBe(true);
    expect((await events(`share=${share.share.id}`)).every((e) => e.shareId === share.share.id)).toBe(true);
    const files = await events('scope=server&action=file.');
    expect(files.length).toBeGreaterThan(1);
    expect(files.every((e) => e.action.startsWith('file.'))).toBe(true);
    expect((await events('scope=server&outcome=denied')).every((e) => e.outcome === 'denied')).toBe(true);
    expect(await events(`scope=server&from=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);

    const first = (await api<AuditPage>(owner, 'GET', '/api/audit?scope=server&limit=3')).body;
    expect(first.events.map((e) => e.seq)).toEqual([...first.events.map((e) => e.seq)].sort((a, b) => b - a));
    const second = (await api<AuditPage>(owner, 'GET', `/api/audit?scope=server&limit=3&before=${first.nextBefore}`))
      .body;
    expect(second.events[0]!.seq).toBe(first.events[2]!.seq - 1);
    expect((await api(owner, 'GET', '/api/audit?action=DROP%20TABLE')).status).toBe(400);
  });

  it('exports CSV and JSON lines with every matching event', async () => {
    const csv = await call<string>(owner, 'GET', '/api/audit/export?format=csv&scope=server');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="vitrine-audit-.*\.csv"$/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,time,actor_id,actor_role,/);
    const all = await events('scope=server');
    // The export itself is recorded before it is answered, so it may hold one more than the page read before.
    expect(lines.length - 1).toBeGreaterThanOrEqual(all.length);
    const jsonl = await call<string>(owner, 'GET', '/api/audit/export?format=jsonl&scope=server&action=share.');
    const parsed = jsonl.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(parsed.length).toBeGreaterThan(0);
    expect(parsed.every((e) => e.action.startsWith('share.'))).toBe(true);
  });

  it('never stores secrets: no cookie, invitation token or passkey challenge', async () => {
    const again = await signIn(owner);
    const all = JSON.stringify(await events('scope=server'));
    for (const secret of [
      owner.cookie.split('=')[1]!,
      again.cookie.split('=')[1]!,
      client.cookie.split('=')[1]!,
      tokenOf(share.invitation.link),
      tokenOf(server.setupLink),
    ]) {
      expect(all).not.toContain(secret);
    }
  });

  it('records expiries once each: shares, unused invitations and sign-ins', async () => {
    const soon = await api<CreatedShare>(owner, 'POST', '/api/shares', {
      clientEmail: 'late@example.test',
      label: 'Short',
      paths: [{ path: 'Shared', access: 'view' }],
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    const expired = await waitFor('share.expired recorded', async () =>
      (await events(`action=share.expired&share=${soon.body.share.id}`)).at(0),
    );
    expect(expired).toMatchObject({ actor: { role: 'system' }, target: { type: 'share', id: soon.body.share.id } });
    // Later, the invitation runs out and so do the sign-ins.
    const later = new Date(Date.now() + 30 * 86_400_000);
    expect(
      await sweepExpirations(server.db, server.audit, { idleTimeoutMs: server.config.auth.signInIdleTimeoutMs }, later),
    ).toBeGreaterThan(2);
    expect(
      await sweepExpirations(server.db, server.audit, { idleTimeoutMs: server.config.auth.signInIdleTimeoutMs }, later),
    ).toBe(0);
    const all = await events('scope=server');
    expect(all.filter((e) => e.action === 'share.expired' && e.shareId === soon.body.share.id)).toHaveLength(1);
    expect(all.filter((e) => e.action === 'invitation.expired' && e.shareId === soon.body.share.id)).toHaveLength(1);
    const signIns = all.filter((e) => e.action === 'auth.sign-in-expired');
    expect(signIns.some((e) => e.target.id === client.me.id)).toBe(true);
    // The owner sees their client's sign-in expiring.
    expect((await events(`action=auth.sign-in-expired&person=${client.me.id}`)).length).toBeGreaterThan(0);
  });

  it('fails closed: while the trail cannot be written, nothing is confirmed and no cookie leaves', async () => {
    // Make every append fail, behind the application's back.
    await sql`alter table audit_events rename to audit_events_away`.execute(server.db);
    try {
      const opts = await call<{ ceremonyId: string; options: never }>(
        server.url,
        'POST',
        '/api/auth/login/options',
        {},
      );
      expect(opts.status).toBe(503);
      const refused = await call(owner, 'POST', '/api/shares', {
        clientEmail: 'x@example.test',
        paths: [{ path: 'Shared', access: 'view' }],
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ error: 'audit-unavailable' });
    } finally {
      await sql`alter table audit_events_away rename to audit_events`.execute(server.db);
    }
    const shares = (await api<unknown[]>(owner, 'GET', '/api/shares')).body.length;
    // Writable again: the next sign-in goes through, and is recorded.
    const back = await signIn(owner);
    expect(back.cookie).toMatch(/vitrine_session=/);
    expect((await api<unknown[]>(owner, 'GET', '/api/shares')).body.length).toBe(shares);
  });

  it('is append-only for the runtime role; verify finds an edited or removed event at its place', async () => {
    const verified = await api<AuditVerifyResult>(owner, 'GET', '/api/audit/verify');
    expect(verified.body).toMatchObject({ ok: true, brokenAt: null, fromSeq: 1 });
    expect(verified.body.checked).toBeGreaterThan(20);

    for (const statement of [
      sql`update audit_events set outcome = 'ok' where outcome = 'denied'`,
      sql`delete from audit_events where seq = 3`,
      sql`truncate audit_events`,
    ]) {
      await expect(statement.execute(server.db)).rejects.toThrow(
        kind === 'postgres' ? /permission denied/ : /append-only/,
      );
    }
    if (pgServer) {
      // Even the superuser meets the trigger.
      const su = new pg.Client({ connectionString: pgServer.superuserUrl });
      await su.connect();
      await expect(su.query(`update audit_events set ip = '10.0.0.1' where seq = 2`)).rejects.toThrow(/append-only/);
      await su.end();
    }

    // Retention: the oldest events go, a checkpoint keeps the rest verifiable.
    const head = (await events('scope=server&limit=1')).at(0)!;
    const oldest = (await events('scope=server&order=asc&limit=5'))[4]!;
    const purged = await server.auditStore.purgeBefore(new Date(new Date(oldest.at).getTime() + 1));
    expect(purged).toBeGreaterThanOrEqual(5);
    const after = (await api<AuditVerifyResult>(owner, 'GET', '/api/audit/verify')).body;
    expect(after).toMatchObject({ ok: true, checkpoint: { throughSeq: purged, purged } });
    expect(after.fromSeq).toBe(purged + 1);
    expect(after.lastSeq).toBeGreaterThanOrEqual(head.seq);
    await expect(sql`update audit_checkpoints set hash = 'x'`.execute(server.db)).rejects.toThrow(
      kind === 'postgres' ? /permission denied/ : /append-only/,
    );
    await expect(sql`delete from audit_events where seq = ${purged + 1}`.execute(server.db)).rejects.toThrow(
      kind === 'postgres' ? /permission denied/ : /append-only/,
    );

    // Stopped, not cleaned up: the data stays for the operator's command. What was still
    // buffered at shutdown (this query's event, then the stop itself) was written.
    await api(owner, 'GET', '/api/shares');
    await server.app.close();
    const last = await (async () => {
      const query = 'select action, detail from audit_events order by seq desc limit 2';
      if (pgServer) {
        const su = new pg.Client({ connectionString: pgServer.superuserUrl });
        await su.connect();
        const rows = (await su.query<{ action: string; detail: string }>(query)).rows;
        await su.end();
        return rows;
      }
      const db = await openStoppedDatabase(server.config);
      const rows = (await sql.raw<{ action: string; detail: string }>(query).execute(db.db)).rows;
      await db.close();
      return rows;
    })();
    expect(last.map((r) => r.action)).toEqual(['server.stop', 'share.list']);
    const intact = await cli('audit', 'verify');
    expect(intact.code, intact.out).toBe(0);
    expect(intact.out).toMatch(/audit trail intact: \d+ events verified/);

    // Behind the application's back (triggers off), as an intruder with the superuser would.
    const tamper = async (statement: string) => {
      if (pgServer) {
        const su = new pg.Client({ connectionString: pgServer.superuserUrl });
        await su.connect();
        await su.query('set session_replication_role = replica');
        await su.query(statement);
        await su.end();
      } else {
        const db = await openStoppedDatabase(server.config);
        await sql`set session_replication_role = replica`.execute(db.db);
        await sql.raw(statement).execute(db.db);
        await db.close();
      }
    };
    const target = head.seq - 3;
    await tamper(`update audit_events set ip = '10.9.9.9' where seq = ${target}`);
    const broken = await cli('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`BROKEN at event ${target}: event ${target} was changed after it was recorded`);

    await tamper(`delete from audit_events where seq < ${target} and seq > ${target - 3}`);
    const gap = await cli('audit', 'verify');
    expect(gap.code).toBe(1);
    expect(gap.out).toContain(`BROKEN at event ${target - 2}: event ${target - 2}–${target - 1} is missing`);
  }, 60_000);
});
