import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FolderListing, RecordingList, Share, TrashItem } from '@vitrine/protocol';
import { call, signIn, type TestUser } from '../auth-client.ts';
import { runCli, startTestServer, unmountVolume, waitFor, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { scanRaw } from '../raw-scan.ts';
import { recordedSession } from '../recorded-session.ts';
import { WeriftViewer } from '../werift-viewer.ts';

/**
 * Issue 18's backup: made with `backup` while the server runs (files, trash, a share and its
 * client, a finished recording), then everything but the backup and the master key removed, then
 * `./vitrine restore` onto a fresh data folder (and a fresh database): every file, share, account
 * and audit event is back, `./vitrine audit verify` passes (recordings included), and the owner
 * signs in with the same passkey. Without the master key the backup is noise.
 */
const viewers: WeriftViewer[] = [];
afterEach(async () => {
  for (const v of viewers.splice(0)) await v.close().catch(() => {});
});
const view = (user: TestUser, sessionId: string) => {
  const v = new WeriftViewer(user, sessionId, { h264: true });
  viewers.push(v);
  return v;
};

async function whatIsThere(user: TestUser) {
  const list = async (p: string) =>
    (await call<FolderListing>(user, 'GET', `/api/files?path=${encodeURIComponent(p)}`)).body;
  const bytes = async (p: string) =>
    Buffer.from(
      await (
        await fetch(`${user.url}/api/files/content?path=${encodeURIComponent(p)}`, { headers: { cookie: user.cookie } })
      ).arrayBuffer(),
    ).toString('base64');
  return {
    root: (await list('')).entries.map((e) => [e.name, e.kind, e.size]),
    reports: (await list('Reports')).entries.map((e) => [e.name, e.kind, e.size, e.modifiedAt]),
    scan: await bytes('Reports/scan.bin'),
    trash: (await call<TrashItem[]>(user, 'GET', '/api/trash')).body.map((t) => [t.id, t.originalPath, t.size]),
    shares: (await call<Share[]>(user, 'GET', '/api/shares')).body,
    recordings: (await call<RecordingList>(user, 'GET', '/api/recordings')).body.recordings.map((r) => [
      r.id,
      r.state,
      r.segments,
    ]),
  };
}

describe.each(['pglite', 'postgres'] as const)('backup and restore on %s', (kind) => {
  let database: TestPostgres | undefined;
  let server: TestServer | undefined;
  let restored: TestServer | undefined;
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-backup-'));
  });
  afterAll(async () => {
    await server?.close();
    await restored?.close();
    if (work) {
      unmountVolume(path.join(work, 'fresh'));
      fs.rmSync(work, { recursive: true, force: true });
    }
    database?.stop();
  });

  it(
    'backup while running → wipe → restore: everything is back and the trail verifies',
    { timeout: 240_000 },
    async () => {
      if (kind === 'postgres') database = startTestPostgres();
      server = await startTestServer({ RECORDING_SEGMENT: '1s', ...(database ? { DATABASE_URL: database.url } : {}) });
      const owner = server.owner;
      const marker = `vitrine-backup-marker-${randomBytes(6).toString('hex')}`;
      expect((await call(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
      const put = (p: string, body: Buffer | string) =>
        fetch(`${owner.url}/api/files/content?path=${encodeURIComponent(p)}`, {
          method: 'PUT',
          headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream' },
          body,
        }).then((r) => expect(r.status).toBe(201));
      await put('Reports/scan.bin', Buffer.concat([randomBytes(3 * 2 ** 20), Buffer.from(marker)]));
      await put('Reports/notes.txt', `${marker} notes`);
      await put('draft.txt', 'to the trash');
      expect((await call(owner, 'DELETE', '/api/files?path=draft.txt')).status).toBe(200);
      const { client, id } = await recordedSession(server.url, server.publicUrl(), owner, 'cleo@example.test', view);
      await waitFor(
        'two segments',
        async () =>
          ((await call<RecordingList>(owner, 'GET', `/api/recordings?sessionId=${id}`)).body.recordings[0]?.segments ??
            0) >= 2,
      );
      expect((await call(client, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);
      await waitFor(
        'the recording finished',
        async () =>
          (await call<RecordingList>(owner, 'GET', `/api/recordings?sessionId=${id}`)).body.recordings[0]?.state ===
          'finished',
      );
      const before = await whatIsThere(owner);
      await server.audit.flush();
      const events = await server.db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq').execute();
      const users = await server.db.selectFrom('users').select(['id', 'email', 'role']).orderBy('email').execute();

      const backupFile = path.join(work, 'vitrine.vbak');
      const made = await server.operator.backup(backupFile);
      expect(made).toMatchObject({ files: expect.any(Number), rows: expect.any(Number) });
      expect(made.files).toBeGreaterThanOrEqual(5);
      expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
      expect(scanRaw(work, { marker: Buffer.from(marker) })).toEqual([]);

      // The machine is gone; the master key was kept apart, the backup elsewhere.
      const masterKey = path.join(work, 'master.key');
      fs.copyFileSync(server.config.encryption.masterKeyFile, masterKey);
      await server.close();
      server = undefined;
      let databaseUrl: string | undefined;
      if (database) {
        const su = new pg.Client({ connectionString: database.superuserUrl.replace('/vitrine?', '/postgres?') });
        await su.connect();
        await su.query('create database restored owner vitrine');
        await su.end();
        databaseUrl = database.url.replace('/vitrine?', '/restored?');
      }
      const fresh = path.join(work, 'fresh');
      const env = {
        DATA_DIR: fresh,
        MASTER_KEY_FILE: masterKey,
        AUDIT_KEY_FILE: path.join(work, 'audit', 'audit.key'),
        AUDIT_CHECKPOINT_FILE: path.join(work, 'audit', 'audit-checkpoints.jsonl'),
        ENCRYPTED_VOLUME_SIZE: '2G',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      };
      const restore = await runCli(env, 'restore', backupFile);
      expect(restore.code, restore.out).toBe(0);
      const verify = await runCli(env, 'audit', 'verify');
      expect(verify.code, verify.out).toBe(0);
      expect(verify.out).toMatch(/audit trail intact/);

      restored = await startTestServer({ ...env, RECORDING_SEGMENT: '1s' }, { registerOwner: false });
      const back = await signIn({ ...owner, url: restored.url }, { url: restored.url, origin: restored.publicUrl() });
      expect(await whatIsThere(back)).toEqual(before);
      expect(await restored.db.selectFrom('users').select(['id', 'email', 'role']).orderBy('email').execute()).toEqual(
        users,
      );
      const now = await restored.db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq').execute();
      expect(now.slice(0, events.length)).toEqual(events);
      const verified = await restored.operator.verifyAudit();
      expect(verified).toMatchObject({ ok: true, recordings: { checked: 1 } });
    },
  );
});
