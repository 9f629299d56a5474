// The fscrypt wrapper against a real ext4 with the encrypt feature, on a loop-mounted sparse image:
// what is encrypted must not be on the disk in the clear, must read back through the mount with
// the key, and must not without it.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { addKey, keyStatus, policyOf, removeKey, setPolicy } from './fscrypt.ts';

// Counts the wrapper's spawns, so a test can tell that bad input never reached the helper.
vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:child_process')>();
  return { ...actual, execFile: vi.fn(actual.execFile) };
});

const NATIVE = path.resolve(import.meta.dirname, '../../../native');
/** Linux's "Required key not available": libuv has no name for it, so Node reports only the number. */
const ENOKEY = 126;

let tmp = '';
let image = '';
let mnt = '';
let mounted = false;

beforeAll(() => {
  execFileSync('make', ['-s', '-C', NATIVE], { stdio: 'inherit' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-fscrypt-'));
  image = path.join(tmp, 'fs.img');
  mnt = path.join(tmp, 'mnt');
  fs.mkdirSync(mnt);
  execFileSync('truncate', ['-s', '256M', image]);
  execFileSync('mkfs.ext4', ['-q', '-O', 'encrypt', image]);
  execFileSync('mount', ['-o', 'loop', image, mnt]);
  mounted = true;
});

afterAll(() => {
  // Unmounting frees the loop device (mount -o loop sets autoclear) and drops the keys added.
  if (mounted && spawnSync('umount', [mnt]).status !== 0) spawnSync('umount', ['-l', mnt]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  vi.mocked(execFile).mockClear();
});

/** Whether `text` is anywhere in the image file, i.e. on the "disk". */
function onDisk(text: string): boolean {
  execFileSync('sync', ['-f', mnt]); // written back through the loop device into the image
  return fs.readFileSync(image).includes(Buffer.from(text));
}

describe('fscrypt on a loop-mounted ext4', () => {
  const key = randomBytes(64);
  const contentMarker = `vitrine-content-${randomBytes(8).toString('hex')}`;
  const nameMarker = `vitrine-name-${randomBytes(8).toString('hex')}`;
  let identifier = '';
  let vault = '';

  it('adds a key and names it by its identifier; the root is not encrypted', async () => {
    identifier = await addKey(mnt, key);
    expect(identifier).toMatch(/^[0-9a-f]{32}$/);
    expect(await keyStatus(mnt, identifier)).toBe('present');
    expect(await policyOf(mnt)).toBeNull();
  });

  it('keeps contents and names off the disk in the clear, and reads them through the mount', async () => {
    vault = path.join(mnt, 'vault');
    fs.mkdirSync(vault);
    await setPolicy(vault, identifier);
    expect(await policyOf(vault)).toBe(identifier);
    fs.writeFileSync(path.join(vault, 'notes.txt'), contentMarker);
    fs.writeFileSync(path.join(vault, nameMarker), 'x');
    // The same written outside the vault is found, so the search below could find them too.
    const clearMarker = `vitrine-clear-${randomBytes(8).toString('hex')}`;
    fs.writeFileSync(path.join(mnt, clearMarker), clearMarker);

    expect(onDisk(clearMarker)).toBe(true);
    expect(onDisk(contentMarker)).toBe(false);
    expect(onDisk(nameMarker)).toBe(false);
    expect(fs.readFileSync(path.join(vault, 'notes.txt'), 'utf8')).toBe(contentMarker);
    expect(fs.readdirSync(vault).sort()).toEqual(['notes.txt', nameMarker].sort());
    expect(await policyOf(path.join(vault, 'notes.txt'))).toBe(identifier);
  });

  it('locks the files when the key is removed', async () => {
    expect(await removeKey(mnt, identifier)).toBe('removed');
    expect(await keyStatus(mnt, identifier)).toBe('absent');
    const listed = fs.readdirSync(vault);
    expect(listed).toHaveLength(2);
    expect(listed).not.toContain('notes.txt');
    expect(listed).not.toContain(nameMarker);
    for (const name of listed) {
      expect(() => fs.readFileSync(path.join(vault, name))).toThrow(expect.objectContaining({ errno: -ENOKEY }));
    }
    expect(await removeKey(mnt, identifier)).toBe('absent');
  });

  it('unlocks them when the same key is added again', async () => {
    expect(await addKey(mnt, key)).toBe(identifier);
    expect(fs.readFileSync(path.join(vault, 'notes.txt'), 'utf8')).toBe(contentMarker);
  });

  it('reports busy while a file is open, and finishes removing once it is closed', async () => {
    const fd = fs.openSync(path.join(vault, 'notes.txt'), 'r');
    try {
      expect(await removeKey(mnt, identifier)).toBe('busy');
      expect(await keyStatus(mnt, identifier)).toBe('incompletely-removed');
    } finally {
      fs.closeSync(fd);
    }
    expect(await removeKey(mnt, identifier)).toBe('removed');
    expect(await keyStatus(mnt, identifier)).toBe('absent');
  });

  it('refuses a policy on a directory that is not empty', async () => {
    const id = await addKey(mnt, randomBytes(64));
    const full = path.join(mnt, 'full');
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, 'already-here'), 'x');
    await expect(setPolicy(full, id)).rejects.toThrow(/^vitrine-fscrypt: set-policy .*not empty/);
    expect(await policyOf(full)).toBeNull();
  });

  it('refuses a key that is not 64 bytes, and a malformed identifier, without running the helper', async () => {
    await expect(addKey(mnt, randomBytes(63))).rejects.toThrow(/64 bytes/);
    await expect(addKey(mnt, randomBytes(65))).rejects.toThrow(/64 bytes/);
    await expect(setPolicy(mnt, 'ABCDEF'.padEnd(32, '0'))).rejects.toThrow(/identifier/);
    await expect(removeKey(mnt, '--all')).rejects.toThrow(/identifier/);
    expect(execFile).not.toHaveBeenCalled();
  });

  it('passes on the helper’s error line', async () => {
    await expect(policyOf(path.join(tmp, 'missing'))).rejects.toThrow(
      /^vitrine-fscrypt: get-policy .*missing: No such file or directory$/,
    );
  });
});

it('says a filesystem without encryption is unsupported (or not encrypted), without throwing', async () => {
  expect(['unsupported', null]).toContain(await policyOf(os.tmpdir()));
});
