import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';
import { decodeDiagnosticsFrame } from './diagnostics-probe.ts';

/**
 * Debian's Chromium with the flags that work on this machine; WebRTC stays on loopback.
 * `signals`: a caller with its own Ctrl-C clean-up (a benchmark) turns Playwright's off, which
 * would close the browser and exit the process before that clean-up has ended its sessions.
 */
export function launchChromium(
  executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  extraArgs: string[] = [],
  signals: Pick<LaunchOptions, 'handleSIGINT' | 'handleSIGTERM'> = {},
): Promise<Browser> {
  return chromium.launch({
    ...signals,
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

export async function viewerState(page: Page): Promise<string> {
  return page.evaluate(() => (window as any).__vitrine?.state ?? 'none');
}

export async function waitForStreaming(page: Page, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction(() => (window as any).__vitrine?.state === 'streaming', null, { timeout: timeoutMs });
}

/** Decoded-video statistics from the page's RTCPeerConnection. */
export async function inboundVideo(page: Page) {
  return page.evaluate(async () => {
    const pc: RTCPeerConnection = (window as any).__vitrine.pc;
    const report = await pc.getStats();
    let inbound: any;
    report.forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
    });
    const codec = inbound?.codecId ? (report.get(inbound.codecId) as any)?.mimeType : undefined;
    return {
      framesDecoded: inbound?.framesDecoded as number,
      frameWidth: inbound?.frameWidth as number,
      frameHeight: inbound?.frameHeight as number,
      codec: codec as string,
      at: performance.now(),
    };
  });
}

/**
 * Draws the current video frame and runs `body(ctx, w, h)` in the page: at the frame's intrinsic
 * size, or stretched to `size` (a stream the rate controller scaled down, drawn at its display's
 * size again, as the viewer shows it).
 */
function inPage(body: string, size?: { width: number; height: number }): string {
  const dims = size ? `${size.width}, h = ${size.height}` : 'video.videoWidth, h = video.videoHeight';
  return `(() => {
    const video = window.__vitrine.video;
    const w = ${dims};
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    ${body}
  })()`;
}

/**
 * Decodes the diagnostics app's blocks from the frame the browser is showing now (in the page).
 * Pass the display's size where the stream may be scaled down (a capped link): the blocks sit at
 * display pixels.
 */
export async function decodeShownFrame(
  page: Page,
  displaySize?: { width: number; height: number },
): Promise<ReturnType<typeof decodeDiagnosticsFrame>> {
  const expr = inPage(
    `const decode = ${decodeDiagnosticsFrame.toString()};
    return decode(ctx.getImageData(0, 0, w, h).data, w, h);`,
    displaySize,
  );
  return page.evaluate(expr) as Promise<ReturnType<typeof decodeDiagnosticsFrame>>;
}

/** A coarse picture of the shown frame: mean luma of each cell of a 32x18 grid (0..255). */
export async function frameSignature(page: Page): Promise<number[]> {
  const expr = inPage(`const d = ctx.getImageData(0, 0, w, h).data;
    const out = [];
    for (let gy = 0; gy < 18; gy++) for (let gx = 0; gx < 32; gx++) {
      let sum = 0, n = 0;
      for (let y = Math.floor(gy * h / 18); y < Math.floor((gy + 1) * h / 18); y += 2)
        for (let x = Math.floor(gx * w / 32); x < Math.floor((gx + 1) * w / 32); x += 2) {
          const i = (y * w + x) * 4; sum += (d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000; n++;
        }
      out.push(Math.round(sum / n));
    }
    return out;`);
  return page.evaluate(expr) as Promise<number[]>;
}

/** Luma (0..255) of every second pixel of every second row of the shown frame, row by row, with its size. */
export async function lumaPlane(page: Page): Promise<{ width: number; height: number; luma: number[] }> {
  const expr = inPage(`const d = ctx.getImageData(0, 0, w, h).data;
    const luma = [];
    for (let y = 0; y < h; y += 2)
      for (let x = 0; x < w; x += 2) {
        const i = (y * w + x) * 4; luma.push(Math.round((d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000));
      }
    return { width: Math.ceil(w / 2), height: Math.ceil(h / 2), luma };`);
  return page.evaluate(expr) as Promise<{ width: number; height: number; luma: number[] }>;
}

/** The origin `clipboardText` reads from (served by the test itself; grant it clipboard-read). */
export const CLIPBOARD_ORIGIN = 'http://localhost:9';

/**
 * What is on the browser's clipboard, read from a page of its own (an origin without Vitrine's
 * policy, which denies reading the clipboard to every page of Vitrine). The context needs
 * clipboard-read granted to CLIPBOARD_ORIGIN.
 */
export async function clipboardText(context: BrowserContext): Promise<string> {
  const reader = await context.newPage();
  try {
    await reader.route(`${CLIPBOARD_ORIGIN}/clipboard`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>clipboard</title>' }),
    );
    await reader.goto(`${CLIPBOARD_ORIGIN}/clipboard`);
    await reader.bringToFront();
    return await reader.evaluate(() => navigator.clipboard.readText());
  } finally {
    await reader.close();
  }
}
