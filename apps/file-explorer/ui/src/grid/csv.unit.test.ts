import { describe, expect, it } from 'vitest';
import { looksNumeric } from './cells.ts';
import { contentWidths, decodeText, parseDelimited } from './csv.ts';
import { toCells, toSheetInfo } from './officeApi.ts';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

describe('CSV and TSV', () => {
  it('guesses the delimiter', () => {
    expect(parseDelimited('a,b,c\n1,2,3\n').cells).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(parseDelimited('a;b;c\n1,5;2;3\n')).toMatchObject({ delimiter: ';', columns: 3 });
    expect(parseDelimited('a\tb\n1\t2\n').delimiter).toBe('\t');
    expect(parseDelimited('a|b|c\n1|2|3\n').delimiter).toBe('|');
    // Commas inside quotes do not count; one column alone is comma-separated.
    expect(parseDelimited('"a,b,c";d\n"e,f";g\n').cells).toEqual([
      ['a,b,c', 'd'],
      ['e,f', 'g'],
    ]);
    expect(parseDelimited('just\none\ncolumn\n')).toMatchObject({ delimiter: ',', columns: 1, rows: 3 });
    // A .tsv file is tab-separated even when its text has more commas than tabs.
    expect(parseDelimited('a,b\tc,d\n', { tsv: true }).cells).toEqual([['a,b', 'c,d']]);
  });

  it('handles quotes, doubled quotes and line breaks in quoted fields', () => {
    const t = parseDelimited('name,note\r\n"Smith, J","said ""hi""\nand left"\r\nx,y\r\n');
    expect(t.cells).toEqual([
      ['name', 'note'],
      ['Smith, J', 'said "hi"\nand left'],
      ['x', 'y'],
    ]);
    expect(t.rows).toBe(3);
  });

  it('keeps ragged rows and counts the widest', () => {
    const t = parseDelimited('a\nb,c,d\ne,f\n');
    expect(t.columns).toBe(3);
    expect(t.cells[0]).toEqual(['a']);
  });

  it('keeps empty lines inside, not the line break at the end', () => {
    expect(parseDelimited('a,b\n\nc,d\n').cells).toEqual([['a', 'b'], [''], ['c', 'd']]);
    expect(parseDelimited('').rows).toBe(0);
  });

  it('stops at the row limit and says so', () => {
    const text = Array.from({ length: 30 }, (_, i) => `${i},x`).join('\n');
    const t = parseDelimited(text, { maxRows: 10 });
    expect(t.rows).toBe(10);
    expect(t.truncated).toBe(true);
    expect(t.cells[9]).toEqual(['9', 'x']);
    expect(parseDelimited(text, { maxRows: 30 }).truncated).toBe(false);
  });

  it('leaves out the possibly cut last row of a partial read', () => {
    const t = parseDelimited('a,b\nc,d\ne,"unfinish', { cut: true });
    expect(t.cells).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(t.truncated).toBe(true);
  });

  it('decodes a BOM, UTF-16, and non-UTF-8 bytes', () => {
    expect(decodeText(bytes([0xef, 0xbb, 0xbf], 'Größe,€\n'))).toEqual({ text: 'Größe,€\n', encoding: 'utf-8' });
    expect(parseDelimited(decodeText(bytes([0xef, 0xbb, 0xbf], 'id,x\n1,2\n')).text).cells[0]![0]).toBe('id');
    expect(decodeText(bytes([0xff, 0xfe, 0x61, 0, 0x2c, 0, 0x62, 0])).text).toBe('a,b');
    expect(decodeText(bytes([0xfe, 0xff, 0, 0x61, 0, 0x2c, 0, 0x62])).text).toBe('a,b');
    // Windows-1252 "Café;5 €" is not UTF-8.
    expect(decodeText(bytes('Caf', [0xe9], ';5 ', [0x80]))).toEqual({ text: 'Café;5 €', encoding: 'windows-1252' });
    // A read cut inside "é" is still UTF-8.
    expect(decodeText(bytes('ab,caf', [0xc3]), true)).toEqual({ text: 'ab,caf', encoding: 'utf-8' });
  });

  it('sizes columns by their content, within bounds', () => {
    const w = contentWidths(
      [
        ['id', 'a much longer description of the thing', 'x'.repeat(500)],
        ['1', 'short', ''],
      ],
      4,
    );
    expect(w[0]).toBe(48);
    expect(w[1]).toBeGreaterThan(250);
    expect(w[2]).toBe(360);
    expect(w[3]).toBe(48);
  });
});

describe('cells', () => {
  it('recognises numbers as spreadsheet programs show them', () => {
    for (const n of ['0', '42', '-3.5', '1,234.50', '1.234,50', '12%', '$1,200.00', '€ 3', '(1,200)', '1.5E+10', '+7'])
      expect(looksNumeric(n), n).toBe(true);
    for (const t of ['', 'abc', 'B120', '12 apples', '1-2', '(12', '2024 report', '--', '$'])
      expect(looksNumeric(t), t).toBe(false);
  });
});

describe('office answers', () => {
  it('takes a sheet shape from untrusted JSON', () => {
    expect(
      toSheetInfo(
        { name: 'Q1', rows: 10, columns: 3, frozenRows: 1, frozenColumns: 0, columnWidths: [80, 'x'], truncated: true },
        0,
      ),
    ).toEqual({
      name: 'Q1',
      rows: 10,
      columns: 3,
      frozenRows: 1,
      frozenColumns: 0,
      columnWidths: [80, 0],
      truncated: true,
    });
    expect(toSheetInfo(null, 2)).toMatchObject({ name: 'Sheet3', rows: 0, columnWidths: [], truncated: false });
    expect(toSheetInfo({ rows: -5, columns: Number.POSITIVE_INFINITY }, 0)).toMatchObject({ rows: 0, columns: 0 });
  });

  it('takes cells as rows of text', () => {
    expect(toCells({ cells: [['a', 1, null], 'x'] })).toEqual([['a', '1', ''], []]);
    expect(() => toCells({ cells: 'nope' })).toThrow(/cannot be shown/);
  });
});
