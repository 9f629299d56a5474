import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditKeyError, createAuditKey, readAuditKey } from './audit-key.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-audit-key-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the audit key file', () => {
  it('is made once: 32 random bytes, mode 0600, in a folder of mode 0700; a second maker reads it back', () => {
    const file = path.join(dir, 'etc', 'audit.key');
    const key = createAuditKey(file);
    expect(key).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(createAuditKey(file).equals(key)).toBe(true);
    expect(readAuditKey(file).equals(key)).toBe(true);
  });

  it('is refused when others may read or change it, when it is too short, or not a file', () => {
    const file = path.join(dir, 'audit.key');
    fs.writeFileSync(file, `${Buffer.alloc(32, 5).toString('base64')}\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(() => readAuditKey(file)).toThrow(/mode 644: others may read or change it/);
    fs.chmodSync(file, 0o440); // root-owned, readable by the service's group: allowed
    expect(readAuditKey(file)).toHaveLength(32);
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, 'c2hvcnQ=\n');
    expect(() => readAuditKey(file)).toThrow(AuditKeyError);
    fs.writeFileSync(file, 'not base64 at all, just a passphrase of some length!\n');
    expect(() => readAuditKey(file)).toThrow(/does not hold a key/);
    expect(() => readAuditKey(dir)).toThrow(/not a regular file/);
    expect(() => readAuditKey(path.join(dir, 'missing'))).toThrow(/cannot be read: ENOENT/);
  });
});
