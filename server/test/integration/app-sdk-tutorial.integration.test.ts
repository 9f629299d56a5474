import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditPage, SessionInfo } from '@vitrine/protocol';
import { readFramebufferLayout } from '../../src/media/framebuffer.ts';
import { samplePicture, showsContent } from '../../src/sessions/app-readiness.ts';
import { call, type TestUser } from '../auth-client.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { copyAppSdk } from '../sdk-apps.ts';

// docs/app-sdk.md's tutorial, as written: its code blocks (```lang file=NAME) are the app's files,
// installed as the tutorial says (the SDK's sources copied into the folder) and opened in a real
// session. A tutorial that no longer runs fails here.
const DOC = path.resolve(import.meta.dirname, '../../../docs/app-sdk.md');

function tutorialFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of markdown.matchAll(/^```\w+ file=([\w.-]+)\n([\s\S]*?)^```$/gm)) files.set(m[1]!, m[2]!);
  return files;
}

let server: TestServer;
let owner: TestUser;
let appsRoot: string;

beforeAll(async () => {
  appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  const dir = path.join(appsRoot, 'hello');
  fs.mkdirSync(dir);
  const files = tutorialFiles(fs.readFileSync(DOC, 'utf8'));
  expect([...files.keys()].sort()).toEqual(['main.ts', 'manifest.json', 'run.sh']);
  for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text);
  copyAppSdk(dir);
  fs.chmodSync(path.join(dir, 'run.sh'), 0o755);
  server = await startTestServer({ APPS_ROOT: appsRoot });
  owner = server.owner;
  expect((await call(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

it('the tutorial’s app, written from the doc alone, runs: it draws its page and reports what it showed', async () => {
  const apps = await call<Array<{ id: string; name: string }>>(owner, 'GET', '/api/apps');
  expect(apps.body.map((a) => a.name)).toContain('Hello');
  const res = await call<SessionInfo>(owner, 'POST', '/api/sessions', {
    appId: 'hello',
    viewer: { locale: 'de-CH', timeZone: 'Europe/Zurich' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id;
  // Chromium loaded the page (the page's request is what makes the claim) ...
  const claim = await waitFor(
    'the folder-opened claim',
    async () => {
      await server.audit.flush();
      const r = await call<AuditPage>(owner, 'GET', `/api/audit?session=${id}&action=app.claim`);
      return r.body.events.find((e) => e.detail?.kind === 'folder-opened');
    },
    30_000,
  );
  expect(claim.detail).toMatchObject({ kind: 'folder-opened', entries: 1 });
  // ... and drew it: the display shows content, not a flat colour.
  const fb = path.join(server.runtimeDir, 'sessions', id, 'fb', 'Xvfb_screen0');
  const layout = readFramebufferLayout(fb);
  await waitFor(
    'the page on the display',
    () => showsContent(samplePicture(fb, layout, { width: layout.width, height: layout.height })) || undefined,
  );
  expect((await call(owner, 'DELETE', `/api/sessions/${id}`)).status).toBeLessThan(300);
});
