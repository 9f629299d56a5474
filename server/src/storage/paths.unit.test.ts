import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { previewContentType } from './content-types.ts';
import {
  joinStoragePath,
  MAX_DEPTH,
  numberedDiskName,
  numberedName,
  parseStoragePath,
  parseStorageRef,
  segmentProblem,
  shownName,
  storageRefOf,
} from './paths.ts';
import { attachment } from './storage-routes.ts';

describe('parseStoragePath', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    ['a/b/c.txt', ['a', 'b', 'c.txt']],
    ['a/b/', ['a', 'b']],
    ['...', ['...']],
    ['.hidden/..x', ['.hidden', '..x']],
    [' padded ', [' padded ']],
    ['back\\slash', ['back\\slash']],
    ['Résumé 2024 (final).pdf', ['Résumé 2024 (final).pdf']],
    ['日本語/😀', ['日本語', '😀']],
    ['x'.repeat(255), ['x'.repeat(255)]],
    ['é'.repeat(127), ['é'.repeat(127)]],
    [Array(MAX_DEPTH).fill('abc').join('/'), Array(MAX_DEPTH).fill('abc')],
  ])('accepts %j', (input, segments) => {
    expect(parseStoragePath(input)).toEqual(segments);
    expect(parseStoragePath(joinStoragePath(segments))).toEqual(segments);
  });

  it.each([
    ['/', 'leading "/"'],
    ['/etc/passwd', 'leading "/"'],
    ['.', 'not allowed'],
    ['..', 'not allowed'],
    ['a/../b', 'not allowed'],
    ['a/./b', 'not allowed'],
    ['../../etc', 'not allowed'],
    ['a//b', 'empty component'],
    ['a//', 'empty component'],
    ['//', 'leading "/"'],
    ['a\u0000b', 'control characters'],
    ['a\nb', 'control characters'],
    ['tab\there', 'control characters'],
    ['del\u007f', 'control characters'],
    ['c1\u0085', 'control characters'],
    ['   ', 'only whitespace'],
    ['a/\u3000/b', 'only whitespace'],
    ['x'.repeat(256), 'at most 255 bytes'],
    ['é'.repeat(128), 'at most 255 bytes'],
    ['lone\ud800', 'not valid Unicode'],
    [Array(1366).fill('abc').join('/'), 'longer than 4096 bytes'],
    [
      Array(MAX_DEPTH + 1)
        .fill('a')
        .join('/'),
      `more than ${MAX_DEPTH} folders deep`,
    ],
  ])('refuses %j', (input, reason) => {
    let error: unknown;
    try {
      parseStoragePath(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 400, code: 'bad-path' });
    expect((error as Error).message).toContain(reason);
  });
});

describe('refs: the exact bytes of a path', () => {
  const bad = Buffer.from([0x66, 0xff]);

  it('round-trips any name an entry can have, as text when that is exact', () => {
    const segments = ['Reports', bad, 'new\nline', 'invoice-2027\u202efdp.exe', ' '];
    const ref = storageRefOf(segments);
    expect(ref).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseStorageRef(ref)).toEqual(segments);
    expect(parseStorageRef('')).toEqual([]);
    expect(parseStorageRef(storageRefOf(Array(MAX_DEPTH).fill('d')))).toHaveLength(MAX_DEPTH);
  });

  it.each([
    ['not base64url', 'ab+/', 'base64url'],
    ['padded', Buffer.from('ab').toString('base64'), 'base64url'],
    ['an empty name', Buffer.from('a//b').toString('base64url'), 'empty component'],
    ['a leading slash', Buffer.from('/etc').toString('base64url'), 'empty component'],
    ['..', Buffer.from('a/../b').toString('base64url'), 'not allowed'],
    ['NUL', Buffer.from('a\0b').toString('base64url'), 'NUL'],
    ['a long name', Buffer.alloc(256, 0x61).toString('base64url'), 'at most 255 bytes'],
    ['too deep', storageRefOf(Array(MAX_DEPTH + 1).fill('d')), 'folders deep'],
  ])('refuses %s', (_what, ref, reason) => {
    expect(() => parseStorageRef(ref)).toThrow(reason);
  });

  it('marks every name a path cannot carry, and escapes it', () => {
    expect(shownName('plain.txt')).toEqual({ shown: 'plain.txt', issues: [] });
    expect(shownName(bad)).toEqual({ shown: 'f\\xFF', issues: ['not-utf8'] });
    expect(shownName('new\nline')).toEqual({ shown: 'new\\u{000A}line', issues: ['control'] });
    expect(shownName('   ')).toEqual({ shown: '\\u{0020}\\u{0020}\\u{0020}', issues: ['invisible'] });
    expect(shownName('a\u3000')).toEqual({ shown: 'a\u3000', issues: [] });
    // Whatever a path refuses, shownName flags: such an entry always gets a ref.
    for (const name of ['x\u0085', '\u3000', 'a\u202eb', '\u200b']) {
      expect(segmentProblem(name) === null || shownName(name).issues.length > 0).toBe(true);
    }
  });

  it('numbers names that are not UTF-8 at their end, within 255 bytes', () => {
    expect(numberedDiskName(bad, 2)).toEqual(Buffer.concat([bad, Buffer.from(' (2)')]));
    expect((numberedDiskName(Buffer.alloc(255, 0xff), 12) as Buffer).length).toBe(255);
    expect(numberedDiskName('a.txt', 2)).toBe('a (2).txt');
  });
});

