// Issue 16: an app with a writable grant could fill the server's disk (a 2 GiB dd went through).
// Its writes are now held to the owner's room under OWNER_QUOTA by the grant filesystem.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionInfo, StorageUsage } from '@vitrine/protocol';
import { ownerRoot } from '../../src/storage/owner-storage.ts';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';

const MiB = 2 ** 20;
const appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
fs.mkdirSync(path.join(appsRoot, 'filler'));
fs.writeFileSync(
  path.join(appsRoot, 'filler', 'run.sh'),
  '#!/bin/sh\ndd if=/dev/zero of=/files/big bs=1M count=2048 2>&1 | grep -E "error|copied" >&2\necho "dd-done" >&2\nexec sleep 600\n',
  { mode: 0o755 },
);
fs.writeFileSync(
  path.join(appsRoot, 'filler', 'manifest.json'),
  JSON.stringify({
    name: 'Filler',
    version: '1',
    type: 'x11',
    binary: 'run.sh',
    permissions: [{ path: '.', access: ['read', 'write'] }],
  }),
);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ APPS_ROOT: appsRoot, OWNER_QUOTA: '16M' });
}, 90_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

it('a 2 GiB dd in a real session stops at the owner’s 16 MiB quota, with ENOSPC', { timeout: 90_000 }, async () => {
  const root = ownerRoot(server.config.storage.dir, server.owner.me.id);
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'kept.bin'), Buffer.alloc(4 * MiB));
  const { status, body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'filler' });
  expect(status).toBe(201);
  const appLog = path.join(server.runtimeDir, 'sessions', body.id, 'log', 'app.log');
  await waitFor(
    'dd to finish',
    () => fs.existsSync(appLog) && fs.readFileSync(appLog, 'utf8').includes('dd-done'),
    60_000,
  );
  expect(fs.readFileSync(appLog, 'utf8')).toMatch(/No space left on device/);
  // The room left when the session started: 16 MiB less the 4 MiB already stored.
  const big = fs.statSync(path.join(root, 'big')).size;
  expect(big).toBeGreaterThan(8 * MiB);
  expect(big).toBeLessThanOrEqual(12 * MiB);
  const usage = (await api<StorageUsage>(server.owner, 'GET', '/api/files/usage')).body;
  expect(usage.usedBytes).toBeLessThanOrEqual(16 * MiB);
  await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
});
