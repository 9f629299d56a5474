import type { Page } from 'playwright-core';
import { waitFor } from '../../server/test/helpers.ts';
import { frameSignature } from './browser.ts';

/**
 * Reading and driving a streamed app through the viewer page, as a person would: pixels come
 * from the decoded video, input goes through the viewer's keyboard and mouse capture.
 */

export type Rgb = [number, number, number];

export interface ColourRegion {
  /** Fraction of the frame within tolerance of the colour. */
  share: number;
  /** Centroid and extent of those pixels, in display pixels. */
  cx: number;
  cy: number;
  width: number;
  height: number;
}

/** Where pixels of `rgb` (± `tolerance` per channel) are in the frame the browser shows now. */
export async function findColour(
  page: Page,
  rgb: Rgb,
  tolerance = 40,
  /** Only this part of the display: [left, top, right, bottom] in display pixels. */
  area: [number, number, number, number] = [0, 0, 1e9, 1e9],
): Promise<ColourRegion> {
  return page.evaluate(
    ([r, g, b, tol, ax0, ay0, ax1, ay1]) => {
      const video = (window as unknown as { __vitrine: { video: HTMLVideoElement } }).__vitrine.video;
      const w = video.videoWidth;
      const h = video.videoHeight;
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(video, 0, 0);
      const d = ctx.getImageData(0, 0, w, h).data;
      let n = 0;
      let sx = 0;
      let sy = 0;
      let minX = w;
      let maxX = -1;
      let minY = h;
      let maxY = -1;
      let total = 0;
      for (let y = Math.max(0, ay0!); y < Math.min(h, ay1!); y += 2) {
        for (let x = Math.max(0, ax0!); x < Math.min(w, ax1!); x += 2) {
          total++;
          const i = (y * w + x) * 4;
          if (Math.abs(d[i]! - r!) > tol! || Math.abs(d[i + 1]! - g!) > tol! || Math.abs(d[i + 2]! - b!) > tol!)
            continue;
          n++;
          sx += x;
          sy += y;
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
      }
      return n === 0
        ? { share: 0, cx: -1, cy: -1, width: 0, height: 0 }
        : { share: n / total, cx: sx / n, cy: sy / n, width: maxX - minX + 1, height: maxY - minY + 1 };
    },
    [...rgb, tolerance, ...area] as const,
  );
}

/** Gives the viewer the keyboard (a person would click into the video first). */
export async function focusViewer(page: Page): Promise<void> {
  await page.getByTestId('viewer-video').evaluate((v) => (v.closest('[tabindex]') as HTMLElement | null)?.focus());
}

/** The size of the picture the browser shows now (the display, or the part that follows the viewer). */
export async function shownSize(page: Page): Promise<{ width: number; height: number }> {
  return page
    .getByTestId('viewer-video')
    .evaluate((v: HTMLVideoElement) => ({ width: v.videoWidth, height: v.videoHeight }));
}

/** Clicks the remote display at display coordinates (through the video, letterboxed or not). */
export async function clickDisplay(
  page: Page,
  x: number,
  y: number,
  display?: { width: number; height: number },
  clickCount = 1,
) {
  display ??= await shownSize(page);
  const box = (await page.getByTestId('viewer-video').boundingBox())!;
  const scale = Math.min(box.width / display.width, box.height / display.height);
  const left = box.x + (box.width - display.width * scale) / 2;
  const top = box.y + (box.height - display.height * scale) / 2;
  await page.mouse.click(left + (x + 0.5) * scale, top + (y + 0.5) * scale, { clickCount });
}

/** Types text key by key into the remote app (each key is a separate input event). */
export async function typeRemote(page: Page, text: string): Promise<void> {
  for (const ch of text) await page.keyboard.press(ch);
}

const differs = (a: number[], b: number[]) => a.some((v, i) => Math.abs(v - b[i]!) > 3);

/**
 * Presses a key that changes the remote screen and waits until the change is shown and the
 * picture is still again: the next key then reaches an app that has finished reacting.
 */
export async function pressAndSettle(page: Page, key: string): Promise<void> {
  const before = await frameSignature(page);
  await page.keyboard.press(key);
  await waitFor(`the screen to change after ${key}`, async () => differs(await frameSignature(page), before), 5000, 30);
  let last = await frameSignature(page);
  await waitFor(
    `the screen to settle after ${key}`,
    async () => {
      const now = await frameSignature(page);
      const still = !differs(now, last);
      last = now;
      return still;
    },
    5000,
    80,
  );
}

/** Waits until the shown picture has not changed for `quietMs` (the encoder's top-off has sharpened it). */
export async function waitForStill(page: Page, quietMs = 1500, timeoutMs = 15_000): Promise<void> {
  let last = await frameSignature(page);
  let since = Date.now();
  await waitFor(
    'a still picture',
    async () => {
      const now = await frameSignature(page);
      if (!now.every((v, i) => Math.abs(v - last[i]!) <= 2)) since = Date.now();
      last = now;
      return Date.now() - since > quietMs;
    },
    timeoutMs,
    150,
  );
}

/** In the File Explorer: filters the list by `name` ("/" then the name, key by key) and opens the first match. */
export async function openByName(page: Page, name: string): Promise<void> {
  await pressAndSettle(page, '/');
  await typeRemote(page, name);
  await pressAndSettle(page, 'Enter');
  await page.keyboard.press('Enter');
}
