import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A key kept in a file of its own (the audit key, the master key): 32 random bytes or more,
 * base64, readable by its owner (and group) only, made durably on first use. Its content is
 * never logged. `variable` names the setting in every message, so the operator knows which file.
 */

export const SECRET_BYTES = 32;

export class SecretFileError extends Error {}

/** Reads the key; refuses one that others may read or change, or that is too short to be a key. */
export function readSecretFile(file: string, variable: string): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new SecretFileError(`${variable} ${file} cannot be read: ${(err as NodeJS.ErrnoException).code}`);
  }
  if (!st.isFile()) throw new SecretFileError(`${variable} ${file} is not a regular file`);
  // Group read is allowed (root-owned, readable by the service's group); nothing more.
  if (st.mode & 0o027) {
    throw new SecretFileError(
      `${variable} ${file} has mode ${(st.mode & 0o777).toString(8)}: others may read or change it (chmod 600)`,
    );
  }
  const text = fs.readFileSync(file, 'utf8').trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length < SECRET_BYTES) {
    throw new SecretFileError(
      `${variable} ${file} does not hold a key (at least ${SECRET_BYTES} bytes, base64: head -c 32 /dev/urandom | base64)`,
    );
  }
  return key;
}

/**
 * Makes a new key file, durably (data sealed with a key lost in a crash could never be read or
 * verified again). Its folder is made 0700 if missing. Another process making it at the same
 * moment wins: its key is read back. A given `key` is written instead of a random one (restore).
 */
export function createSecretFile(file: string, variable: string, key: Buffer = randomBytes(SECRET_BYTES)): Buffer {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readSecretFile(file, variable);
    throw new SecretFileError(`${variable} ${file} cannot be created: ${(err as Error).message}`);
  }
  try {
    fs.writeSync(fd, `${key.toString('base64')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  syncFolder(dir);
  return readSecretFile(file, variable);
}

/** Makes a rename or unlink in `dir` durable. */
export function syncFolder(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
