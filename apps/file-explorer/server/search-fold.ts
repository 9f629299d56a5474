// Case- and accent-insensitive matching, and the snippet around a match. Pure.

// eslint-disable-next-line no-control-regex -- every ASCII character, control ones included
const ASCII = /^[\x00-\x7f]*$/;

/**
 * A string as it is compared: compatibility-decomposed, combining marks dropped, lower case
 * ("Élan" → "elan", "ﬁ" → "fi", "Straße" → "strasse"). Folding each code point on its own gives
 * the same result (decomposition is per code point, the marks it could reorder are dropped), which
 * is what lets `locate` map a match back onto the original text.
 */
export function fold(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/ς/g, 'σ');
}

/** The folded text and, for each of its UTF-16 units, where its code point starts in `s`. */
function foldWithMap(s: string): { text: string; at: number[] } {
  let text = '';
  const at: number[] = [];
  for (let i = 0; i < s.length;) {
    const cp = s.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const f = cp < 128 ? String.fromCharCode(cp >= 65 && cp <= 90 ? cp + 32 : cp) : fold(s.slice(i, i + len));
    for (let k = 0; k < f.length; k++) at.push(i);
    text += f;
    i += len;
  }
  at.push(s.length);
  return { text, at };
}

/**
 * Where the folded needle first occurs in `s`, as a range of `s` (UTF-16 offsets), at or after
 * `from`; null if it does not. Marks following the last matched letter belong to the match.
 */
export function locate(s: string, needle: string, from = 0): { start: number; end: number } | null {
  if (needle === '') return null;
  const { text, at } = foldWithMap(s);
  let i = 0;
  while (at[i]! < from && i < text.length) i++;
  const hit = text.indexOf(needle, i);
  if (hit < 0) return null;
  const last = at[hit + needle.length - 1]!;
  let j = hit + needle.length;
  while (j < text.length && at[j] === last) j++;
  return { start: at[hit]!, end: at[j]! };
}

const CONTEXT = 60;

/**
 * A short piece of `text` around [start, end): about 60 characters each side, cut at a space,
 * whitespace collapsed; the match's place within it.
 */
export function snippet(text: string, start: number, end: number): { text: string; start: number; end: number } {
  const squash = (s: string) => s.replace(/\s+/g, ' ');
  let from = Math.max(0, start - CONTEXT);
  if (from > 0) {
    const space = text.indexOf(' ', from);
    if (space >= 0 && space < start) from = space + 1;
  }
  let to = Math.min(text.length, end + CONTEXT);
  if (to < text.length) {
    const space = text.lastIndexOf(' ', to);
    if (space > end) to = space;
  }
  const before = (from > 0 ? '…' : '') + squash(text.slice(from, start)).trimStart();
  const match = squash(text.slice(start, end));
  const after = squash(text.slice(end, to)).trimEnd() + (to < text.length ? '…' : '');
  return { text: before + match + after, start: before.length, end: before.length + match.length };
}
