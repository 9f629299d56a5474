import { ColumnCipher, SealedValueUnreadable } from '../encryption/column-cipher.ts';

/** The column name sealed into each detail (its AAD): a detail copied elsewhere does not open there. */
export const AUDIT_DETAIL_COLUMN = 'audit_events.detail';

/**
 * What an event's detail reads as when its sealed form does not open. The chain's MAC is over the
 * plain detail, which is always canonical JSON (no whitespace outside strings); this text has
 * some, so it can never be what was sealed, and verify reports the event as changed after it was
 * recorded instead of stopping on an exception. It is still JSON, so a listing shows it.
 */
export const UNREADABLE_DETAIL = '{ "unreadable": "the stored detail does not open with this server\'s column key" }';

/** The detail as stored: sealed when the deployment encrypts columns, else as it is. */
export function sealDetail(cipher: ColumnCipher | null, detail: string): string {
  return cipher ? cipher.seal(detail, AUDIT_DETAIL_COLUMN) : detail;
}

/**
 * The plain detail of a stored row. Details written before encryption was turned on pass through;
 * one that does not open (changed, moved, another key, or no key at all) reads as UNREADABLE_DETAIL.
 */
export function openDetail(cipher: ColumnCipher | null, stored: string): string {
  if (!ColumnCipher.isSealed(stored)) return stored;
  if (!cipher) return UNREADABLE_DETAIL;
  try {
    return cipher.open(stored, AUDIT_DETAIL_COLUMN);
  } catch (err) {
    if (err instanceof SealedValueUnreadable) return UNREADABLE_DETAIL;
    throw err;
  }
}
