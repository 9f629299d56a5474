import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiErrorBody,
  AuditVerifyResult,
  InvitationLink,
  RecordingDetail,
  RecordingList,
  ServerSignal,
} from '@vitrine/protocol';
import { call, register, signIn, type TestUser } from '../auth-client.ts';
import { startTestServer, waitFor, type TestServer, unmountVolume } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { startServerProcess } from '../server-process.ts';
import { recordedSession } from '../recorded-session.ts';
import { WeriftViewer } from '../werift-viewer.ts';
import { openDetail } from '../../src/audit/sealed-detail.ts';

/**
 * Issue 17 on a real server, sandbox and encoder: a recorded share's session is written as
 * hashed segments on the trail, replayable only by its owner; the owner watches live with the
 * same stream; `audit verify` names an edited or missing segment; kill -9 keeps what was finished.
 */
const viewers: WeriftViewer[] = [];
afterEach(async () => {
  for (const v of viewers.splice(0)) await v.close().catch(() => {});
});

function viewer(user: TestUser, sessionId: string, query = ''): WeriftViewer {
  const v = new WeriftViewer(user, sessionId, { query, h264: true });
  viewers.push(v);
  return v;
}

const participants = (v: WeriftViewer) =>
  v.messages.filter((m): m is Extract<ServerSignal, { type: 'participants' }> => m.type === 'participants').at(-1);

