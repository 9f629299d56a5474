import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import type { AuditEvent, AuditPage, SessionInfo } from '@vitrine/protocol';
import { api, idleAppsRoot, waitFor, unmountVolume } from '../helpers.ts';
import { register, signIn, type TestUser } from '../auth-client.ts';
import { startTestPostgres } from '../postgres.ts';
import { startServerProcess } from '../server-process.ts';

const CLAIMS = 40;
const children: ChildProcess[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) c();
});

/** An upload that sends its first megabyte of ten and then stalls (the request stays open). */
function stalledUpload(owner: TestUser, relPath: string): http.ClientRequest {
  const req = http.request(`${owner.url}/api/files/content?path=${encodeURIComponent(relPath)}`, {
    method: 'PUT',
    headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream', 'content-length': 10 * 2 ** 20 },
  });
  req.on('error', () => {});
  req.write(Buffer.alloc(2 ** 20, 7));
  return req;
}

async function trail(user: TestUser, query: string): Promise<AuditEvent[]> {
  return (await api<AuditPage>(user, 'GET', `/api/audit?${query}&order=asc&limit=500`)).body.events;
}

it(
  'kill -9 loses no app claim the server had received, and leaves a trail and no file for an upload it cut',
  { timeout: 180_000 },
  async () => {
    const runtimeDir = fs.mkdtempSync(path.join('/dev/shm', 'vitrine-crash-loss-'));
    const appsRoot = idleAppsRoot();
    const database = startTestPostgres();
    cleanups.push(() => database.stop());
    cleanups.push(() => {
      unmountVolume(path.join(runtimeDir, 'data'));
      fs.rmSync(runtimeDir, { recursive: true, force: true });
    });
    cleanups.push(() => fs.rmSync(appsRoot, { recursive: true, force: true }));
    const env = { APPS_ROOT: appsRoot, DATABASE_URL: database.url };

    const first = await startServerProcess(runtimeDir, env);
    children.push(first.proc);
    const owner = await register(first.url, first.origin, first.setupLink!, {
      displayName: 'O',
      email: 'o@example.test',
    });
    const { body: session } = await api<SessionInfo>(owner, 'POST', '/api/sessions', { appId: 'idle' });

    // An upload in flight: its temporary file is there, its answer (and audit event) not yet.
    const upload = stalledUpload(owner, 'big.bin');
    const tmp = path.join(runtimeDir, 'data', 'volume', 'storage', owner.me.id, 'tmp');
    await waitFor('the upload being received', () =>
      fs.readdirSync(tmp).some((n) => fs.statSync(path.join(tmp, n)).size > 0),
    );

    // The database stalls (a long lock): whatever the server writes to the trail now waits.
    const stall = new pg.Client({ connectionString: database.superuserUrl });
    await stall.connect();
    await stall.query('begin');
    await stall.query('lock table audit_events in exclusive mode');

    // Forty claims from the app's side of the session's control socket, as the sandbox would send them.
    const app = net.createConnection(path.join(runtimeDir, 'sessions', session.id, 'control', 'control.sock'));
    app.on('error', () => {});
    const claim = (page: number) =>
      JSON.stringify({ v: 1, type: 'event', kind: 'page-viewed', path: '/files/a.pdf', page });
    app.write(Array.from({ length: CLAIMS }, (_, i) => claim(i + 1) + '\n').join(''));
    // The server has taken every one of them in (it logs each); then it is killed.
    await waitFor('the claims received', () => first.output().split('"msg":"app claim"').length - 1 === CLAIMS);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    app.destroy();
    upload.destroy();
    await stall.query('rollback');
    await stall.end();
    expect(fs.readdirSync(tmp)).not.toEqual([]);

    const second = await startServerProcess(runtimeDir, env);
    children.push(second.proc);
    const again = await signIn(owner, second);

    // Every claim is on the trail, once, marked as recovered, before the session's end by the crash.
    const events = await trail(again, `session=${session.id}`);
    const claims = events.filter((e) => e.action === 'app.claim');
    const pages = claims.map((e) => (e.detail as { page: number }).page);
    expect(pages.sort((a, b) => a - b)).toEqual(Array.from({ length: CLAIMS }, (_, i) => i + 1));
    expect(claims.every((e) => e.detail.recovered === 'server crash' && typeof e.detail.receivedAt === 'string')).toBe(
      true,
    );
    expect(events.at(-1)).toMatchObject({ action: 'session.ended', reason: 'server crash' });

    // The cut upload is on the trail as interrupted, for its path and person; its temporary file is gone.
    const uploads = (await trail(again, 'action=file.upload')).filter((e) => e.reason === 'interrupted');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ outcome: 'failed', target: { path: 'big.bin' }, actor: { id: owner.me.id } });
    expect(fs.readdirSync(tmp)).toEqual([]);

    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
  },
);
