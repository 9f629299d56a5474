// What a cell's text looks like, for its alignment: spreadsheet programs put numbers on the
// right. The cells arrive as the text LibreOffice shows (or a CSV holds), so a number is
// recognised by its look: digits with separators, a sign, a currency, a percent, an exponent,
// accounting brackets.

const NUMBER =
  /^[-+(]?\s*[$€£¥]?\s*[-+]?(?:\d{1,3}(?:[,\s.'\u00a0\u202f]\d{3})+|\d+)?(?:[.,]\d+)?(?:[eE][-+]?\d+)?\s*(?:%|[$€£¥]|kr|CHF)?\s*\)?$/;

export function looksNumeric(text: string): boolean {
  const t = text.trim();
  if (!t || !/\d/.test(t) || t.length > 40) return false;
  if (t.startsWith('(') !== t.endsWith(')')) return false;
  return NUMBER.test(t);
}
