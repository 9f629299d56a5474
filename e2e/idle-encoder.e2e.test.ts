import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { decodeShownFrame, frameSignature, launchChromium, waitForStreaming } from './lib/browser.ts';
import { api, ffmpegProcesses, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { createAppsRoot } from '../bench/lib/apps-root.ts';
import { shootOnFailure } from './lib/screenshots.ts';

// A session whose picture stays still stops its encoders (ENCODER_IDLE_STOP), in a real browser:
// Chromium's own keyframe requests after 3 s without a frame must not start them again, the
// picture stays on screen, and a click is answered as before.
let server: TestServer;
let browser: Browser;
let admin: BrowserUser;
let apps: ReturnType<typeof createAppsRoot>;
beforeAll(async () => {
  apps = createAppsRoot([{ id: 'still', width: 1280, height: 720, fps: 0 }]);
  server = await startTestServer({ APPS_ROOT: apps.root, ENCODER_IDLE_STOP: '2s' }, { registerOwner: false });
  browser = await launchChromium();
  admin = await setupAdminInBrowser(browser, server);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  apps?.remove();
});

const video = (id: string) => server.sessions.statsOf(id)?.video;
/** The session's encoders (frame pumps and FFmpeg): what its stats name besides the sandbox. */
const encoders = (id: string) => ffmpegProcesses(server.sessions.statsOf(id)?.pids ?? []);

it('stops the encoders of a still picture, keeps the picture shown, and answers the next click', async () => {
  const page: Page = await admin.context.newPage();
  shootOnFailure(page, 'idle-encoder');
  await page.goto(`${server.publicUrl()}/apps`);
  await page.getByTestId('launch-still').click();
  await page.waitForURL(/\/session\//);
  await waitForStreaming(page);
  const id = await page.evaluate(() => (window as any).__vitrine.sessionId as string);
  const shown = await waitFor('the diagnostics picture', () => decodeShownFrame(page));

  await waitFor('the encoders stopped', () => (video(id)?.idleStops ?? 0) > 0 && encoders(id).length === 0, 30_000);
  const still = await frameSignature(page);
  // Chromium asks for a keyframe 3 s after its last frame; that must not wake the encoders.
  await waitFor('the viewer asked for a keyframe', () => (video(id)?.idleLossRequests ?? 0) > 0, 15_000);
  expect(video(id)?.wakes).toBe(0);
  expect(encoders(id)).toEqual([]);
  // The picture is still there, unchanged (not blank, not broken).
  const after = await frameSignature(page);
  expect(after.every((v, i) => Math.abs(v - still[i]!) <= 3)).toBe(true);
  expect((await decodeShownFrame(page))?.toggles).toBe(shown.toggles);

  // A click wakes an encoder and its change arrives.
  const box = (await page.getByTestId('viewer-video').boundingBox())!;
  const scale = Math.min(box.width / 1280, box.height / 720);
  await page.mouse.click(
    box.x + (box.width - 1280 * scale) / 2 + 304 * scale,
    box.y + (box.height - 720 * scale) / 2 + 340 * scale,
  );
  await waitFor('the toggle in the decoded video', async () => {
    const f = await decodeShownFrame(page);
    return f?.toggles === (shown.toggles + 1) % 256;
  });
  expect(video(id)?.wakes).toBeGreaterThanOrEqual(1);
  await api(admin.api, 'DELETE', `/api/sessions/${id}`);
  await page.close();
}, 120_000);
