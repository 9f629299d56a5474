import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { FramebufferReader } from '../../../server/src/media/framebuffer.ts';
import { api, processesMentioning, startTestServer, waitFor, type TestServer } from '../../../server/test/helpers.ts';

// The whole app as people get it: the real Vitrine server starts the explorer in the session
// sandbox (Node from the server's own installation, its server on the sandbox's loopback,
// Chromium in kiosk mode) and the UI reaches the display.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ APPS_ROOT: path.resolve(import.meta.dirname, '../..') });
});
afterAll(async () => {
  await server?.close();
});

/** More than one colour on a grid of the screen: something was drawn (Xvfb starts all black). */
function hasContent(fbPath: string): boolean {
  const fb = new FramebufferReader(fbPath, 1);
  try {
    const px = fb.read();
    const { width, height } = fb.layout;
    const colours = new Set<number>();
    for (let y = 0; y < height; y += 8) {
      for (let x = 0; x < width; x += 8) colours.add(px.readUInt32LE((y * width + x) * 4) & 0xffffff);
      if (colours.size > 1) return true;
    }
    return false;
  } finally {
    fb.close();
  }
}

it('starts in the sandbox, draws its UI within 15 s, and ends cleanly', async () => {
  const started = Date.now();
  const { status, body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'file-explorer' });
  expect(status, JSON.stringify(body)).toBe(201);
  const sessionDir = path.join(server.runtimeDir, 'sessions', body.id);
  const fbPath = path.join(sessionDir, 'fb', 'Xvfb_screen0');
  const appLog = () => fs.readFileSync(path.join(sessionDir, 'log', 'app.log'), 'utf8').slice(-2000);
  try {
    await waitFor('the explorer to draw something', () => hasContent(fbPath), 15_000 - (Date.now() - started), 100);
  } catch (err) {
    throw new Error(`${(err as Error).message}\napp.log:\n${appLog()}`, { cause: err });
  }
  // Still running (Chromium and the explorer server did not fall over once drawn).
  expect((await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${body.id}`)).body.state).not.toBe('ended');
  expect(appLog()).not.toMatch(/explorer server did not/);

  expect((await api(server.owner, 'DELETE', `/api/sessions/${body.id}`)).status).toBeLessThan(300);
  await waitFor(
    'the session to be gone',
    async () => (await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${body.id}`)).body.state === 'ended',
  );
  await waitFor('its processes and folder to be gone', () => {
    return processesMentioning(sessionDir).length === 0 && !fs.existsSync(sessionDir);
  });
}, 40_000);
