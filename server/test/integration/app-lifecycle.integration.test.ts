import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, SessionInfo } from '@vitrine/protocol';
import { call, type TestUser } from '../auth-client.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { copyAppSdk } from '../sdk-apps.ts';

// An app's life as the app SDK (sdk/) gives it: `init` when it connects, `shutdown` and SIGTERM
// with a grace period when its session ends, SIGKILL only for an app still running after it, and
// a crash named as one. The apps are real Node programs in the real sandbox, using the SDK's own
// sources as a third-party app would (copied into their folder).
const GRACE_MS = 2000;

/**
 * Reports what it heard as claims (the trail is what the test can read): its `init`, the answer
 * to a resize it asks for, and the `shutdown` it gets, after which it exits by itself.
 */
const SDK_APP = `
import { createControlClient } from './app-sdk/index.ts';
const control = createControlClient();
const init = await control.ready();
if (!init) process.exit(3);
const grants = init.grants.map((g) => g.path.replace(/^\\/files\\//, '') + ':' + g.rights.join('+')).join(',');
control.event({ kind: 'folder-opened', path: \`/init/\${init.locale}/\${init.timeZone}/\${init.display.width}x\${init.display.height}/\${grants}\` });
control.onResize(({ width, height }) => control.event({ kind: 'folder-opened', path: \`/resized/\${width}x\${height}\` }));
const resized = await control.resize(800, 600);
control.event({ kind: 'folder-opened', path: \`/resize/\${resized.ok ? 'ok' : resized.error}\` });
control.onShutdown(async ({ reason, graceMs }) => {
  control.event({ kind: 'file-closed', path: \`/shutdown/\${reason.replace(/ /g, '-')}/\${graceMs}\` });
  await new Promise((r) => setTimeout(r, 100));
});
setInterval(() => {}, 1 << 30);
`;

let server: TestServer;
let owner: TestUser;
let appsRoot: string;

function app(id: string, binary: string, script: string, extra: object = {}) {
  const dir = path.join(appsRoot, id);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, binary), script, { mode: 0o755 });
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      name: id,
      version: '1',
      type: 'x11',
      binary: binary === 'main.ts' ? 'run.sh' : binary,
      permissions: [{ path: '.', access: ['read', 'write'] }],
      ...extra,
    }),
  );
  return dir;
}

