import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Keys wrapped by the master key (AES-256-GCM), so that what lies in DATA_DIR is useless without
 * the master key file, and the master key can change by re-wrapping a few small records without
 * touching the data they unlock. The key's name is authenticated with it: a wrapped owner key
 * copied under another owner's name does not unwrap.
 */

export interface MasterKey {
  /** A fingerprint, not secret: says which master key wrapped a record. */
  id: string;
  key: Buffer;
}

export interface WrappedKey {
  version: 1;
  /** What it unlocks: `system`, `owner-<id>`, … */
  name: string;
  masterKeyId: string;
  iv: string;
  data: string;
  tag: string;
  createdAt: string;
}

export class KeyUnwrapError extends Error {}

export function masterKeyOf(key: Buffer): MasterKey {
  const id = createHmac('sha256', key).update('vitrine master key id v1').digest('hex').slice(0, 16);
  return { id, key: key.subarray(0, 32) };
}

export function wrapKey(master: MasterKey, name: string, raw: Buffer, now = new Date()): WrappedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master.key, iv);
  cipher.setAAD(Buffer.from(`vitrine key v1\n${name}`));
  const data = Buffer.concat([cipher.update(raw), cipher.final()]);
  return {
    version: 1,
    name,
    masterKeyId: master.id,
    iv: iv.toString('base64'),
    data: data.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    createdAt: now.toISOString(),
  };
}

export function unwrapKey(master: MasterKey, wrapped: WrappedKey): Buffer {
  if (wrapped.version !== 1)
    throw new KeyUnwrapError(`key ${wrapped.name}: unknown version ${String(wrapped.version)}`);
  if (wrapped.masterKeyId !== master.id) {
    throw new KeyUnwrapError(
      `key ${wrapped.name} is wrapped by master key ${wrapped.masterKeyId}, not by the one given (${master.id})`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', master.key, Buffer.from(wrapped.iv, 'base64'));
    decipher.setAAD(Buffer.from(`vitrine key v1\n${wrapped.name}`));
    decipher.setAuthTag(Buffer.from(wrapped.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(wrapped.data, 'base64')), decipher.final()]);
  } catch {
    throw new KeyUnwrapError(`key ${wrapped.name} does not unwrap: it was changed, or belongs to another name`);
  }
}
