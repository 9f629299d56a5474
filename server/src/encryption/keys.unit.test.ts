import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyFolder } from './key-folder.ts';
import { KeyUnwrapError, masterKeyOf, unwrapKey, wrapKey } from './key-wrap.ts';
import { MasterKeyring } from './master-key.ts';
import { createSecretFile } from './secret-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-keys-unit-'));
  dirs.push(d);
  return d;
};

describe('wrapped keys', () => {
  it('unwrap only with the master key that wrapped them, and under their own name', () => {
    const master = masterKeyOf(randomBytes(32));
    const raw = randomBytes(64);
    const wrapped = wrapKey(master, 'owner-a', raw);
    expect(JSON.stringify(wrapped)).not.toContain(raw.toString('base64'));
    expect(unwrapKey(master, wrapped).equals(raw)).toBe(true);
    expect(() => unwrapKey(masterKeyOf(randomBytes(32)), wrapped)).toThrow(/wrapped by master key/);
    // Copied under another owner's name: the name is authenticated with it.
    expect(() => unwrapKey(master, { ...wrapped, name: 'owner-b' })).toThrow(KeyUnwrapError);
    const flipped = Buffer.from(wrapped.data, 'base64');
    flipped[0]! ^= 1;
    expect(() => unwrapKey(master, { ...wrapped, data: flipped.toString('base64') })).toThrow(/does not unwrap/);
  });

  it('are shredded: the file is overwritten before it goes', () => {
    const folder = new KeyFolder(path.join(tmp(), 'keys'));
    const wrapped = wrapKey(masterKeyOf(randomBytes(32)), 'owner-a', randomBytes(64));
    folder.write('owner-a', wrapped);
    const file = path.join(folder.dir, 'owner-a.json');
    const fd = fs.openSync(file, 'r');
    folder.shred('owner-a');
    // The open descriptor still sees the inode: its bytes were replaced before the unlink.
    const left = Buffer.alloc(4096);
    const n = fs.readSync(fd, left, 0, left.length, 0);
    fs.closeSync(fd);
    expect(left.subarray(0, n).toString('latin1')).not.toContain(wrapped.data);
    expect(folder.read('owner-a')).toBeNull();
    expect(() => folder.write('../x', wrapped)).toThrow(/invalid key name/);
  });
});

describe('the master keyring', () => {
  it('is made on the first start, and refused missing once keys depend on it', () => {
    const dir = tmp();
    const folder = new KeyFolder(path.join(dir, 'keys'));
    const file = path.join(dir, 'etc', 'master.key');
    const ring = MasterKeyring.open(file, folder, {});
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    folder.write('system', ring.wrap('system', randomBytes(64)));
    fs.rmSync(file);
    expect(() => MasterKeyring.open(file, folder, {})).toThrow(/MASTER_KEY_FILE .* is missing, but the keys/);
  });

  it('rotates by re-wrapping every key, and finishes a rotation a crash cut', () => {
    const dir = tmp();
    const folder = new KeyFolder(path.join(dir, 'keys'));
    const file = path.join(dir, 'master.key');
    const ring = MasterKeyring.open(file, folder, {});
    const raws = { system: randomBytes(64), 'owner-a': randomBytes(64) };
    for (const [name, raw] of Object.entries(raws)) folder.write(name, ring.wrap(name, raw));
    const { from, to, keys } = ring.rotate();
    expect([from === to, keys]).toEqual([false, 2]);
    for (const [name, raw] of Object.entries(raws)) {
      expect(folder.read(name)!.masterKeyId).toBe(to);
      expect(ring.unwrap(folder.read(name)!).equals(raw)).toBe(true);
    }
    // Cut: the next key written, one key re-wrapped, the file not yet replaced.
    const next = masterKeyOf(createSecretFile(`${file}.next`, 'MASTER_KEY_FILE'));
    folder.write('system', wrapKey(next, 'system', raws.system));
    const reopened = MasterKeyring.open(file, folder, {});
    expect(reopened.id).toBe(next.id);
    expect(fs.existsSync(`${file}.next`)).toBe(false);
    expect(reopened.unwrap(folder.read('owner-a')!).equals(raws['owner-a'])).toBe(true);
  });
});