describe.each(['pglite', 'postgres'] as const)('recorded and watched sessions on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  let otherOwner: TestUser;

  beforeAll(async () => {
    if (kind === 'postgres') pg = startTestPostgres();
    server = await startTestServer({ RECORDING_SEGMENT: '1s', ...(pg ? { DATABASE_URL: pg.url } : {}) });
    owner = server.owner;
    const invite = (await call<InvitationLink>(owner, 'POST', '/api/admin/invitations', { email: 'otto@example.test' }))
      .body.link;
    otherOwner = await register(server.url, server.publicUrl(), invite, { displayName: 'Otto' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
  });

  it('records what the client is sent, lets its owner watch live and replay, and nobody else', async () => {
    const { client, id, seen } = await recordedSession(
      server.url,
      server.publicUrl(),
      owner,
      'cleo@example.test',
      viewer,
    );
    await waitFor('the client told it is recorded', () => participants(seen)?.recorded === true);

    // Another owner cannot watch; the share's owner can, and the client is told at once.
    expect(await viewer(otherOwner, id, 'watch=1').refused).toBe(404);
    const watcher = viewer(owner, id, 'watch=1');
    await waitFor('video to the owner too', () => watcher.rtpPackets > 20);
    await waitFor('the client sees Olive watching', () =>
      participants(seen)?.participants.some((p) => p.role === 'watcher' && p.name === 'Olive Owner'),
    );
    expect(participants(watcher)).toMatchObject({ you: 'watcher' });
    // One stream for both: its stamps now name the owner watching too.
    const sessionDir = path.join(server.runtimeDir, 'sessions', id);
    await waitFor('stamps naming the watcher', () =>
      fs
        .readdirSync(sessionDir)
        .filter((f) => /^watermark-\d+x\d+-\d+\.ass$/.test(f))
        .some((f) => fs.readFileSync(path.join(sessionDir, f), 'utf8').includes('+ Olive Owner')),
    );
    // Taking control and handing it back: everyone is told who drives (e2e proves whose input lands).
    watcher.send({ type: 'control', action: 'take' });
    await waitFor('the owner in control', () =>
      participants(seen)?.participants.some((p) => p.role === 'watcher' && p.controlling),
    );
    seen.send({ type: 'control', action: 'hand-back' });
    await waitFor('control back to the client', () =>
      participants(seen)?.participants.some((p) => p.role === 'client' && p.controlling),
    );

    await waitFor(
      'a few segments on the trail',
      async () => {
        await server.audit.flush();
        const n = await server.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('action', '=', 'recording.segment')
          .where('session_id', '=', id)
          .executeTakeFirst();
        return Number(n?.n ?? 0) >= 3;
      },
      30_000,
    );
    expect((await call(client, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);

    const list = await call<RecordingList>(owner, 'GET', `/api/recordings?sessionId=${id}`);
    expect(list.status).toBe(200);
    const rec = list.body.recordings[0]!;
    await waitFor('the recording finished', async () => {
      const r = await call<RecordingDetail>(owner, 'GET', `/api/recordings/${rec.id}`);
      return r.body.state === 'finished';
    });
    const detail = (await call<RecordingDetail>(owner, 'GET', `/api/recordings/${rec.id}`)).body;
    expect(detail.client?.displayName).toBe('Cleo Client');
    expect(detail.clips.length).toBeGreaterThanOrEqual(1);
    expect(detail.events.map((e) => e.text)).toEqual(
      expect.arrayContaining(['Cleo Client joined', 'Olive Owner (watching) joined', 'The owner took control']),
    );
    const clip = await fetch(`${server.url}/api/recordings/${rec.id}/clips/0`, { headers: { cookie: owner.cookie } });
    expect(clip.status).toBe(200);
    expect(clip.headers.get('content-type')).toBe('video/mp4');
    const mp4 = Buffer.from(await clip.arrayBuffer());
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-rec-'));
    try {
      fs.writeFileSync(path.join(tmp, 'c.mp4'), mp4);
      const frames = Number(
        execFileSync(
          'ffprobe',
          [
            '-v',
            'error',
            '-count_frames',
            '-select_streams',
            'v',
            '-show_entries',
            'stream=nb_read_frames',
            '-of',
            'csv=p=0',
            path.join(tmp, 'c.mp4'),
          ],
          { encoding: 'utf8' },
        ).trim(),
      );
      expect(frames).toBeGreaterThan(10);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    const ranged = await fetch(`${server.url}/api/recordings/${rec.id}/clips/0`, {
      headers: { cookie: owner.cookie, range: 'bytes=0-99' },
    });
    expect([ranged.status, (await ranged.arrayBuffer()).byteLength]).toEqual([206, 100]);

    // The client, and another owner, meet nothing: no list, no recording, no clip, no removal.
    expect((await call<ApiErrorBody>(client, 'GET', '/api/recordings')).status).toBe(403);
    for (const who of [client, otherOwner]) {
      expect((await call(who, 'GET', `/api/recordings/${rec.id}`)).status).toBe(404);
      expect(
        (await fetch(`${server.url}/api/recordings/${rec.id}/clips/0`, { headers: { cookie: who.cookie } })).status,
      ).toBe(404);
      expect((await call(who, 'DELETE', `/api/recordings/${rec.id}`)).status).toBe(404);
    }
    expect((await call<RecordingList>(otherOwner, 'GET', '/api/recordings')).body.recordings).toEqual([]);

    // The trail vouches for every segment; an edited one is named, then a removed one.
    const verify = async () => (await call<AuditVerifyResult>(owner, 'GET', '/api/audit/verify')).body;
    const whole = await verify();
    expect(whole.ok, JSON.stringify(whole)).toBe(true);
    expect(whole.recordings).toMatchObject({ checked: 1 });
    expect(whole.recordings!.segments).toBe(detail.segments);
    const dir = path.join(server.config.recordings.dir, server.owner.me.id, rec.id);
    const seg1 = path.join(dir, 'seg-000001.ts');
    const bytes = fs.readFileSync(seg1);
    const edited = Buffer.from(bytes);
    const at = edited.length - 10;
    edited.writeUInt8(edited.readUInt8(at) ^ 0xff, at);
    fs.writeFileSync(seg1, edited);
    const broken = await verify();
    expect(broken).toMatchObject({ ok: false, problemKind: 'recording' });
    expect(broken.problem).toMatch(/segment 1 \(seg-000001\.ts\): seg-000001\.ts was changed/);
    // Played as evidence? No: the clip is refused while a segment does not match.
    expect(
      (await fetch(`${server.url}/api/recordings/${rec.id}/clips/0`, { headers: { cookie: owner.cookie } })).status,
    ).toBe(409);
    fs.writeFileSync(seg1, bytes);
    expect((await verify()).ok).toBe(true);
    const seg2 = fs.readFileSync(path.join(dir, 'seg-000002.ts'));
    fs.rmSync(path.join(dir, 'seg-000002.ts'));
    expect((await verify()).problem).toMatch(/seg-000002\.ts is missing/);
    // Put back with other bytes: still not what was recorded.
    fs.writeFileSync(path.join(dir, 'seg-000002.ts'), bytes);
    expect((await verify()).problem).toMatch(/seg-000002\.ts was changed/);

    fs.writeFileSync(path.join(dir, 'seg-000002.ts'), seg2);
    expect((await verify()).ok).toBe(true);
    // A segment slipped into the finished recording, which the trail never saw, is named too.
    fs.writeFileSync(path.join(dir, 'seg-000099.ts'), bytes);
    expect((await verify()).problem).toMatch(/seg-000099\.ts is not on the trail/);
    fs.rmSync(path.join(dir, 'seg-000099.ts'));
    // Reordered: segment 3's bytes where segment 2 was.
    fs.writeFileSync(path.join(dir, 'seg-000002.ts'), fs.readFileSync(path.join(dir, 'seg-000003.ts')));
    expect((await verify()).problem).toMatch(/seg-000002\.ts was changed/);

    // The owner removes it: files gone, and the purge is on the trail (verify is whole again).
    expect((await call(owner, 'DELETE', `/api/recordings/${rec.id}`)).status).toBe(204);
    expect(fs.existsSync(dir)).toBe(false);
    expect((await verify()).ok).toBe(true);
    const purged = await server.db
      .selectFrom('audit_events')
      .select(['reason', 'detail'])
      .where('action', '=', 'recording.purge')
      .where('target_id', '=', rec.id)
      .where('outcome', '=', 'ok')
      .where('actor_role', '=', 'owner')
      .execute();
    // One event for the removal (the client's and the other owner's attempts are on the trail as refused).
    expect(purged.map((p) => p.reason)).toEqual(['owner']);
  }, 120_000);

  it('purges recordings past RECORDING_RETENTION_DAYS, leaving what went on the trail', async () => {
    const { client, id } = await recordedSession(server.url, server.publicUrl(), owner, 'kept@example.test', viewer);
    expect((await call(client, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);
    const mine = async () =>
      (await call<RecordingList>(owner, 'GET', `/api/recordings?sessionId=${id}`)).body.recordings;
    await waitFor('finished', async () => (await mine())[0]?.state === 'finished');
    const [rec] = await mine();
    // Not yet old: kept. Ninety-one days on (the default retention is 90): purged.
    expect(await server.recordings.sweep()).toBe(0);
    expect(await server.recordings.sweep(Date.now() + 91 * 86_400_000)).toBeGreaterThanOrEqual(1);
    expect(await mine()).toEqual([]);
    expect(fs.existsSync(path.join(server.config.recordings.dir, owner.me.id, rec!.id))).toBe(false);
    const purged = await server.db
      .selectFrom('audit_events')
      .select(['reason', 'detail'])
      .where('action', '=', 'recording.purge')
      .where('target_id', '=', rec!.id)
      .executeTakeFirstOrThrow();
    expect(purged.reason).toBe('retention');
    expect(JSON.parse(openDetail(server.columnCipher, purged.detail))).toMatchObject({
      recordingId: rec!.id,
      segments: rec!.segments,
    });
    expect((await call<AuditVerifyResult>(owner, 'GET', '/api/audit/verify')).body.ok).toBe(true);
  }, 120_000);
});

describe('a recording when the server is killed', () => {
  const procs: ChildProcess[] = [];
  afterAll(() => {
    for (const p of procs) p.kill('SIGKILL');
  });

  it('keeps every finished segment playable and says on the trail what was lost', async () => {
    const runtimeDir = fs.mkdtempSync(path.join('/dev/shm', 'vitrine-rec-crash-'));
    try {
      const env = { RECORDING_SEGMENT: '1s' };
      const first = await startServerProcess(runtimeDir, env);
      procs.push(first.proc);
      const owner = await register(first.url, first.origin, first.setupLink!, {
        displayName: 'Olive Owner',
        email: 'o@example.test',
      });
      const { id, seen } = await recordedSession(first.url, first.origin, owner, 'cleo@example.test', viewer);
      const list = async (who: TestUser) => (await call<RecordingList>(who, 'GET', '/api/recordings')).body.recordings;
      await waitFor('three segments', async () => ((await list(owner))[0]?.segments ?? 0) >= 3, 30_000);
      first.proc.kill('SIGKILL');
      await seen.close();

      const second = await startServerProcess(runtimeDir, env);
      procs.push(second.proc);
      const again = await signIn(owner, second);
      const [rec] = await list(again);
      expect(rec!.state).toBe('interrupted');
      const detail = (await call<RecordingDetail>(again, 'GET', `/api/recordings/${rec!.id}`)).body;
      const dir = path.join(runtimeDir, 'data', 'volume', 'recordings', owner.me.id, rec!.id);
      // Exactly the finished segments remain, and they decode.
      const files = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .sort();
      expect(files.length).toBe(detail.segments);
      const out = execFileSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-count_frames',
          '-select_streams',
          'v',
          '-show_entries',
          'stream=nb_read_frames',
          '-of',
          'csv=p=0',
          `concat:${files.map((f) => path.join(dir, f)).join('|')}`,
        ],
        { encoding: 'utf8' },
      );
      expect(Number(out.trim().split(/[\s,]+/)[0]), out).toBeGreaterThan(10);
      const clip = await fetch(`${second.url}/api/recordings/${rec!.id}/clips/0`, {
        headers: { cookie: again.cookie },
      });
      expect(clip.status).toBe(200);
      const verify = (await call<AuditVerifyResult>(again, 'GET', '/api/audit/verify')).body;
      expect(verify.ok, JSON.stringify(verify)).toBe(true);
      const trail = (
        await call<{ events: Array<{ action: string; detail: Record<string, unknown> }> }>(
          again,
          'GET',
          `/api/audit?session=${id}&order=asc&limit=500`,
        )
      ).body.events;
      const cut = trail.find((e) => e.action === 'recording.interrupted');
      expect(cut?.detail).toMatchObject({ segmentsKept: detail.segments });
    } finally {
      for (const p of procs.splice(0)) {
        p.kill('SIGTERM');
        await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));
      }
      unmountVolume(path.join(runtimeDir, 'data'));
      fs.rmSync(runtimeDir, { recursive: true, force: true });
    }
  }, 120_000);
});
