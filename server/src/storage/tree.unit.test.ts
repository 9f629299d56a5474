import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIR_FLAGS, openDir } from './paths.ts';
import { removeTree, treeBytes, walkTree } from './tree.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-tree-'));
});
// fs.rmSync cannot remove what these tests nest (see the last test).
afterEach(() => removeTree(tmp));

/** `levels` nested folders `name` below `root`, made through descriptors (no path gets long). */
function nest(root: string, levels: number, bottomFile?: [string, number], name = 'd'): void {
  fs.mkdirSync(root, { recursive: true });
  let fd = fs.openSync(root, DIR_FLAGS);
  for (let i = 0; i < levels; i++) {
    fs.mkdirSync(`/proc/self/fd/${fd}/${name}`);
    const next = fs.openSync(`/proc/self/fd/${fd}/${name}`, DIR_FLAGS);
    fs.closeSync(fd);
    fd = next;
  }
  if (bottomFile) fs.writeFileSync(`/proc/self/fd/${fd}/${bottomFile[0]}`, Buffer.alloc(bottomFile[1], 1));
  fs.closeSync(fd);
}

const openFds = () => fs.readdirSync('/proc/self/fd').length;

async function bytesOf(root: string) {
  const dir = await openDir(root, []);
  try {
    return await treeBytes(dir);
  } finally {
    await dir.close();
  }
}

describe('walking a tree an app shaped', () => {
  it('goes 400 levels down with a bounded number of descriptors', async () => {
    const root = path.join(tmp, 'deep');
    nest(root, 400, ['bottom.bin', 777]);
    fs.writeFileSync(path.join(root, 'top.bin'), Buffer.alloc(23));
    const before = openFds();
    let most = 0;
    const dir = await openDir(root, []);
    let bytes = 0;
    const report = await walkTree(
      dir,
      {
        entry: (_d, _n, stats) => {
          most = Math.max(most, openFds() - before);
          if (stats?.isFile()) bytes += stats.size;
        },
      },
      { lstat: true },
    );
    await dir.close();
    expect(bytes).toBe(800);
    expect(report).toEqual({ tooDeep: 0, changed: 0 });
    // One per level would be 400; the walk keeps 32 (and a few being closed or read).
    expect(most).toBeLessThan(64);
    expect(openFds()).toBe(before);
  });

  it('reports what is deeper than it goes instead of failing', async () => {
    nest(path.join(tmp, 'deep'), 50, ['bottom.bin', 10]);
    const dir = await openDir(path.join(tmp, 'deep'), []);
    const seen: string[] = [];
    const report = await walkTree(dir, { tooDeep: (_d, name) => void seen.push(name.toString()) }, { maxDepth: 20 });
    await dir.close();
    expect(report).toEqual({ tooDeep: 1, changed: 0 });
    expect(seen).toEqual(['d']);
  });

  it('never follows a symlink, and counts names that are not UTF-8', async () => {
    const root = path.join(tmp, 'root');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(tmp, 'outside.bin'), Buffer.alloc(5000));
    fs.symlinkSync(path.join(tmp, 'outside.bin'), path.join(root, 'link'));
    fs.symlinkSync(tmp, path.join(root, 'dirlink'));
    fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0xff, 0xfe])]), Buffer.alloc(9));
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    expect(await bytesOf(root)).toEqual({ bytes: 9, tooDeep: 0, changed: 0 });
  });

  it('leaves out, and reports, a part moved away while it was below it; never counts where it went', async () => {
    const root = path.join(tmp, 'root');
    nest(path.join(root, 'a'), 60, ['bottom.bin', 1]);
    const elsewhere = path.join(tmp, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(elsewhere, 'outside.bin'), Buffer.alloc(4000));
    const dir = await openDir(root, []);
    let bytes = 0;
    const report = await walkTree(
      dir,
      {
        entry: (_d, name, stats) => {
          if (name.toString() === 'bottom.bin') {
            // The app moves a folder above the walk (its descriptor closed by now) out of the tree.
            fs.renameSync(path.join(root, 'a', 'd', 'd'), path.join(elsewhere, 'd'));
          }
          if (stats?.isFile()) bytes += stats.size;
        },
      },
      { lstat: true },
    );
    await dir.close();
    expect(report.changed).toBe(1);
    expect(bytes).toBe(1);
  });
});

describe('removing a tree the server owns', () => {
  it('removes 400 levels, files, links and FIFOs, never what a link points at', async () => {
    const root = path.join(tmp, 'slot');
    nest(path.join(root, 'item'), 400, ['bottom.bin', 10]);
    fs.writeFileSync(path.join(tmp, 'outside.txt'), 'keep me');
    fs.symlinkSync(path.join(tmp, 'outside.txt'), path.join(root, 'item', 'link'));
    fs.symlinkSync(tmp, path.join(root, 'item', 'd', 'dirlink'));
    execFileSync('mkfifo', [path.join(root, 'item', 'd', 'pipe')]);
    const before = openFds();
    await removeTree(root);
    expect(fs.existsSync(root)).toBe(false);
    expect(fs.readFileSync(path.join(tmp, 'outside.txt'), 'utf8')).toBe('keep me');
    expect(openFds()).toBe(before);
  });

  it('removes a link itself, and is fine with nothing there', async () => {
    fs.symlinkSync(tmp, path.join(tmp, 'link'));
    await removeTree(path.join(tmp, 'link'));
    expect(fs.existsSync(tmp)).toBe(true);
    expect(fs.readdirSync(tmp)).toEqual([]);
    await removeTree(path.join(tmp, 'nothing'));
    // fs.rm cannot do this one (the paths get longer than the kernel takes).
    nest(path.join(tmp, 'long'), 400, undefined, 'd'.repeat(12));
    await expect(fs.promises.rm(path.join(tmp, 'long'), { recursive: true })).rejects.toMatchObject({
      code: 'ENAMETOOLONG',
    });
    await removeTree(path.join(tmp, 'long'));
    expect(fs.existsSync(path.join(tmp, 'long'))).toBe(false);
  });
});