describe('attachment', () => {
  it('gives an ASCII fallback and the exact name in RFC 5987 form', () => {
    expect(attachment('report.pdf')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(attachment('Résumé "v2" (final)*.pdf')).toBe(
      `attachment; filename="R_sum_ _v2_ (final)*.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22v2%22%20%28final%29%2A.pdf`,
    );
    expect(attachment("it's 100%")).toBe(`attachment; filename="it's 100_"; filename*=UTF-8''it%27s%20100%25`);
  });
});

describe('keeping both: numbered names', () => {
  it('numbers before the extension, counting on from a number already there', () => {
    expect(numberedName('report.pdf', 2)).toBe('report (2).pdf');
    expect(numberedName('report.pdf', 3)).toBe('report (3).pdf');
    expect(numberedName('backup.tar.gz', 2)).toBe('backup (2).tar.gz');
    expect(numberedName('Makefile', 2)).toBe('Makefile (2)');
    expect(numberedName('.bashrc', 2)).toBe('.bashrc (2)');
    expect(numberedName('report (2).pdf', 2)).toBe('report (3).pdf');
    expect(numberedName(' leading space.txt', 2)).toBe(' leading space (2).txt');
  });

  it('stays a valid name when the original is as long as a name can be', () => {
    for (const name of ['x'.repeat(251) + '.pdf', 'é'.repeat(125) + '.txt', 'y'.repeat(255), 'a.' + 'z'.repeat(253)]) {
      const numbered = numberedName(name, 12);
      expect(Buffer.byteLength(numbered)).toBeLessThanOrEqual(255);
      expect(segmentProblem(numbered)).toBeNull();
      expect(numbered).toContain('(12)');
    }
    expect(numberedName('x'.repeat(251) + '.pdf', 2)).toBe('x'.repeat(247) + ' (2).pdf');
  });
});

describe('preview types', () => {
  it('shows pictures, PDF, audio and video as themselves, text and markup as plain text, the rest as bytes', () => {
    expect(previewContentType('a.PNG')).toBe('image/png');
    expect(previewContentType('q3.pdf')).toBe('application/pdf');
    expect(previewContentType('clip.mp4')).toBe('video/mp4');
    expect(previewContentType('song.mp3')).toBe('audio/mpeg');
    expect(previewContentType('notes.txt')).toBe('text/plain; charset=utf-8');
    expect(previewContentType('page.html')).toBe('text/plain; charset=utf-8');
    expect(previewContentType('logo.svg')).toBe('image/svg+xml');
    expect(previewContentType('setup.exe')).toBe('application/octet-stream');
    expect(previewContentType('.png')).toBe('application/octet-stream');
    expect(previewContentType('README')).toBe('application/octet-stream');
  });
});
