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
  server = await startTestServer({ APPS_ROOT: appsRoot });
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
