import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CreatedShare } from '@vitrine/protocol';
import { frameSignature, launchChromium, lumaPlane, waitForStreaming } from './lib/browser.ts';
import { registerInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { api, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';

// The watermark is drawn by the server's encoder: compare what Chromium decodes for the same
// screen with the watermark on and off.
let server: TestServer;
let browser: Browser;
let client: BrowserUser;
const shares: Record<'on' | 'off', CreatedShare> = {} as never;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  expect((await api(server.owner, 'POST', '/api/files/folders', { path: 'Plans' })).status).toBe(201);
  for (const mode of ['on', 'off'] as const) {
    shares[mode] = (
      await api<CreatedShare>(server.owner, 'POST', '/api/shares', {
        clientEmail: 'wanda@example.test',
        label: `Watermark ${mode}`,
        paths: [{ path: 'Plans', access: 'view' }],
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        watermark: mode === 'on',
      })
    ).body;
  }
  client = await registerInBrowser(
    browser,
    shares.on.invitation.link,
    { displayName: 'Wanda' },
    { apiUrl: server.url },
  );
  await client.page.goto(shares.off.invitation.link);
  await client.page.getByTestId('invite-accept').click();
  await client.page.getByTestId('received-share').nth(1).waitFor();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens a share, waits for the explorer's first screen to be shown and still, returns its pixels. */
async function shownScreen(page: Page, shareId: string) {
  await page.goto(`${server.publicUrl()}/shared`);
  await page.locator(`[data-testid="received-share"][data-share-id="${shareId}"]`).getByTestId('share-open').click();
  await page.waitForURL(/\/session\//);
  await waitForStreaming(page);
  const id = await page.evaluate(() => (window as any).__vitrine.sessionId as string);
  await waitFor(
    'the explorer listed the share',
    () => server.sessions.claimsOf(id).some((c) => c.kind === 'folder-opened' && c.path === '/files'),
    15_000,
  );
  let last = await frameSignature(page);
  await waitFor(
    'a still picture',
    async () => {
      const now = await frameSignature(page);
      const still = now.every((v, i) => Math.abs(v - last[i]!) <= 3);
      last = now;
      return still;
    },
    10_000,
    150,
  );
  const plane = await lumaPlane(page);
  // Nothing on a client's viewer page offers a download, and the page may not touch the clipboard.
  expect(await page.locator('a[download], a[href*="/api/files/content"]').count()).toBe(0);
  const policy = (await page.request.get(page.url())).headers()['permissions-policy'] ?? '';
  expect(policy).toContain('clipboard-read=()');
  expect(policy).toContain('clipboard-write=()');
  await page.getByTestId('end-session').click();
  return { id, ...plane };
}

it('burns the client, the session and the time into the video, tiled over the picture; off means off', async () => {
  const off = await shownScreen(client.page, shares.off.share.id);
  const on = await shownScreen(client.page, shares.on.share.id);
  expect([on.width, on.height]).toEqual([off.width, off.height]);
  const { width, height } = on;
  // Rows of the five watermark bands (encoder.ts: text centred on (r + 0.5) / 5 of the height).
  const bandOf = (y: number) => {
    const band = Math.floor((y / height) * 5);
    const top = ((band + 0.5) * height) / 5;
    return y >= top - 2 && y <= top + height / 40 + 4;
  };
  let inBands = 0;
  let inBandsChanged = 0;
  let elsewhere = 0;
  let elsewhereChanged = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const changed = Math.abs(on.luma[y * width + x]! - off.luma[y * width + x]!) > 40;
      if (bandOf(y)) {
        inBands++;
        if (changed) inBandsChanged++;
      } else {
        elsewhere++;
        if (changed) elsewhereChanged++;
      }
    }
  }
  const inside = inBandsChanged / inBands;
  const outside = elsewhereChanged / elsewhere;
  console.log(
    `watermark: ${(inside * 100).toFixed(2)} % of band pixels changed, ${(outside * 100).toFixed(3)} % elsewhere`,
  );
  expect(inside).toBeGreaterThan(0.03);
  expect(outside).toBeLessThan(inside / 10);
  // Every band carries text, left and right.
  for (let band = 0; band < 5; band++) {
    const top = Math.round(((band + 0.5) * height) / 5);
    for (const [from, to] of [
      [0, width / 2],
      [width / 2, width],
    ] as const) {
      let n = 0;
      for (let y = top; y < top + height / 40; y++)
        for (let x = Math.floor(from); x < to; x++)
          if (Math.abs(on.luma[y * width + x]! - off.luma[y * width + x]!) > 40) n++;
      expect(n, `band ${band}, ${from === 0 ? 'left' : 'right'}`).toBeGreaterThan(20);
    }
  }
}, 120_000);
