import fs from 'node:fs';
import path from 'node:path';
import { onTestFailed } from 'vitest';
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

/**
 * Where an e2e test keeps a picture: test-artifacts/<suite>/<name>.png in the repository
 * (ignored by git, kept after the run for a person to look at, never in the shared /tmp).
 */
export function artifactPath(suite: string, name: string): string {
  const folder = path.join(import.meta.dirname, '..', '..', 'test-artifacts', suite);
  fs.mkdirSync(folder, { recursive: true });
  return path.join(folder, `${name}.png`);
}

/** Keeps a picture of `page` when the running test fails, named after the test. */
export function shootOnFailure(page: Page, suite: string): void {
  onTestFailed(async (ctx) => {
    const name = `failed-${ctx.task.name.replace(/[^\w-]+/g, '-').slice(0, 60)}`;
    await page.screenshot({ path: artifactPath(suite, name) }).catch(() => {});
  });
}