beforeAll(async () => {
  appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  const sdkApp = app('sdk-app', 'main.ts', SDK_APP, { runtime: 'node', syscalls: 'browser' });
  fs.writeFileSync(path.join(sdkApp, 'run.sh'), '#!/bin/sh\nexec node /app/main.ts\n', { mode: 0o755 });
  copyAppSdk(sdkApp);
  const resizable = app('sdk-resizable', 'main.ts', SDK_APP, {
    runtime: 'node',
    syscalls: 'browser',
    video: { width: 1280, height: 720, framerate: 30, resizable: true },
  });
  fs.writeFileSync(path.join(resizable, 'run.sh'), '#!/bin/sh\nexec node /app/main.ts\n', { mode: 0o755 });
  copyAppSdk(resizable);
  // Deaf to SIGTERM, and it never connects: only SIGKILL ends it.
  app('stubborn', 'run.sh', "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 1; done\n");
  app('crashes', 'run.sh', '#!/bin/sh\nsleep 1\nexit 3\n');
  server = await startTestServer({ APPS_ROOT: appsRoot, APP_SHUTDOWN_GRACE: `${GRACE_MS}ms` });
  owner = server.owner;
  expect((await call(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

const launch = async (appId: string, body: object = {}) => {
  const res = await call<SessionInfo>(owner, 'POST', '/api/sessions', { appId, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
};
const claims = (sessionId: string) => async () => {
  await server.audit.flush();
  const r = await call<AuditPage>(owner, 'GET', `/api/audit?session=${sessionId}&action=app.claim&limit=50`);
  return r.body.events.map((e) => e.target.path ?? '');
};
const pidsOf = async (sessionId: string) =>
  (await call<{ pids: number[] }>(owner, 'GET', `/api/sessions/${sessionId}/stats`)).body.pids;
const alive = (pids: number[]) => pids.filter((p) => fs.existsSync(`/proc/${p}`));

describe('an app built with the SDK', () => {
  it('hears init: the picture, its grants with their rights, the viewer’s language and time zone', async () => {
    const id = await launch('sdk-app', { viewer: { locale: 'fr-CH', timeZone: 'Europe/Zurich' } });
    const said = await waitFor('the init claim', async () => (await claims(id)()).find((p) => p.startsWith('/init/')));
    // The app asked for read and write (its manifest): that is what it got of the owner's storage.
    expect(said).toBe('/init/fr-CH/Europe/Zurich/1280x720//files:read+write');
    // A fixed-size app may not change its picture.
    expect(
      await waitFor('the resize answer', async () => (await claims(id)()).find((p) => p.startsWith('/resize/'))),
    ).toBe('/resize/denied');
    expect((await call(owner, 'DELETE', `/api/sessions/${id}`)).status).toBeLessThan(300);
  });

  it('whose picture follows its viewer may ask for a size, and hears the picture change', async () => {
    const id = await launch('sdk-resizable');
    const said = await waitFor('the resize', async () => {
      const all = await claims(id)();
      return all.includes('/resize/ok') && all.includes('/resized/800x600') ? all : undefined;
    });
    expect(said.find((p) => p.startsWith('/init/'))).toMatch(/\/1280x720\//);
    expect((await call(owner, 'DELETE', `/api/sessions/${id}`)).status).toBeLessThan(300);
  });

  it('a language or time zone the server does not know is refused at launch', async () => {
    for (const viewer of [
      { locale: 'fr-CH', timeZone: 'Mars/Olympus' },
      { locale: '../../etc', timeZone: 'UTC' },
    ]) {
      const res = await call(owner, 'POST', '/api/sessions', { appId: 'sdk-app', viewer });
      expect(res.status, JSON.stringify(viewer)).toBe(400);
    }
  });

  it('hears shutdown when its session ends, and exits by itself well within the grace period', async () => {
    const id = await launch('sdk-app');
    await waitFor('the app connected', async () => (await claims(id)()).some((p) => p.startsWith('/init/')));
    const pids = await pidsOf(id);
    expect(alive(pids).length).toBeGreaterThan(0);
    const ended = Date.now();
    expect((await call(owner, 'DELETE', `/api/sessions/${id}`)).status).toBeLessThan(300);
    await waitFor('every process gone', () => alive(pids).length === 0 || undefined, 10_000);
    expect(Date.now() - ended).toBeLessThan(GRACE_MS - 500);
    expect(
      await waitFor('the shutdown claim', async () => (await claims(id)()).find((p) => p.startsWith('/shutdown/'))),
    ).toBe(`/shutdown/user-ended/${GRACE_MS}`);
  });
});

describe('apps without the SDK', () => {
  it('an app deaf to SIGTERM is killed once the grace period is over', async () => {
    const id = await launch('stubborn');
    const pids = await pidsOf(id);
    const ended = Date.now();
    expect((await call(owner, 'DELETE', `/api/sessions/${id}`)).status).toBeLessThan(300);
    await waitFor('every process gone', () => alive(pids).length === 0 || undefined, 10_000);
    const took = Date.now() - ended;
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(took).toBeLessThan(GRACE_MS + 3000);
  });

  it('an app that fails ends its session as a crash', async () => {
    const id = await launch('crashes');
    const info = await waitFor('the session ended', async () => {
      const r = await call<SessionInfo>(owner, 'GET', `/api/sessions/${id}`);
      return r.body.state === 'ended' ? r.body : undefined;
    });
    expect(info.endReason).toBe('app crashed');
  });
});
