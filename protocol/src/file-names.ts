import { z } from 'zod';

/**
 * How a file name that could deceive or vanish on screen is shown. Apps in sandboxes write names
 * the product never would: bytes that are not UTF-8, control characters, a right-to-left override
 * that turns "invoice-2027\u202Efdp.exe" into "invoice-2027exe.pdf" on screen, characters of no
 * width. Such a name is shown with each offending character escaped (`\u{202E}`, an invalid byte
 * as `\xFF`) and marked with its issues; it is addressed by its exact bytes (`ref`), never by the
 * shown text. One rule for the server (which sees the bytes) and the web (which shows them).
 */

/** Why a name is not shown as it is. */
export const NameIssue = z.enum(['not-utf8', 'control', 'bidi', 'invisible']);
export type NameIssue = z.infer<typeof NameIssue>;

export interface ShownName {
  /** The name with every offending character escaped: safe to show anywhere, never to address. */
  shown: string;
  /** Empty when the name is shown as it is. */
  issues: NameIssue[];
}

/** A decoded piece of a name: a code point, or a byte that is not part of valid UTF-8. */
type Unit = { cp: number } | { byte: number };

// Explicit direction marks, embeddings, overrides and isolates (UAX #9).
const isBidi = (cp: number) =>
  cp === 0x061c || cp === 0x200e || cp === 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
// C0, DEL, C1, and the line and paragraph separators (they break a line where they are shown).
const isControl = (cp: number) => cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029;
// Joiners and variation selectors are invisible but needed by Persian, Indic scripts and emoji.
const isJoiner = (cp: number) => cp === 0x200c || cp === 0x200d;
const isSelector = (cp: number) => (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
const FORMAT = /^\p{Cf}$/u;
// Invisible letters and marks that are not format characters: fillers, the grapheme joiner, Mongolian selectors.
const INVISIBLE = new Set([
  0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180b, 0x180c, 0x180d, 0x180e, 0x180f, 0x3164, 0xffa0,
]);
const isInvisible = (cp: number) => INVISIBLE.has(cp) || FORMAT.test(String.fromCodePoint(cp));
const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/** The issue of one unit without looking at its neighbours, or null. */
function ownIssue(u: Unit): NameIssue | null {
  if ('byte' in u || isSurrogate(u.cp)) return 'not-utf8';
  if (isControl(u.cp)) return 'control';
  if (isBidi(u.cp)) return 'bidi';
  if (isJoiner(u.cp) || isSelector(u.cp)) return null;
  return isInvisible(u.cp) ? 'invisible' : null;
}

/** A letter or symbol beyond ASCII that is fine on its own: what a joiner or selector may follow. */
const plainNonAscii = (u: Unit | undefined) =>
  u !== undefined && 'cp' in u && u.cp > 0x7f && !isJoiner(u.cp) && !isSelector(u.cp) && ownIssue(u) === null;

function issueAt(units: Unit[], i: number): NameIssue | null {
  const u = units[i]!;
  const own = ownIssue(u);
  if (own || !('cp' in u)) return own;
  // A joiner between two non-ASCII characters (ZWNJ in Persian, ZWJ in an emoji sequence) is part
  // of the word; between ASCII letters it only makes "paypal" differ from "paypal".
  if (isJoiner(u.cp)) {
    // "🏳️‍🌈": a selector may come between the first character and the joiner.
    const before = isSelector(cpOf(units[i - 1])) ? units[i - 2] : units[i - 1];
    return plainNonAscii(before) && plainNonAscii(units[i + 1]) ? null : 'invisible';
  }
  // A selector (U+FE0F after "❤") chooses how the character before it looks.
  if (isSelector(u.cp)) return plainNonAscii(units[i - 1]) ? null : 'invisible';
  return null;
}

const cpOf = (u: Unit | undefined) => (u && 'cp' in u ? u.cp : -1);
const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
const escape = (u: Unit) => ('byte' in u ? `\\x${hex(u.byte, 2)}` : `\\u{${hex(u.cp, 4)}}`);
const WHITESPACE = /^\s$/u;

function show(units: Unit[]): ShownName {
  const issues = new Set<NameIssue>();
  const parts = units.map((u, i) => {
    const issue = issueAt(units, i);
    if (!issue) return null;
    issues.add(issue);
    return escape(u);
  });
  // A name of nothing but spaces (besides what was escaped above) would look like no name at all.
  const kept = units.filter((_u, i) => parts[i] === null);
  const blank = kept.length > 0 && kept.every((u) => WHITESPACE.test(String.fromCodePoint(cpOf(u))));
  if (blank) issues.add('invisible');
  const shown = units.map((u, i) => parts[i] ?? (blank ? escape(u) : String.fromCodePoint(cpOf(u)))).join('');
  return { shown, issues: NameIssue.options.filter((o) => issues.has(o)) };
}

// Printable ASCII with something besides spaces: nearly every name, shown as it is without a look at each character.
const PLAIN = /^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$/;

/** How a name given as text is shown. Applied to an already shown name, it changes nothing. */
export function describeName(name: string): ShownName {
  if (PLAIN.test(name)) return { shown: name, issues: [] };
  const units: Unit[] = [];
  for (let i = 0; i < name.length; i++) {
    const cp = name.codePointAt(i)!;
    if (cp > 0xffff) i++;
    units.push({ cp });
  }
  return show(units);
}

/** The name shown safely (see `describeName`). */
export const showName = (name: string): string => describeName(name).shown;

/** How a name given as the bytes on disk is shown: bytes that are not UTF-8 become `\xFF`. */
export function describeNameBytes(bytes: Uint8Array): ShownName {
  return show(decodeUtf8(bytes));
}

/** A lead byte's sequence: its length (0 if it cannot start one), smallest code point, and its bits. */
function sequenceOf(b0: number): [number, number, number] {
  if (b0 < 0x80) return [1, 0, b0];
  if (b0 >= 0xc2 && b0 < 0xe0) return [2, 0x80, b0 & 0x1f];
  if ((b0 & 0xf0) === 0xe0) return [3, 0x800, b0 & 0x0f];
  if (b0 >= 0xf0 && b0 < 0xf5) return [4, 0x10000, b0 & 0x07];
  return [0, 0, 0];
}

/** Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF); each bad byte on its own. */
function decodeUtf8(b: Uint8Array): Unit[] {
  const units: Unit[] = [];
  let i = 0;
  while (i < b.length) {
    const b0 = b[i]!;
    const [len, min, lead] = sequenceOf(b0);
    let cp = lead;
    let ok = len > 0 && i + len <= b.length;
    for (let k = 1; ok && k < len; k++) {
      const c = b[i + k]!;
      if ((c & 0xc0) !== 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff && !isSurrogate(cp)) {
      units.push({ cp });
      i += len;
    } else {
      units.push({ byte: b0 });
      i += 1;
    }
  }
  return units;
}
