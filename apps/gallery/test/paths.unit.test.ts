import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPath, FileRoot, imageType, openImage, RefusedError } from '../server/paths.ts';

describe('checkPath', () => {
  const grants = ['/files/Deal', '/files/Photos 2024'];

  it('takes a grant and what is under it, exactly as written', () => {
    expect(checkPath('/files/Deal', grants)).toBe('/files/Deal');
    expect(checkPath('/files/Deal/a b/ü.png', grants)).toBe('/files/Deal/a b/ü.png');
    expect(checkPath('/files/Photos 2024/x.jpg', grants)).toBe('/files/Photos 2024/x.jpg');
  });

  it('refuses what climbs, hides or leaves the grants', () => {
    for (const p of [
      '/files/Deal/../Other/a.png',
      '/files/Deal/./a.png',
      '/files/Deal//a.png',
      '/files/Deal/',
      '/files/Dealer/a.png', // a sibling whose name starts like a grant
      '/files',
      '/etc/passwd',
      'files/Deal/a.png',
      '/files/Deal/a\0.png',
      `/files/Deal/${'x'.repeat(4096)}.png`,
      '',
      42,
      null,
      undefined,
    ]) {
      expect(checkPath(p, grants), String(p).slice(0, 40)).toBeNull();
    }
  });

  it('takes the whole of /files when that is the grant (an owner on their storage)', () => {
    expect(checkPath('/files/a.png', ['/files'])).toBe('/files/a.png');
    expect(checkPath('/files', ['/files'])).toBe('/files');
    expect(checkPath('/files/../etc', ['/files'])).toBeNull();
  });
});

describe('imageType', () => {
  it('knows pictures by extension, in any case', () => {
    expect(imageType('a.JPG')).toBe('image/jpeg');
    expect(imageType('b.webp')).toBe('image/webp');
    expect(imageType('c.avif')).toBe('image/avif');
    expect(imageType('d.gif')).toBe('image/gif');
    expect(imageType('e.tar.png')).toBe('image/png');
  });
  it('refuses anything else', () => {
    for (const n of ['a.pdf', 'png', '.png', 'a.', 'a.html', 'a.png.exe', 'noext']) expect(imageType(n), n).toBeNull();
  });
});

describe('openImage', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gallery-paths-'));
  const root = new FileRoot(tmp);
  fs.mkdirSync(path.join(tmp, 'Deal'));
  fs.writeFileSync(path.join(tmp, 'Deal', 'a.png'), 'png bytes');
  fs.writeFileSync(path.join(tmp, 'secret.png'), 'not shared');
  fs.symlinkSync(path.join(tmp, 'secret.png'), path.join(tmp, 'Deal', 'link.png'));
  fs.symlinkSync(tmp, path.join(tmp, 'Deal', 'up'));
  fs.mkdirSync(path.join(tmp, 'Deal', 'folder.png'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const refusal = (p: string) =>
    openImage(root.toReal(p)).then(
      async ({ handle }) => {
        await handle.close();
        return 'opened';
      },
      (err: unknown) => (err instanceof RefusedError ? `${err.status} ${err.message}` : String(err)),
    );

  it('opens a regular file and says its size', async () => {
    const { handle, size } = await openImage(root.toReal('/files/Deal/a.png'));
    expect(size).toBe(9);
    expect((await handle.readFile()).toString()).toBe('png bytes');
    await handle.close();
  });

  it('follows no link: not as the file, not as a folder above it', async () => {
    expect(await refusal('/files/Deal/link.png')).toBe('403 links are not followed');
    expect(await refusal('/files/Deal/up/secret.png')).toBe('403 links are not followed');
  });

  it('serves no folder, and says what is missing', async () => {
    expect(await refusal('/files/Deal/folder.png')).toBe('403 not a file');
    expect(await refusal('/files/Deal/gone.png')).toBe('404 no such image');
  });

  it('maps sandbox paths both ways', () => {
    expect(root.toReal('/files')).toBe(root.real);
    expect(root.toReal('/files/Deal/a.png')).toBe(path.join(root.real, 'Deal', 'a.png'));
    expect(root.toSandbox(path.join(root.real, 'Deal'))).toBe('/files/Deal');
  });
});
