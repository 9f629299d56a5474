import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { FramebufferReader } from '../../src/media/framebuffer.ts';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';

// Chromium is the heaviest kind of app Vitrine will run (the File Explorer is a web UI in it):
// it must start and render inside the full sandbox, with its own sandbox replaced by ours.
let server: TestServer;
let appsRoot: string;
beforeAll(async () => {
  appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  const dir = path.join(appsRoot, 'chromium');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      name: 'Chromium',
      version: '1',
      type: 'x11',
      binary: 'run.sh',
      syscalls: 'browser',
      resources: { memory: '512M', pids: 256, cpu: 1 },
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'run.sh'),
    `#!/bin/sh
exec /usr/bin/chromium --no-sandbox --disable-gpu --no-first-run --disable-background-networking \\
  --disable-component-update --disable-sync --user-data-dir=/tmp/profile --kiosk \\
  --window-position=0,0 --window-size=$VITRINE_WIDTH,$VITRINE_HEIGHT \\
  'data:text/html,<body style="margin:0;background:%23cc3333"></body>'
`,
    { mode: 0o755 },
  );
  server = await startTestServer({ APPS_ROOT: appsRoot });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

it('runs Chromium inside the sandbox and its page reaches the framebuffer', async () => {
  const { status, body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'chromium' });
  expect(status).toBe(201);
  const fbPath = path.join(server.runtimeDir, 'sessions', body.id, 'fb', 'Xvfb_screen0');
  await waitFor(
    'the red page to be drawn',
    () => {
      const fb = new FramebufferReader(fbPath, 1);
      try {
        const px = fb.read();
        const i = (400 * fb.layout.width + 640) * 4; // bgr0
        return px[i + 2]! > 180 && px[i + 1]! < 80 && px[i]! < 80;
      } finally {
        fb.close();
      }
    },
    20_000,
    100,
  );
  expect((await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${body.id}`)).body.state).not.toBe('ended');
  await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
}, 40_000);
