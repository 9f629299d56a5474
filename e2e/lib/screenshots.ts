import type { Page } from 'playwright-core';

/** The two screen sizes every picture of the product is judged at. */
export const SHOT_SIZES = [
  [1920, 1080],
  [1440, 900],
] as const;

/**
 * With E2E_SHOTS=<folder>, keeps `<name>-<w>x<h>.png` of the page at each of SHOT_SIZES, once
 * nothing on it is animating (a dialog's fade-in) and with the pointer out of the way (no
 * tooltip of the last button pressed); then the page goes back to `restore` when given.
 */
export async function shotAtBothSizes(
  page: Page,
  name: string,
  restore?: { width: number; height: number },
): Promise<void> {
  const folder = process.env.E2E_SHOTS;
  if (!folder) return;
  for (const [width, height] of SHOT_SIZES) {
    await page.setViewportSize({ width, height });
    await page.mouse.move(1, 1);
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await page.screenshot({ path: `${folder}/${name}-${width}x${height}.png` });
  }
  if (restore) await page.setViewportSize(restore);
}
