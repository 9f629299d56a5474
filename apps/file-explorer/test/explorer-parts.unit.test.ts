import { describe, expect, it } from 'vitest';
import { grantsFromInit, parseGrants, parseRange } from '../server/explorer.ts';
import { checkSandboxPath, fsError } from '../server/paths.ts';
import { fileContentType, fileType } from '../server/types.ts';

describe('checkSandboxPath', () => {
  it('normalises paths under /files', () => {
    expect(checkSandboxPath('/files')).toBe('/files');
    expect(checkSandboxPath('/files/')).toBe('/files');
    expect(checkSandboxPath('/files//Docs/./a.txt')).toBe('/files/Docs/a.txt');
    expect(checkSandboxPath('/files/Docs/')).toBe('/files/Docs');
    expect(checkSandboxPath('//files/Docs')).toBe('/files/Docs');
  });

  it('refuses "..", NUL, relative paths and anything outside /files', () => {
    for (const bad of [
      '/files/..',
      '/files/Docs/../..',
      '/files/a/../b',
      'files/a',
      './files',
      '/files\0',
      '/filesystem',
      '/etc/passwd',
      '',
      undefined,
      42,
      '/files/' + 'x'.repeat(5000),
    ]) {
      expect(() => checkSandboxPath(bad), JSON.stringify(bad)).toThrow();
    }
  });
});

describe('parseRange', () => {
  it('reads the forms a browser sends', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-', 10)).toEqual([0, 9]);
    expect(parseRange('bytes=2-5', 10)).toEqual([2, 5]);
    expect(parseRange('bytes=5-100', 10)).toEqual([5, 9]);
    expect(parseRange('bytes=-4', 10)).toEqual([6, 9]);
    expect(parseRange('bytes=-40', 10)).toEqual([0, 9]);
  });

  it('416 beyond the end; whole file for what it does not serve as a range', () => {
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 10)).toBeUndefined();
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
    expect(parseRange('bytes=-', 10)).toBeUndefined();
  });
});

describe('types and errors', () => {
  it('types by extension, case-insensitively', () => {
    expect(fileType('a.PDF')).toBe('pdf');
    expect(fileType('a.jpeg')).toBe('image');
    expect(fileType('a.webm')).toBe('video');
    expect(fileType('README')).toBe('text');
    expect(fileType('a.docx')).toBe('document');
    expect(fileType('a.ods')).toBe('spreadsheet');
    expect(fileType('a.flac')).toBe('audio');
    expect(fileType('a.pages')).toBe('other');
    expect(fileContentType('x.svg')).toBe('image/svg+xml');
    expect(fileContentType('x.htm')).toBe('text/plain; charset=utf-8');
    expect(fileContentType('x.js')).toBe('text/plain; charset=utf-8');
  });

  it('kernel refusals are 403 denied with the errno', () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      const e = fsError(Object.assign(new Error('x'), { code }));
      expect([e.status, e.code, e.errno]).toEqual([403, 'denied', code]);
    }
    expect(fsError(Object.assign(new Error('x'), { code: 'ENOENT' })).status).toBe(404);
    expect(fsError(new Error('boom')).status).toBe(500);
  });

  it('VITRINE_GRANTS: parsed and checked; absent means /files', () => {
    expect(parseGrants('[{"path":"/files/A/","access":"read"}]')).toEqual([{ path: '/files/A', access: 'read' }]);
    expect(parseGrants(undefined)).toEqual([{ path: '/files', access: 'read-write-delete' }]);
    expect(() => parseGrants('[{"path":"/etc","access":"read"}]')).toThrow();
    expect(() => parseGrants('[{"path":"/files/A","access":"all"}]')).toThrow();
    expect(() => parseGrants('{}')).toThrow();
  });

  it("init's grants: rights become one access level; a path outside /files is refused", () => {
    expect(
      grantsFromInit([
        { path: '/files/A/', rights: ['read'] },
        { path: '/files/B', rights: ['read', 'write'] },
        { path: '/files/C', rights: ['read', 'write', 'delete'] },
        // Deleting without writing is nothing the server grants: no more than reading.
        { path: '/files/D', rights: ['read', 'delete'] },
      ]),
    ).toEqual([
      { path: '/files/A', access: 'read' },
      { path: '/files/B', access: 'read-write' },
      { path: '/files/C', access: 'read-write-delete' },
      { path: '/files/D', access: 'read' },
    ]);
    expect(grantsFromInit([])).toEqual([]);
    expect(() => grantsFromInit([{ path: '/etc', rights: ['read'] }])).toThrow(/under \/files/);
  });
});
