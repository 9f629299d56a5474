import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeDocx, makeZipBomb, writeZip } from '../../../e2e/lib/office-files.ts';
import { checkZip, isZip } from '../server/zip.ts';

// The zip-bomb check on real files: a generated .docx passes; bombs that are honest about their size,
// or lie about it, are refused with 413; a damaged zip is 422.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'office-zip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

it('lets a real .docx through', async () => {
  await makeDocx(file('ok.docx'), 3);
  const fh = await fs.promises.open(file('ok.docx'));
  expect(await isZip(fh)).toBe(true);
  await fh.close();
  await expect(checkZip(file('ok.docx'))).resolves.toBeUndefined();
});

it('refuses a bomb by its directory (2 GiB of zeros in 2 MB)', async () => {
  makeZipBomb(file('bomb.docx'), 2);
  await expect(checkZip(file('bomb.docx'))).rejects.toMatchObject({ status: 413, code: 'too-large' });
});

it('refuses a bomb whose directory lies (claims 1 KiB, inflates to 1 GiB) by inflating it', async () => {
  makeZipBomb(file('liar.docx'), 1, true);
  await expect(checkZip(file('liar.docx'))).rejects.toMatchObject({ status: 413, code: 'too-large' });
});

it('refuses one entry inflating far beyond its size even under the total limit', async () => {
  writeZip(file('ratio.docx'), [{ name: 'word/document.xml', data: Buffer.alloc(20 * 1024 * 1024) }]);
  await expect(checkZip(file('ratio.docx'))).rejects.toMatchObject({ status: 413, code: 'too-large' });
});

it('says a damaged zip is unreadable', async () => {
  fs.writeFileSync(file('broken.docx'), Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100, 1)]));
  await expect(checkZip(file('broken.docx'))).rejects.toMatchObject({ status: 422, code: 'unreadable' });
});
