import { describe, expect, it } from 'vitest';
import { cellName, columnIndex, columnName, parseCellRef } from './cellNames.ts';

describe('cell names', () => {
  it('names columns A..Z, AA..ZZ, AAA', () => {
    expect(columnName(0)).toBe('A');
    expect(columnName(25)).toBe('Z');
    expect(columnName(26)).toBe('AA');
    expect(columnName(27)).toBe('AB');
    expect(columnName(51)).toBe('AZ');
    expect(columnName(52)).toBe('BA');
    expect(columnName(701)).toBe('ZZ');
    expect(columnName(702)).toBe('AAA');
    expect(columnName(16383)).toBe('XFD'); // Excel's last column
    expect(() => columnName(-1)).toThrow(RangeError);
    expect(() => columnName(1.5)).toThrow(RangeError);
  });

  it('reads column letters back, for every column up to ZZZ', () => {
    for (let i = 0; i < 18_278; i++) expect(columnIndex(columnName(i))).toBe(i);
    expect(columnIndex('xfd')).toBe(16383);
    expect(columnIndex('')).toBeNull();
    expect(columnIndex('A1')).toBeNull();
  });

  it('names cells', () => {
    expect(cellName(0, 0)).toBe('A1');
    expect(cellName(119, 1)).toBe('B120');
    expect(cellName(49_999, 27)).toBe('AB50000');
  });

  it('parses what a person types to go to a cell', () => {
    expect(parseCellRef('B120')).toEqual({ row: 119, column: 1 });
    expect(parseCellRef('b120')).toEqual({ row: 119, column: 1 });
    expect(parseCellRef(' $B$120 ')).toEqual({ row: 119, column: 1 });
    expect(parseCellRef('AA1')).toEqual({ row: 0, column: 26 });
    expect(parseCellRef('120')).toEqual({ row: 119 });
    expect(parseCellRef('C')).toEqual({ column: 2 });
    for (const bad of ['', ' ', 'A0', '1A', 'B-1', 'B1.5', 'ABCDE1', 'B1234567890', 'Sheet1!A1', 'é1']) {
      expect(parseCellRef(bad), bad).toBeNull();
    }
  });
});
