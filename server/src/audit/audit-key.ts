import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The audit trail's key file (AUDIT_KEY_FILE): 32 random bytes, base64, on a path outside
 * DATA_DIR (config.ts refuses one inside), so that whoever can rewrite the database cannot also
 * recompute the chain's MACs. Made on the first start (mode 0600); its content is never logged.
 */

const KEY_BYTES = 32;

export class AuditKeyError extends Error {}

/** Whether the key file exists (the trail decides whether a missing one may be made). */
export function auditKeyExists(file: string): boolean {
  return fs.existsSync(file);
}

/** Reads the key; refuses one that others may read or change, or that is too short to be a key. */
export function readAuditKey(file: string): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new AuditKeyError(`AUDIT_KEY_FILE ${file} cannot be read: ${(err as NodeJS.ErrnoException).code}`);
  }
  if (!st.isFile()) throw new AuditKeyError(`AUDIT_KEY_FILE ${file} is not a regular file`);
  // Group read is allowed (root-owned, readable by the service's group); nothing more.
  if (st.mode & 0o027) {
    throw new AuditKeyError(
      `AUDIT_KEY_FILE ${file} has mode ${(st.mode & 0o777).toString(8)}: others may read or change it (chmod 600)`,
    );
  }
  const text = fs.readFileSync(file, 'utf8').trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length < KEY_BYTES) {
    throw new AuditKeyError(
      `AUDIT_KEY_FILE ${file} does not hold a key (at least ${KEY_BYTES} bytes, base64: head -c 32 /dev/urandom | base64)`,
    );
  }
  return key;
}

/**
 * Makes a new key file, durably (a trail keyed with a key lost in a crash could never be verified
 * again). Its folder is made 0700 if missing. Another process making it at the same moment wins:
 * its key is read back.
 */
export function createAuditKey(file: string): Buffer {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readAuditKey(file);
    throw new AuditKeyError(`AUDIT_KEY_FILE ${file} cannot be created: ${(err as Error).message}`);
  }
  try {
    fs.writeSync(fd, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
  return readAuditKey(file);
}

/** A key for one purpose, so the chain's MACs, the checkpoints' signatures and the check value never share one. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return createHmac('sha256', master).update(`vitrine audit ${purpose}`).digest();
}
