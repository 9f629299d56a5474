import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintFolder, FolderError, readFolderVersion } from './folder-hash.ts';

let tmp: string;

beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-hash-')));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A small app folder at tmp/<name>: a script, a nested data file, a folder of its own. */
function makeFolder(name = 'app'): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'data', 'empty'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  fs.chmodSync(path.join(dir, 'run.sh'), 0o755);
  fs.writeFileSync(path.join(dir, 'data', 'version.txt'), '1\n');
  return dir;
}

const hashOf = async (dir: string) => (await readFolderVersion(dir, null)).hash;

describe('the hash of an app folder', () => {
  it('is the same for the same files wherever they are and whenever they were written', async () => {
    const a = makeFolder('a');
    const first = await hashOf(a);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const b = path.join(tmp, 'b');
    execFileSync('cp', ['-r', a, b]);
    fs.utimesSync(path.join(b, 'run.sh'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(await hashOf(b)).toBe(first);
  });

  it('changes with any content, name, permission bit, folder or link target', async () => {
    const dir = makeFolder();
    const seen = new Set([await hashOf(dir)]);
    const changed = async (what: string, change: () => void) => {
      change();
      const h = await hashOf(dir);
      expect(seen.has(h), what).toBe(false);
      seen.add(h);
    };
    await changed('content', () => fs.writeFileSync(path.join(dir, 'data', 'version.txt'), '2\n'));
    await changed('mode', () => fs.chmodSync(path.join(dir, 'data', 'version.txt'), 0o600));
    await changed('name', () => fs.renameSync(path.join(dir, 'data', 'version.txt'), path.join(dir, 'data', 'v.txt')));
    await changed('an empty folder', () => fs.mkdirSync(path.join(dir, 'more')));
    await changed('a link', () => fs.symlinkSync('run.sh', path.join(dir, 'start')));
    await changed('its target', () => {
      fs.rmSync(path.join(dir, 'start'));
      fs.symlinkSync('data/v.txt', path.join(dir, 'start'));
    });
  });

  it('keeps links inside the folder, and refuses absolute ones, ones leading out and ones leading nowhere', async () => {
    const dir = makeFolder();
    fs.symlinkSync('data/version.txt', path.join(dir, 'inside'));
    fs.symlinkSync('data', path.join(dir, 'folder-link'));
    await expect(hashOf(dir)).resolves.toMatch(/^[0-9a-f]{64}$/);
    const refused = async (target: string, reason: RegExp) => {
      fs.symlinkSync(target, path.join(dir, 'bad'));
      await expect(hashOf(dir)).rejects.toThrow(reason);
      await expect(hashOf(dir)).rejects.toBeInstanceOf(FolderError);
      fs.rmSync(path.join(dir, 'bad'));
    };
    await refused(path.join(dir, 'run.sh'), /the link bad is absolute/);
    await refused('/etc/passwd', /the link bad is absolute/);
    await refused('../outside', /the link bad leads nowhere/);
    fs.writeFileSync(path.join(tmp, 'outside'), 'secret');
    await refused('../outside', /the link bad leads out of the folder/);
    // Through a link to the folder itself, then up: out, even though the target's text looks inside.
    fs.symlinkSync('.', path.join(dir, 'self'));
    await refused('self/../outside', /leads out of the folder/);
  });

  it('refuses setuid files and what is not a file, folder or link', async () => {
    const dir = makeFolder();
    fs.chmodSync(path.join(dir, 'run.sh'), 0o4755);
    await expect(hashOf(dir)).rejects.toThrow(/run.sh is setuid or setgid/);
    fs.chmodSync(path.join(dir, 'run.sh'), 0o755);
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    await expect(hashOf(dir)).rejects.toThrow(/pipe is not a file, folder or link/);
  });
});

describe('the copy sessions run from', () => {
  it('holds exactly what was hashed, with its permission bits and times, named by the hash', async () => {
    const dir = makeFolder();
    fs.symlinkSync('data/version.txt', path.join(dir, 'current'));
    fs.chmodSync(path.join(dir, 'data'), 0o750);
    const into = path.join(tmp, 'copies');
    const version = await readFolderVersion(dir, into);
    expect(version.copy).toBe(path.join(into, version.hash));
    expect(await hashOf(version.copy!)).toBe(version.hash);
    expect(fs.readFileSync(path.join(version.copy!, 'data', 'version.txt'), 'utf8')).toBe('1\n');
    expect(fs.statSync(path.join(version.copy!, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(version.copy!, 'data')).mode & 0o777).toBe(0o750);
    expect(fs.readlinkSync(path.join(version.copy!, 'current'))).toBe('data/version.txt');
    const copied = fs.statSync(path.join(version.copy!, 'run.sh')).mtimeMs;
    expect(Math.abs(copied - fs.statSync(path.join(dir, 'run.sh')).mtimeMs)).toBeLessThan(0.01);
    // Nothing else is left in the copies' folder (the staging folder was renamed).
    expect(fs.readdirSync(into)).toEqual([version.hash]);
  });

  it('is not made twice for the same version, and a changed folder gets a copy of its own', async () => {
    const dir = makeFolder();
    const into = path.join(tmp, 'copies');
    const first = await readFolderVersion(dir, into);
    expect((await readFolderVersion(dir, into)).copy).toBe(first.copy);
    fs.writeFileSync(path.join(dir, 'data', 'version.txt'), '2\n');
    const second = await readFolderVersion(dir, into);
    expect(second.copy).not.toBe(first.copy);
    expect(fs.readFileSync(path.join(first.copy!, 'data', 'version.txt'), 'utf8')).toBe('1\n');
    expect(fs.readdirSync(into).sort()).toEqual([first.hash, second.hash].sort());
  });
});

describe('the fingerprint of a folder', () => {
  it('is what the version read saw, and changes when a file is written, touched, added or removed', async () => {
    const dir = makeFolder();
    const { fingerprint } = await readFolderVersion(dir, null);
    expect(fingerprintFolder(dir)).toBe(fingerprint);
    const file = path.join(dir, 'data', 'version.txt');
    const seen = new Set([fingerprint]);
    const changed = (what: string, change: () => void) => {
      change();
      const now = fingerprintFolder(dir);
      expect(seen.has(now), what).toBe(false);
      seen.add(now);
    };
    changed('written with the same size', () => fs.writeFileSync(file, '2\n'));
    // Set back to its old time: the change time still moves.
    const { atime, mtime } = fs.statSync(file);
    changed('written and its time set back', () => {
      fs.writeFileSync(file, '3\n');
      fs.utimesSync(file, atime, mtime);
    });
    changed('added', () => fs.writeFileSync(path.join(dir, 'new.txt'), ''));
    changed('removed', () => fs.rmSync(path.join(dir, 'new.txt')));
  });

  it('stays the same while nothing changes (reading files is not a change)', async () => {
    const dir = makeFolder();
    const before = fingerprintFolder(dir);
    await readFolderVersion(dir, path.join(tmp, 'copies'));
    expect(fingerprintFolder(dir)).toBe(before);
  });
});
