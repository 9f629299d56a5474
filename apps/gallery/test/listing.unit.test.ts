import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { listImages } from '../server/listing.ts';
import { FileRoot } from '../server/paths.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gallery-listing-'));
const root = new FileRoot(tmp);
const put = (rel: string, body = 'x') => {
  fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
  fs.writeFileSync(path.join(tmp, rel), body);
};
put('Deal/b.jpg');
put('Deal/a.PNG', 'four');
put('Deal/notes.txt');
put('Deal/2024/c.webp');
put('Deal/2024/deeper/d.gif');
put('Other/secret.png');
put('Empty/readme.md');
put('single.avif');
fs.symlinkSync(path.join(tmp, 'Other'), path.join(tmp, 'Deal', 'linked-folder'));
fs.symlinkSync(path.join(tmp, 'Other', 'secret.png'), path.join(tmp, 'Deal', 'linked.png'));
fs.mkdirSync(path.join(tmp, 'Deal', 'locked'));
put('Deal/locked/hidden.png');
fs.chmodSync(path.join(tmp, 'Deal', 'locked'), 0o000);
afterAll(() => {
  fs.chmodSync(path.join(tmp, 'Deal', 'locked'), 0o755);
  fs.rmSync(tmp, { recursive: true, force: true });
});
/** Running as root, permissions do not stop a read: the unreadable folder cannot be tested. */
const root0 = process.getuid?.() === 0;

it('lists every picture under a grant, folder by folder, and nothing else', async () => {
  const { grants, truncated } = await listImages(root, ['/files/Deal']);
  expect(truncated).toBe(false);
  const paths = grants[0]!.images.map((i) => i.path);
  expect(paths.filter((p) => !p.includes('/locked/'))).toEqual([
    '/files/Deal/a.PNG',
    '/files/Deal/b.jpg',
    '/files/Deal/2024/c.webp',
    '/files/Deal/2024/deeper/d.gif',
  ]);
  // Links are neither listed nor followed; the folder beside the grant never shows.
  expect(paths.join()).not.toMatch(/linked|secret|notes/);
  const a = grants[0]!.images[0]!;
  expect(a).toMatchObject({ name: 'a.PNG', folder: '/files/Deal', size: 4 });
  expect(new Date(a.modifiedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  if (!root0) expect(grants[0]!.unreadable).toEqual(['/files/Deal/locked']);
});

it('says when a grant has no pictures, is missing, or is one picture', async () => {
  const { grants } = await listImages(root, [
    '/files/Empty',
    '/files/Gone',
    '/files/single.avif',
    '/files/Empty/readme.md',
  ]);
  expect(grants.map((g) => [g.path, g.images.length, g.error])).toEqual([
    ['/files/Empty', 0, null],
    ['/files/Gone', 0, 'missing'],
    ['/files/single.avif', 1, null],
    ['/files/Empty/readme.md', 0, 'not-a-folder'],
  ]);
});

it('stops at its bounds and says so', async () => {
  const few = await listImages(root, ['/files/Deal'], { images: 2, entries: 1000, depth: 16 });
  expect(few.truncated).toBe(true);
  expect(few.grants[0]!.images.map((i) => i.name)).toEqual(['a.PNG', 'b.jpg']);
  const shallow = await listImages(root, ['/files/Deal'], { images: 100, entries: 1000, depth: 1 });
  expect(shallow.truncated).toBe(true);
  expect(shallow.grants[0]!.images.map((i) => i.name)).not.toContain('d.gif');
});
