import { describe, expect, it } from 'vitest';
import { addressOf, isUsual, nameLabel, specialLabel } from './entryName.ts';

describe('names in the Files table', () => {
  it('shows a name the server marked as sent, with the marker and why', () => {
    const label = nameLabel({ name: 'invoice-2027\\u{202E}fdp.exe', nameIssues: ['bidi'] });
    expect(label.text).toBe('invoice-2027\\u{202E}fdp.exe');
    expect(label.marked).toBe(true);
    expect(label.why).toContain('reverse the reading direction');
  });

  it('never shows a deceptive character even if the server did not mark it', () => {
    const label = nameLabel({ name: 'invoice-2027\u202efdp.exe' });
    expect(label.text).toBe('invoice-2027\\u{202E}fdp.exe');
    expect(label.text).not.toContain('\u202e');
    expect(label.marked).toBe(true);
    for (const name of ['a\u200bb', 'new\nline', '\u3000', 'x\u0085']) {
      const shown = nameLabel({ name });
      expect(shown.marked).toBe(true);
      expect(shown.text).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  it('lists every issue in words', () => {
    expect(nameLabel({ name: 'x', nameIssues: ['not-utf8', 'control', 'invisible'] }).why).toContain(
      'bytes that are not text, control characters and invisible characters',
    );
  });

  it('leaves ordinary names alone, unmarked', () => {
    for (const name of ['Report.pdf', ' padded ', 'Résumé 日本語.txt', 'می\u200cخواهم.txt']) {
      expect(nameLabel({ name })).toEqual({ text: name, marked: false, why: null });
    }
  });

  it('addresses an entry by its ref when it has one, and only opens usual entries', () => {
    expect(addressOf({ path: 'a b.txt' })).toBe('path=a%20b.txt');
    expect(addressOf({ path: 'f\\xFF', ref: 'Zv8' })).toBe('ref=Zv8');
    expect(isUsual({ kind: 'file' })).toBe(true);
    expect(isUsual({ kind: 'file', ref: 'Zv8' })).toBe(false);
    expect(isUsual({ kind: 'special' })).toBe(false);
    expect(specialLabel('fifo')).toBe('Pipe');
    expect(specialLabel(undefined)).toBe('Special file');
  });
});
