import type { Locator, Page } from 'playwright-core';
import { waitFor } from '../../server/test/helpers.ts';

/** The owner's Files and Trash pages, driven as a person does: rows by name, menus, uploads, drags. */

/** The row of a file or folder in the folder shown. */
export const fileRow = (page: Page, name: string): Locator =>
  page.locator(`[data-testid="file-row"][data-name="${name}"]`);

/** The upload list's rows for a file name (one per attempt: the latest last). */
export const uploadRow = (page: Page, name: string): Locator =>
  page.locator(`[data-testid="upload-row"][data-name="${name}"]`);

/** The Trash page's row of what was at `path`. */
export const trashRow = (page: Page, path: string): Locator =>
  page.locator(`[data-testid="trash-row"][data-path="${path}"]`);

/** Chooses an action (`file-rename`, `file-move`, `file-share`, …) from a row's menu. */
export async function entryAction(page: Page, name: string, action: string): Promise<void> {
  await fileRow(page, name).getByTestId('file-menu').click();
  await page.getByTestId(action).click();
}

/** Uploads files into the folder shown, as if chosen with the Upload button. */
export async function uploadFiles(page: Page, ...files: { name: string; body: string | Buffer }[]): Promise<void> {
  await page
    .getByTestId('files-upload-input')
    .setInputFiles(
      files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: Buffer.from(f.body) })),
    );
}

/**
 * Drags a row with the mouse onto a folder's row, waiting until that row shows it takes it
 * (`whileOver` runs then, the button still held, e.g. to take a picture), and drops it there.
 */
export async function dragOnto(
  page: Page,
  from: Locator,
  folder: Locator,
  whileOver?: () => Promise<void>,
): Promise<void> {
  await from.hover();
  await page.mouse.down();
  const box = (await folder.boundingBox())!;
  const [x, y] = [box.x + box.width / 3, box.y + box.height / 2];
  await page.mouse.move(x, y, { steps: 8 });
  // The page learns what is dragged as the drag starts: a move over the folder may come before
  // it; Chromium tells the folder again at each move over it (a person's hand is never still).
  let nudge = 0;
  await waitFor('the folder to show it takes the drop', async () => {
    if ((await folder.getAttribute('data-drop-target')) === 'true') return true;
    await page.mouse.move(x + (++nudge % 2), y);
    return false;
  });
  await whileOver?.();
  await page.mouse.up();
}
