import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { WeriftViewer } from '../werift-viewer.ts';

let server: TestServer;
let appsRoot: string;
beforeAll(async () => {
  appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  const hog = path.join(appsRoot, 'hog');
  fs.mkdirSync(hog);
  fs.copyFileSync(path.resolve(import.meta.dirname, '../../../native/build/syscall-probe'), path.join(hog, 'probe'));
  fs.chmodSync(path.join(hog, 'probe'), 0o755);
  // Starts eating memory half a second after its display came up, once the session is running.
  fs.writeFileSync(path.join(hog, 'run.sh'), '#!/bin/sh\nsleep 0.5\nexec /app/probe alloc 2048\n', { mode: 0o755 });
  fs.writeFileSync(
    path.join(hog, 'manifest.json'),
    JSON.stringify({ name: 'Memory hog', version: '1', type: 'x11', binary: 'run.sh', resources: { memory: '64M' } }),
  );
  // Apps that break a limit while their first process lives on: the session must still end.
  const app = (id: string, script: string, resources: object) => {
    const dir = path.join(appsRoot, id);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(hog, 'probe'), path.join(dir, 'probe'));
    fs.chmodSync(path.join(dir, 'probe'), 0o755);
    fs.writeFileSync(path.join(dir, 'run.sh'), `#!/bin/sh\nsleep 0.5\n${script}\n`, { mode: 0o755 });
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ name: id, version: '1', type: 'x11', binary: 'run.sh', resources }),
    );
  };
  // A child eats the memory (as Chromium's renderer does); the app itself waits on.
  app('child-hog', '/app/probe alloc 2048 &\nexec sleep 100000', { memory: '64M' });
  app('forker', 'while :; do sleep 100000 & done', { pids: 48 });
  app('spinner', 'while :; do :; done', { cpu: 0.2 });
  server = await startTestServer({ APPS_ROOT: appsRoot, SANDBOX_CPU_ABUSE_AFTER: '3s' });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

it('an app that exceeds its memory limit is killed and the session ends with "out of memory"', async () => {
  const res = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'hog' });
  expect(res.status).toBe(201);
  const viewer = new WeriftViewer(server.owner, res.body.id);
  const bye = await waitFor('bye', () => viewer.messages.find((m) => m.type === 'bye'));
  expect(bye).toMatchObject({ reason: 'out of memory' });
  const ended = (await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${res.body.id}`)).body;
  expect(ended).toMatchObject({ state: 'ended', endReason: 'out of memory' });
  await viewer.close();
});

for (const [appId, reason] of [
  ['child-hog', 'out of memory'],
  ['forker', 'process limit'],
  ['spinner', 'cpu limit'],
] as const) {
  it(`an app whose ${appId === 'child-hog' ? 'child is OOM-killed' : appId === 'forker' ? 'forks hit the process limit' : 'loop spins at its CPU quota'} while it lives on ends with "${reason}"`, async () => {
    const res = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId });
    expect(res.status).toBe(201);
    const viewer = new WeriftViewer(server.owner, res.body.id);
    const bye = await waitFor('bye', () => viewer.messages.find((m) => m.type === 'bye'), 30_000);
    expect(bye).toMatchObject({ reason });
    const ended = (await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${res.body.id}`)).body;
    expect(ended).toMatchObject({ state: 'ended', endReason: reason });
    await viewer.close();
  }, 60_000);
}
