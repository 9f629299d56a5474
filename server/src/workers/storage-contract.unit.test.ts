import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSharedStorage, type StorageContractResult } from './storage-contract.ts';

const SANDBOX_LIKE = { uid: 4242, gid: 4242 };
const made: string[] = [];
const mounted: string[] = [];

async function tmpFolder(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vitrine-storage-contract-'));
  made.push(dir);
  return dir;
}

function failure(result: StorageContractResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  // The operator reads the detail at a worker's start: a sentence, never a stack trace.
  expect(result.detail).not.toMatch(/\n\s+at /);
  return result;
}

afterEach(async () => {
  for (const dir of mounted.splice(0)) spawnSync('umount', [dir]);
  for (const dir of made.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

describe('checkSharedStorage', () => {
  it('passes on a local folder, with every check named, and leaves nothing behind', async () => {
    const dir = await tmpFolder();
    await fs.writeFile(path.join(dir, 'an owner file'), 'kept');
    const result = await checkSharedStorage(dir, { fileOwner: SANDBOX_LIKE });
    expect(result).toEqual({
      ok: true,
      checks: [
        'write-read',
        'rename-over',
        'nofollow',
        'exclusive-create',
        'folder-rename',
        'hard-links',
        'ownership',
        'visibility',
      ],
    });
    expect(await fs.readdir(dir)).toEqual(['an owner file']);
  });

  it('checks ownership only when given the sandbox user', async () => {
    const result = await checkSharedStorage(await tmpFolder());
    expect(result.ok && result.checks).toEqual(expect.arrayContaining(['visibility']));
    expect(result.ok && result.checks).not.toContain('ownership');
  });

  it('sees the child process through peerDir when it is the same folder', async () => {
    const dir = await tmpFolder();
    const peer = path.join(await tmpFolder(), 'same-folder');
    await fs.symlink(dir, peer);
    expect(await checkSharedStorage(dir, { peerDir: peer })).toMatchObject({ ok: true });
  });

  it('fails visibility when peerDir is another folder, and still removes its probe folder', async () => {
    const dir = await tmpFolder();
    const other = await tmpFolder();
    const result = failure(await checkSharedStorage(dir, { peerDir: other }));
    expect(result.failed).toBe('visibility');
    expect(result.detail).toContain(`through ${other}`);
    expect(result.detail).toContain('ENOENT');
    expect(await fs.readdir(dir)).toEqual([]);
    expect(await fs.readdir(other)).toEqual([]);
  });

  it('fails write-read when the path is a regular file', async () => {
    const file = path.join(await tmpFolder(), 'not-a-folder');
    await fs.writeFile(file, 'x');
    const result = failure(await checkSharedStorage(file));
    expect(result.failed).toBe('write-read');
    expect(result.detail).toMatch(/must be a folder .*ENOTDIR/);
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });

  it('fails write-read on a read-only mount', async () => {
    const dir = await tmpFolder();
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { encoding: 'utf8' });
    expect(mount.stderr).toBe('');
    mounted.push(dir);
    const result = failure(await checkSharedStorage(dir));
    expect(result.failed).toBe('write-read');
    expect(result.detail).toContain('EROFS');
  });

  // What root_squash does to a worker: root writes on the export but cannot give files away. A root
  // process without CAP_CHOWN (setpriv) meets the same EPERM, and still reaches this checkout's
  // Node and module wherever it lies (another uid could not enter a private temp folder).
  it('fails ownership, naming root_squash, where root is not root, and removes its probe folder', async () => {
    const dir = await tmpFolder();
    const moduleUrl = new URL('./storage-contract.ts', import.meta.url).href;
    const script = `const { checkSharedStorage } = await import(${JSON.stringify(moduleUrl)});
      const result = await checkSharedStorage(process.argv[1], { fileOwner: ${JSON.stringify(SANDBOX_LIKE)} });
      process.stdout.write(JSON.stringify(result));`;
    const args = ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script, dir];
    const child = await promisify(execFile)('setpriv', ['--bounding-set=-chown', process.execPath, ...args], {
      timeout: 20_000,
    });
    const result = failure(JSON.parse(child.stdout) as StorageContractResult);
    expect(result.failed).toBe('ownership');
    expect(result.detail).toContain('root_squash?');
    expect(result.detail).toContain('EPERM');
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
