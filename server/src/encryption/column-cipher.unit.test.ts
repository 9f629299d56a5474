import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ColumnCipher, columnKeyFrom, SealedValueUnreadable } from './column-cipher.ts';

const COLUMN = 'audit_events.detail';
const MARKER = '{"note":"marker-7f3a contract for Ms Example"}';

describe('ColumnCipher', () => {
  const cipher = new ColumnCipher(randomBytes(32));

  it('opens what it sealed, and the stored form shows nothing of the plain text', () => {
    const stored = cipher.seal(MARKER, COLUMN);
    expect(ColumnCipher.isSealed(stored)).toBe(true);
    expect(stored).toMatch(/^enc1:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain('marker-7f3a');
    expect(Buffer.from(stored.slice(5), 'base64url').toString('latin1')).not.toContain('marker-7f3a');
    expect(cipher.open(stored, COLUMN)).toBe(MARKER);
    expect(cipher.open(cipher.seal('', COLUMN), COLUMN)).toBe('');
  });

  it('seals the same text differently each time (a fresh IV)', () => {
    const a = cipher.seal(MARKER, COLUMN);
    const b = cipher.seal(MARKER, COLUMN);
    expect(a).not.toBe(b);
    expect(a.slice(5, 21)).not.toBe(b.slice(5, 21));
  });

  it('refuses a value moved into another column', () => {
    const stored = cipher.seal(MARKER, COLUMN);
    expect(() => cipher.open(stored, 'webauthn_challenges.challenge')).toThrow(SealedValueUnreadable);
  });

  it('refuses a value with any byte changed, cut short or not base64url', () => {
    const raw = Buffer.from(cipher.seal(MARKER, COLUMN).slice(5), 'base64url');
    for (const at of [0, 12, raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[at]! ^= 0x01;
      expect(() => cipher.open(`enc1:${changed.toString('base64url')}`, COLUMN)).toThrow(SealedValueUnreadable);
    }
    expect(() => cipher.open(`enc1:${raw.subarray(0, 27).toString('base64url')}`, COLUMN)).toThrow(
      SealedValueUnreadable,
    );
    expect(() => cipher.open('enc1:not*base64', COLUMN)).toThrow(SealedValueUnreadable);
    expect(() => cipher.open('enc1:', COLUMN)).toThrow(SealedValueUnreadable);
  });

  it('refuses a value sealed with another key', () => {
    const other = new ColumnCipher(randomBytes(32));
    expect(() => other.open(cipher.seal(MARKER, COLUMN), COLUMN)).toThrow(SealedValueUnreadable);
  });

  it('passes a value written before encryption was turned on through unchanged', () => {
    expect(ColumnCipher.isSealed(MARKER)).toBe(false);
    expect(cipher.open(MARKER, COLUMN)).toBe(MARKER);
  });

  it('takes only a 32-byte key', () => {
    expect(() => new ColumnCipher(randomBytes(16))).toThrow(RangeError);
  });
});

describe('columnKeyFrom', () => {
  it('derives the same 32-byte key from the same system key, another from another', () => {
    const system = randomBytes(32);
    const key = columnKeyFrom(system);
    expect(key).toHaveLength(32);
    expect(columnKeyFrom(Buffer.from(system)).equals(key)).toBe(true);
    expect(key.equals(system)).toBe(false);
    expect(columnKeyFrom(randomBytes(32)).equals(key)).toBe(false);
    // A value sealed under the derived key opens under the key derived again (a restart).
    const stored = new ColumnCipher(key).seal(MARKER, COLUMN);
    expect(new ColumnCipher(columnKeyFrom(system)).open(stored, COLUMN)).toBe(MARKER);
  });

  it('is HKDF-SHA256 with the info "vitrine column key v1" (a fixed vector, so it never drifts)', () => {
    const key = columnKeyFrom(Buffer.alloc(32, 7));
    expect(key.toString('hex')).toBe(FIXED_VECTOR);
  });
});

// Computed apart from this code: `openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:07…07
// -kdfopt info:'vitrine column key v1' HKDF` (no salt).
const FIXED_VECTOR = 'f6bdb119001a17d46f0ebb0d884782d5755ddff3c27a83d7fec6220084057713';
