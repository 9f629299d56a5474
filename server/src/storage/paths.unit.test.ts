import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { previewContentType } from './content-types.ts';
import { joinStoragePath, numberedName, parseStoragePath, segmentProblem } from './paths.ts';
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
    [Array(1024).fill('abc').join('/'), Array(1024).fill('abc')],
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
