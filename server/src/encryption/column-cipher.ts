import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption of single database columns (a PostgreSQL deployment's sensitive text: the audit
 * details, sign-in challenges), so a dump, a backup or a stolen disk of the database server does
 * not show them. AES-256-GCM with a fresh 12-byte IV per value; the column's name is the
 * additional authenticated data, so a value copied into another column does not open there.
 * Stored form: `enc1:` + base64url(iv | ciphertext | 16-byte tag).
 */

const PREFIX = 'enc1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const COLUMN_KEY_INFO = 'vitrine column key v1';

/** A sealed value that does not open: changed, truncated, sealed for another column or with another key. */
export class SealedValueUnreadable extends Error {
  readonly column: string;

  constructor(column: string, why: string) {
    super(`a sealed value of ${column} cannot be opened: ${why}`);
    this.name = 'SealedValueUnreadable';
    this.column = column;
  }
}

export class ColumnCipher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new RangeError(`a column key is ${KEY_BYTES} bytes, not ${key.length}`);
    this.#key = Buffer.from(key);
  }

  /** Whether a stored value was sealed (rows written before encryption was turned on are not). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  seal(plain: string, column: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(column, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The plain text of a stored value; a value that was never sealed is returned as it is. */
  open(stored: string, column: string): string {
    if (!ColumnCipher.isSealed(stored)) return stored;
    const encoded = stored.slice(PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new SealedValueUnreadable(column, 'not base64url');
    const raw = Buffer.from(encoded, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SealedValueUnreadable(column, 'too short');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(column, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return plain.toString('utf8');
    } catch {
      throw new SealedValueUnreadable(column, 'its authentication tag does not match');
    }
  }
}

/**
 * The column key, derived from the system key that also unlocks the database folder: one secret
 * to keep, and the derivation's label keeps the two uses apart.
 */
export function columnKeyFrom(systemKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', systemKey, Buffer.alloc(0), COLUMN_KEY_INFO, KEY_BYTES));
}
