import { createHash } from 'node:crypto';
import type { ShareTerms } from '@vitrine/protocol';

/**
 * A share's terms as stored: the text (null: none) and how many texts it has had. The version is
 * the server's; an acceptance names the version it accepted, so a version must never stand for two
 * texts: a changed text is the next version, and removing the terms keeps the count.
 */
export interface TermsState {
  text: string | null;
  version: number | null;
}

export const NO_TERMS: TermsState = { text: null, version: null };

/** The terms in force, or null. */
export function currentTerms(s: TermsState): ShareTerms | null {
  return s.text !== null && s.version !== null ? { version: s.version, text: s.text } : null;
}

/**
 * The terms after the owner sets `text` (undefined: not asked to change; null or empty: remove),
 * or null when nothing changes (the same text keeps its version, so clients are not asked again).
 */
export function termsAfter(before: TermsState, text: string | null | undefined): TermsState | null {
  if (text === undefined) return null;
  const wanted = text === '' ? null : text;
  if (wanted === before.text) return null;
  if (wanted === null) return { text: null, version: before.version };
  return { text: wanted, version: (before.version ?? 0) + 1 };
}

/**
 * What the trail keeps of a text: its version, length and SHA-256 (the text itself may be longer
 * than an audit event's detail), enough to tell which text an acceptance was for.
 */
export function termsTrace(t: ShareTerms | null): { version: number; chars: number; sha256: string } | null {
  return t && { version: t.version, chars: t.text.length, sha256: createHash('sha256').update(t.text).digest('hex') };
}
