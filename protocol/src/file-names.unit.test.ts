import { describe, expect, it } from 'vitest';
import { describeName, describeNameBytes, showName } from './file-names.ts';

describe('names shown safely', () => {
  it.each([
    ['a right-to-left override', 'invoice-2027\u202efdp.exe', 'invoice-2027\\u{202E}fdp.exe', ['bidi']],
    ['an isolate', 'a\u2067b\u2069', 'a\\u{2067}b\\u{2069}', ['bidi']],
    ['a zero-width space', 'pay\u200bpal.pdf', 'pay\\u{200B}pal.pdf', ['invisible']],
    ['a joiner between ASCII letters', 'pay\u200dpal', 'pay\\u{200D}pal', ['invisible']],
    ['a byte order mark', '\ufeffnotes.txt', '\\u{FEFF}notes.txt', ['invisible']],
    ['a soft hyphen', 'in\u00advoice', 'in\\u{00AD}voice', ['invisible']],
    ['a Hangul filler', 'a\u3164b', 'a\\u{3164}b', ['invisible']],
    ['a newline', 'new\nline', 'new\\u{000A}line', ['control']],
    ['a C1 control', 'x\u009by', 'x\\u{009B}y', ['control']],
    ['a line separator', 'a\u2028b', 'a\\u{2028}b', ['control']],
    ['a lone surrogate', 'x\ud800', 'x\\u{D800}', ['not-utf8']],
    ['only spaces', '  ', '\\u{0020}\\u{0020}', ['invisible']],
    ['only an ideographic space', '\u3000', '\\u{3000}', ['invisible']],
    ['several kinds', '\u202e\n\u200b', '\\u{202E}\\u{000A}\\u{200B}', ['control', 'bidi', 'invisible']],
  ])('escapes and marks %s', (_what, name, shown, issues) => {
    expect(describeName(name)).toEqual({ shown, issues });
    // Shown once is shown for good: escaping again changes nothing.
    expect(describeName(shown)).toEqual({ shown, issues: [] });
  });

  it.each([
    ['plain ASCII', 'Report Q3 (final).pdf'],
    ['spaces around', ' padded '],
    ['accents and scripts', 'Résumé 日本語 עברית العربية.pdf'],
    ['Persian with a zero-width non-joiner', 'می\u200cخواهم.txt'],
    ['an emoji family (zero-width joiners)', '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}.jpg'],
    ['an emoji with its presentation selector', '\u2764\ufe0f.png'],
    ['a flag sequence', '\u{1F3F3}\ufe0f\u200d\u{1F308}'],
    ['a backslash', 'a\\u{202E}b'],
  ])('leaves %s as it is', (_what, name) => {
    expect(describeName(name)).toEqual({ shown: name, issues: [] });
  });

  it('shows bytes that are not UTF-8 one by one, and the rest as text', () => {
    const bytes = (...b: number[]) => Uint8Array.from(b);
    expect(describeNameBytes(bytes(0x66, 0xff))).toEqual({ shown: 'f\\xFF', issues: ['not-utf8'] });
    // Overlong "/", an encoded surrogate, a cut sequence, past U+10FFFF.
    expect(describeNameBytes(bytes(0xc0, 0xaf)).shown).toBe('\\xC0\\xAF');
    expect(describeNameBytes(bytes(0xed, 0xa0, 0x80)).shown).toBe('\\xED\\xA0\\x80');
    expect(describeNameBytes(bytes(0xe2, 0x82, 0x41)).shown).toBe('\\xE2\\x82A');
    expect(describeNameBytes(bytes(0xf4, 0x90, 0x80, 0x80)).shown).toBe('\\xF4\\x90\\x80\\x80');
    expect(describeNameBytes(Buffer.from('é😀'))).toEqual({ shown: 'é😀', issues: [] });
    expect(describeNameBytes(Buffer.concat([Buffer.from('a\u202eb'), bytes(0x80)]))).toEqual({
      shown: 'a\\u{202E}b\\x80',
      issues: ['not-utf8', 'bidi'],
    });
  });

  it('showName is the shown form', () => {
    expect(showName('invoice-2027\u202efdp.exe')).toBe('invoice-2027\\u{202E}fdp.exe');
    expect(showName('plain.txt')).toBe('plain.txt');
  });
});
