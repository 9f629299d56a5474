import { describe, expect, it } from 'vitest';
import { decodePage, pageCount, pageRequestRange, rangeHeader, trimPageBytes } from './textPaging.ts';

const enc = new TextEncoder();

describe('text paging', () => {
  it('counts 64 KB parts', () => {
    expect(pageCount(0)).toBe(1);
    expect(pageCount(1)).toBe(1);
    expect(pageCount(65536)).toBe(1);
    expect(pageCount(65537)).toBe(2);
    expect(pageCount(10 * 1024 * 1024)).toBe(160);
  });

  it('asks for a part plus a few bytes, never past the end', () => {
    expect(pageRequestRange(0, 1_000_000)).toEqual({ start: 0, end: 65538 });
    expect(pageRequestRange(1, 1_000_000)).toEqual({ start: 65536, end: 131074 });
    expect(pageRequestRange(0, 100)).toEqual({ start: 0, end: 99 });
    expect(rangeHeader({ start: 65536, end: 131074 })).toBe('bytes=65536-131074');
  });

  it('shows a character cut by the boundary whole, in the part where it starts', () => {
    // 'é' is 2 bytes, '€' 3: with 4-byte parts, "abcé€x" = a b c [c3 a9] [e2 82 ac] x
    const text = 'abcé€x';
    const bytes = enc.encode(text);
    const size = bytes.length;
    const parts: string[] = [];
    for (let p = 0; p < pageCount(size, 4); p++) {
      const r = pageRequestRange(p, size, 4);
      parts.push(decodePage(bytes.subarray(r.start, r.end + 1), p, 4));
    }
    expect(parts.join('')).toBe(text);
    expect(parts[0]).toBe('abcé');
    expect(parts[1]).toBe('€');
    expect(parts[2]).toBe('x');
  });

  it('reassembles any UTF-8 text split at any part size', () => {
    const text = 'Ünïcödé ✓ 漢字 🎉 plain ascii\nline two — ok';
    const bytes = enc.encode(text);
    for (const size of [4, 5, 7, 16]) {
      let out = '';
      for (let p = 0; p < pageCount(bytes.length, size); p++) {
        const r = pageRequestRange(p, bytes.length, size);
        out += decodePage(bytes.subarray(r.start, r.end + 1), p, size);
      }
      expect(out).toBe(text);
    }
  });

  it('trims nothing from plain ASCII', () => {
    const bytes = enc.encode('hello world');
    expect(trimPageBytes(bytes, 0, 64).length).toBe(11);
  });
});
