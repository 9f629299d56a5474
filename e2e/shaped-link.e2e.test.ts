import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAppsRoot } from '../bench/lib/apps-root.ts';
import { decodeShownFrame, launchChromium, waitForStreaming } from './lib/browser.ts';
import { registerInBrowser } from './lib/passkeys.ts';
import { createShapedLink, startServerInLab, type LabServer, type ShapedLink } from './lib/shaped-link.ts';

// The lab itself: a real server in the lab's server namespace, Chromium in its client namespace,
// the busy diagnostics variant (`--busy`, what bench/network.ts measures: most pixels change every
// frame) streaming over H.264. Under a 500 kbit/s cap the congestion controller must keep the
// stream alive and recent and tell the viewer; lifting the cap must bring full rate back.
let apps: ReturnType<typeof createAppsRoot> | undefined;
let lab: ShapedLink | undefined;
let server: LabServer | undefined;
let browser: Browser | undefined;
/** The first account, registered once (the setup link works once). */
let owner: { context: BrowserContext; page: Page } | undefined;
const CAP_KBIT = 500;
/** The app's display: under the cap the encoder may send it scaled down (encoding-ladder.ts). */
const DISPLAY = { width: 1280, height: 720 };

beforeAll(async () => {
  apps = createAppsRoot(
    [{ id: 'diagnostics-busy', ...DISPLAY, fps: 30, busy: true }],
    [{ id: 'diagnostics', from: 'diagnostics' }],
  );
  lab = createShapedLink();
  server = await startServerInLab(lab, { APPS_ROOT: apps.root });
  browser = await launchChromium(server.chromiumWrapper, server.chromiumArgs);
  owner = await registerInBrowser(
    browser,
    server.setupLink,
    { displayName: 'Lab', email: 'lab@example.test' },
    { apiUrl: server.origin },
  );
}, 60_000);

afterAll(async () => {
  await owner?.context.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
  lab?.destroy();
  apps?.remove();
});

/** Received video bytes and decoded frames of the viewer's connection (getStats). */
const inbound = (page: Page) =>
  page.evaluate(async () => {
    const report = await ((window as any).__vitrine.pc as RTCPeerConnection).getStats();
    let s: any;
    report.forEach((x: any) => {
      if (x.type === 'inbound-rtp' && x.kind === 'video') s = x;
    });
    return { bytes: (s?.bytesReceived ?? 0) as number, frames: (s?.framesDecoded ?? 0) as number, at: Date.now() };
  });

/** Bit rate (kbit/s) and decoded frame rate over `ms`. */
async function rates(page: Page, ms: number) {
  const a = await inbound(page);
  await page.waitForTimeout(ms); // a rate needs a time window
  const b = await inbound(page);
  const s = (b.at - a.at) / 1000;
  return { kbps: ((b.bytes - a.bytes) * 8) / 1000 / s, fps: (b.frames - a.frames) / s };
}

/** Glass-to-glass age of the picture on screen (ms): the diagnostics timestamp against now. */
async function pictureAge(page: Page): Promise<number> {
  const frame = await decodeShownFrame(page, DISPLAY);
  return frame ? Date.now() - frame.timestampMs : Infinity;
}

it('adapts busy content to a 500 kbit/s cap instead of collapsing, says so, and recovers when it is lifted', async () => {
  const { page } = owner!;
  await page.goto(`${server!.origin}/apps?codec=h264`);
  await page.getByTestId('launch-diagnostics-busy').click();
  await waitForStreaming(page, 30_000);
  // Most pixels change every frame: far more than the cap (the light pattern needs ≈ 600 kbit/s).
  await expect.poll(async () => (await rates(page, 1000)).kbps, { timeout: 15_000 }).toBeGreaterThan(1500);
  expect(await page.getByTestId('network-quality').count()).toBe(0);

  lab!.shape({ rateKbit: CAP_KBIT });
  // The controller backs off and the viewer is told why.
  const notice = page.getByTestId('network-quality');
  await notice.waitFor({ state: 'visible', timeout: 15_000 });
  expect(await notice.getAttribute('data-cause')).toBe('bandwidth');
  // Without it the encoder kept its 3 Mbit/s target: ≈ 1 fps and pictures many seconds old. Under
  // the controller frames keep coming and the picture on screen stays recent.
  await expect.poll(async () => (await rates(page, 2000)).fps, { timeout: 20_000, interval: 0 }).toBeGreaterThan(5);
  await expect.poll(() => pictureAge(page), { timeout: 10_000 }).toBeLessThan(1500);
  const capped = await rates(page, 3000);
  const tbf = lab!.stats();
  const sent = await page.evaluate(() => {
    const v = (window as any).__vitrine.video as HTMLVideoElement;
    return `${v.videoWidth}x${v.videoHeight}`;
  });
  console.info(
    `shaped link: ${CAP_KBIT} kbit/s cap: ${capped.kbps.toFixed(0)} kbit/s, ${capped.fps.toFixed(1)} fps, ${sent}; tbf ${JSON.stringify(tbf.down)}`,
  );
  // The payload received (getStats counts no RTP/UDP/IP headers) fits under the cap.
  expect(capped.kbps).toBeLessThanOrEqual(CAP_KBIT * 1.1);
  expect(tbf.down).not.toBeNull();
  expect(tbf.down!.overlimits + tbf.down!.dropped).toBeGreaterThan(0);

  lab!.clear();
  expect(lab!.stats()).toEqual({ down: null, up: null });
  await expect.poll(async () => (await rates(page, 1000)).fps, { timeout: 30_000, interval: 250 }).toBeGreaterThan(20);
  await notice.waitFor({ state: 'detached', timeout: 15_000 });
  const frame = await decodeShownFrame(page, DISPLAY);
  expect(frame).not.toBeNull();

  await page.getByTestId('end-session').click();
});
