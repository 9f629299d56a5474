import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CreatedShare, ReceivedShare, SessionInfo } from '@vitrine/protocol';
import { call, register, type TestUser } from '../auth-client.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { WeriftViewer } from '../werift-viewer.ts';

// Nothing about the host reaches a client in how its session ends (a failed start is in
// session-manager.unit.test.ts): the reason, never the detail (an exit status, an app's last
// words, a host path), which stays in the log and the session's record.
const PROBE = '#!/bin/sh\nexec sleep 600\n';

let server: TestServer;
let owner: TestUser;
let client: TestUser;
let appsRoot: string;
let shareId: string;

beforeAll(async () => {
  appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  fs.mkdirSync(path.join(appsRoot, 'probe'));
  fs.writeFileSync(path.join(appsRoot, 'probe', 'run.sh'), PROBE, { mode: 0o755 });
  fs.writeFileSync(
    path.join(appsRoot, 'probe', 'manifest.json'),
    JSON.stringify({
      name: 'Probe',
      version: '1',
      type: 'x11',
      binary: 'run.sh',
      permissions: [{ path: '.', access: ['read', 'write', 'delete'] }],
    }),
  );
  server = await startTestServer({ APPS_ROOT: appsRoot });
  owner = server.owner;
  for (const p of [
    'Clients',
    'Clients/Acme',
    'Clients/Acme/Smith',
    'Clients/Acme/Smith/Reports',
    'Clients/Acme/Smith/Inbox',
  ]) {
    expect((await call(owner, 'POST', '/api/files/folders', { path: p })).status).toBe(201);
  }
  const created = await call<CreatedShare>(owner, 'POST', '/api/shares', {
    clientEmail: 'cleo@example.test',
    paths: [
      { path: 'Clients/Acme/Smith/Reports', access: 'view' },
      { path: 'Clients/Acme/Smith/Inbox', access: 'edit' },
    ],
    apps: ['probe'],
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  expect(created.status).toBe(201);
  client = await register(server.url, server.publicUrl(), created.body.invitation.link, { displayName: 'Cleo' });
  shareId = (await call<ReceivedShare[]>(client, 'GET', '/api/shared-with-me')).body[0]!.id;
}, 60_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

it('a client session ends without the host detail of why', async () => {
  const res = await call<SessionInfo>(client, 'POST', '/api/sessions', { appId: 'probe', shareId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const viewer = new WeriftViewer(client, res.body.id);
  await waitFor('the viewer attached', () => viewer.messages.find((m) => m.type === 'offer'));
  expect((await call(client, 'DELETE', `/api/sessions/${res.body.id}`)).status).toBeLessThan(300);
  const bye = await waitFor('bye', () => viewer.messages.find((m) => m.type === 'bye'));
  expect(bye).not.toHaveProperty('detail');
  await viewer.close();
});
