import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { decodeShownFrame, frameSignature, inboundVideo, launchChromium, waitForStreaming } from './lib/browser.ts';
import { api, isAlive, sessionProcesses, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';

let server: TestServer;
let browser: Browser;
let admin: BrowserUser;
beforeAll(async () => {
  server = await startTestServer({}, { registerOwner: false });
  browser = await launchChromium();
  // Everything below runs as the first owner, signed in with a passkey through the setup link.
  admin = await setupAdminInBrowser(browser, server);
});
afterEach(async () => {
  // A failed test must not leave its session running into the next one.
  const live = (await api<Array<{ id: string }>>(admin.api, 'GET', '/api/sessions')).body;
  await Promise.all(live.map((s) => api(admin.api, 'DELETE', `/api/sessions/${s.id}`)));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const newPage = () => admin.context.newPage();

async function launchFromUi(page: Page, appId: string, codec?: string): Promise<string> {
  await page.goto(`${server.publicUrl()}/apps${codec ? `?codec=${codec}` : ''}`);
  await page.getByTestId(`launch-${appId}`).click();
  await page.waitForURL(/\/session\//);
  await waitForStreaming(page);
  return page.evaluate(() => (window as any).__vitrine.sessionId as string);
}

const decodedDiagnostics = decodeShownFrame;

it('serves the page under a strict CSP with a fresh nonce, and the viewer runs without violations', async () => {
  const res = await fetch(`${server.url}/`);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const again = (await fetch(`${server.url}/`)).headers.get('content-security-policy');
  expect(again).not.toBe(csp); // a new nonce per page load
  expect(
    (await fetch(`${server.url}/api/apps`, { headers: { cookie: admin.api.cookie } })).headers.get('cache-control'),
  ).toBe('no-store');

  const page = await newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(`${server.publicUrl()}/apps`);
  await page.getByTestId('launch-xclock').click();
  await waitForStreaming(page);
  await page.getByTestId('end-session').click();
  expect(violations).toEqual([]);
  await page.close();
});

describe.each(['h264', 'vp8'])('diagnostics app over %s', (codec) => {
  it('decodes 1280x720 at >= 25 fps, and a click toggles the colour area in the decoded video', async () => {
    const page = await newPage();
    const id = await launchFromUi(page, 'diagnostics', codec);

    const a = await inboundVideo(page);
    await page.waitForTimeout(3000); // measuring a rate needs a time window
    const b = await inboundVideo(page);
    const fps = ((b.framesDecoded - a.framesDecoded) * 1000) / (b.at - a.at);
    expect(b.codec.toLowerCase()).toBe(`video/${codec}`);
    expect([b.frameWidth, b.frameHeight]).toEqual([1280, 720]);
    expect(fps).toBeGreaterThanOrEqual(25);

    const before = await waitFor('decodable frame', () => decodedDiagnostics(page));
    expect(Math.abs(Date.now() - before.timestampMs)).toBeLessThan(2000);
    // Click the middle of the toggle area (display 304,340), mapped through the letterboxed video.
    const box = (await page.getByTestId('viewer-video').boundingBox())!;
    const scale = Math.min(box.width / 1280, box.height / 720);
    const left = box.x + (box.width - 1280 * scale) / 2;
    const top = box.y + (box.height - 720 * scale) / 2;
    await page.mouse.click(left + 304 * scale, top + 340 * scale);
    const after = await waitFor('toggle seen in decoded video', async () => {
      const f = await decodedDiagnostics(page);
      return f && f.toggles === (before.toggles + 1) % 256 ? f : null;
    });
    expect(after.toggleColor).not.toBe(before.toggleColor);
    expect(after.toggleColor).not.toBeNull();

    // A key press reaches the app too.
    await page.keyboard.press('a');
    await waitFor(
      'key toggle seen',
      async () => (await decodedDiagnostics(page))?.toggles === (before.toggles + 2) % 256,
    );

    await page.getByTestId('end-session').click();
    await waitFor('session gone', () => !fs.existsSync(path.join(server.runtimeDir, 'sessions', id)));
    await page.close();
  });
});

it('shows a foreign X11 app (xclock) with changing pixels', async () => {
  const page = await newPage();
  await launchFromUi(page, 'xclock');
  // A drawn clock face, not the blank screen before xclock mapped its window.
  const first = await waitFor('the clock face', async () => {
    const sig = await frameSignature(page);
    return Math.max(...sig) - Math.min(...sig) > 30 ? sig : null;
  });
  await waitFor(
    'the clock hands to move',
    async () => (await frameSignature(page)).some((v, i) => Math.abs(v - first[i]!) >= 2),
    5000,
    250,
  );
  await page.getByTestId('end-session').click();
  await page.close();
});

it('ending the session from the viewer removes every process and file of the session', async () => {
  const page = await newPage();
  const id = await launchFromUi(page, 'diagnostics');
  const { pids } = (await api<{ pids: number[] }>(admin.api, 'GET', `/api/sessions/${id}/stats`)).body;
  const procs = sessionProcesses(server.runtimeDir, id, pids);
  expect(procs.length).toBeGreaterThanOrEqual(5);
  await page.getByTestId('end-session').click();
  await page.getByTestId('viewer-message').waitFor();
  await waitFor('all processes gone', () => procs.every((p) => !isAlive(p.pid)));
  await waitFor('session folder gone', () => !fs.existsSync(path.join(server.runtimeDir, 'sessions', id)));
  expect((await api(admin.api, 'GET', '/api/sessions')).body).toEqual([]);
  await page.close();
});

it('tells the viewer when the app dies', async () => {
  const page = await newPage();
  const id = await launchFromUi(page, 'diagnostics');
  const app = sessionProcesses(server.runtimeDir, id).find((p) => p.cmd.includes('/app/bin/vitrine-diagnostics --fps'));
  process.kill(app!.pid, 'SIGKILL');
  const message = page.getByTestId('viewer-message');
  await message.waitFor();
  // Killed by a signal the server did not send: a crash, and the viewer may open it again.
  expect(await message.textContent()).toMatch(/app stopped unexpectedly/i);
  await page.close();
});
