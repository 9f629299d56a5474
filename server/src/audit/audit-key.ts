import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { createSecretFile, readSecretFile } from '../encryption/secret-file.ts';

/**
 * The audit trail's key file (AUDIT_KEY_FILE): 32 random bytes, base64, on a path outside
 * DATA_DIR (config.ts refuses one inside), so that whoever can rewrite the database cannot also
 * recompute the chain's MACs. Made on the first start (mode 0600); its content is never logged.
 */

export { SecretFileError as AuditKeyError } from '../encryption/secret-file.ts';

/** Whether the key file exists (the trail decides whether a missing one may be made). */
export function auditKeyExists(file: string): boolean {
  return fs.existsSync(file);
}

/** Reads the key; refuses one that others may read or change, or that is too short to be a key. */
export const readAuditKey = (file: string): Buffer => readSecretFile(file, 'AUDIT_KEY_FILE');

/** Makes a new key file, durably (a trail keyed with a key lost in a crash could never be verified again). */
export const createAuditKey = (file: string): Buffer => createSecretFile(file, 'AUDIT_KEY_FILE');

/** A key for one purpose, so the chain's MACs, the checkpoints' signatures and the check value never share one. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return createHmac('sha256', master).update(`vitrine audit ${purpose}`).digest();
}
