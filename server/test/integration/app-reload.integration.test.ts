import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInfo, AppReload, AuditPage, InvitationLink, SessionInfo } from '@vitrine/protocol';
import { call, register, type TestUser } from '../auth-client.ts';
import { createShare, startTestServer, waitFor, type TestServer } from '../helpers.ts';

/*
 * Manifest v2 and the apps' versions, through the API: an app without the control capability has no
 * control socket; test apps are listed to admins only; an app changed on disk is refused until an
 * admin reloads, then its new version runs while a session of the old one keeps running the old files.
 */

// Says, twice a second on its log, which version of its own files it runs and whether it has a control socket.
const REPORTER = `#!/bin/sh
while true; do
  echo "version=$(cat /app/version.txt) socket=\${VITRINE_CONTROL_SOCKET-unset} control=$([ -S /run/vitrine/control/control.sock ] && echo listening || echo none)" >&2
  sleep 0.5
done
`;

const appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));

function writeApp(id: string, manifest: object, version = '1'): void {
  const dir = path.join(appsRoot, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.sh'), REPORTER, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'version.txt'), version);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ type: 'x11', binary: 'run.sh', ...manifest }));
}

// Version 2 without capabilities; version 1 (which keeps the control channel); a test app; one to remove.
writeApp('reporter', { manifest: 2, name: 'Reporter', version: '1' });
writeApp('legacy', { name: 'Legacy', version: '1' });
writeApp('probe', { manifest: 2, name: 'Probe', version: '1', audience: 'admin' });
writeApp('doomed', { manifest: 2, name: 'Doomed', version: '1' });

let server: TestServer;
let admin: TestUser;
let owner: TestUser;
let client: TestUser;

beforeAll(async () => {
  server = await startTestServer({ APPS_ROOT: appsRoot, MAX_SESSIONS_PER_USER: '6', PEER_GRACE_MS: '300000' });
  admin = server.owner;
  const invite = await call<InvitationLink>(admin, 'POST', '/api/admin/invitations', { email: 'otto@example.test' });
  owner = await register(server.url, server.publicUrl(), invite.body.link, { displayName: 'Otto' });
  expect((await call(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
  const share = await createShare(owner, {
    clientEmail: 'cleo@example.test',
    paths: [{ path: 'Reports', access: 'view' }],
  });
  client = await register(server.url, server.publicUrl(), share.invitation.link, { displayName: 'Cleo' });
}, 90_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

async function launch(
  who: TestUser,
  appId: string,
): Promise<{ status: number; body: SessionInfo & { error?: string; message?: string } }> {
  return call<SessionInfo & { error?: string; message?: string }>(who, 'POST', '/api/sessions', { appId });
}

const appLog = (sessionId: string) => path.join(server.runtimeDir, 'sessions', sessionId, 'log', 'app.log');
const reports = (sessionId: string) =>
  fs.existsSync(appLog(sessionId))
    ? fs
        .readFileSync(appLog(sessionId), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('version='))
    : [];
/** The app's report once it has made at least `count`. */
const reportAfter = (sessionId: string, count: number) =>
  waitFor(`report ${count} of ${sessionId}`, () => reports(sessionId).at(count - 1), 15_000);
const listed = async (who: TestUser) => (await call<AppInfo[]>(who, 'GET', '/api/apps')).body.map((a) => a.id).sort();

describe('what an app declares', () => {
  it('an app that does not declare the control channel has no control socket; a version 1 app keeps it', async () => {
    const bare = await launch(admin, 'reporter');
    expect(bare.status).toBe(201);
    expect(await reportAfter(bare.body.id, 1)).toBe('version=1 socket=unset control=none');
    const legacy = await launch(admin, 'legacy');
    expect(legacy.status).toBe(201);
    expect(await reportAfter(legacy.body.id, 1)).toMatch(/socket=\/run\/vitrine\/control\/control.sock /);
    // The server listens there once the app has started.
    await waitFor('the legacy app sees its control socket', () =>
      reports(legacy.body.id).some((l) => l.endsWith('control=listening')),
    );
    for (const id of [bare.body.id, legacy.body.id])
      expect((await call(admin, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);
  }, 60_000);

  it('test apps are listed to admins only, and still launch by id', async () => {
    expect(await listed(admin)).toEqual(['doomed', 'legacy', 'probe', 'reporter']);
    expect(await listed(owner)).toEqual(['doomed', 'legacy', 'reporter']);
    expect(await listed(client)).toEqual(['doomed', 'legacy', 'reporter']);
    const byId = await launch(owner, 'probe');
    expect(byId.status).toBe(201);
    expect((await call(owner, 'DELETE', `/api/sessions/${byId.body.id}`)).status).toBe(204);
  }, 60_000);
});

describe('an app changed on disk', () => {
  it('is refused until an admin reloads; then the new version runs while the old session keeps the old files', async () => {
    const old = await launch(admin, 'reporter');
    expect(old.status).toBe(201);
    expect(await reportAfter(old.body.id, 1)).toMatch(/^version=1 /);

    fs.writeFileSync(path.join(appsRoot, 'reporter', 'version.txt'), '2');
    fs.rmSync(path.join(appsRoot, 'doomed'), { recursive: true });
    const refused = await launch(admin, 'reporter');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('app-changed');
    expect(refused.body.message).toMatch(/an admin must reload the apps/);

    expect((await call(owner, 'POST', '/api/admin/apps/reload')).status).toBe(403);
    const reload = await call<AppReload>(admin, 'POST', '/api/admin/apps/reload');
    expect(reload.status).toBe(200);
    expect(reload.body.updated.map((u) => u.id)).toEqual(['reporter']);
    expect(reload.body.removed.map((r) => r.id)).toEqual(['doomed']);
    expect(reload.body.unchanged.sort()).toEqual(['legacy', 'probe']);

    const fresh = await launch(admin, 'reporter');
    expect(fresh.status).toBe(201);
    expect(await reportAfter(fresh.body.id, 1)).toMatch(/^version=2 /);
    // The session started before the reload still runs, and still reads its own version's files.
    const seen = reports(old.body.id).length;
    expect(await reportAfter(old.body.id, seen + 2)).toMatch(/^version=1 /);
    expect((await call<SessionInfo>(admin, 'GET', `/api/sessions/${old.body.id}`)).body.state).not.toBe('ended');

    // The removed app is gone from the list and from launches.
    expect(await listed(admin)).toEqual(['legacy', 'probe', 'reporter']);
    expect((await launch(admin, 'doomed')).status).toBe(404);
    for (const id of [old.body.id, fresh.body.id])
      expect((await call(admin, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);

    // The reload is on the audit trail, by the admin, with what changed; the refused attempt too.
    const trail = await waitFor('the reload on the trail', async () => {
      const page = (await call<AuditPage>(admin, 'GET', '/api/audit?scope=server&action=app.reload')).body;
      return page.events.length >= 2 ? page.events : undefined;
    });
    const done = trail.find((e) => e.outcome === 'ok')!;
    expect(done.actor.id).toBe(admin.me.id);
    expect(done.detail).toMatchObject({
      updated: [expect.stringMatching(/^reporter@[0-9a-f]{12}→[0-9a-f]{12}$/)],
      removed: [expect.stringMatching(/^doomed@[0-9a-f]{12}$/)],
    });
    expect(trail.some((e) => e.actor.id === owner.me.id && e.outcome !== 'ok')).toBe(true);
  }, 90_000);
});
