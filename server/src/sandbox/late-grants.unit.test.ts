import { describe, expect, it } from 'vitest';
import { lateGrantNames, lateGrantsFor } from './late-grants.ts';
import type { Grant } from './sandbox.ts';

const read = (sandboxPath: string): Grant => ({ hostPath: `/srv${sandboxPath}`, sandboxPath, access: 'read' });
const below = (access: Grant['access']) => ({ access, atFiles: false });
const R = below('read');
const own: Grant = { hostPath: '/srv/owner', sandboxPath: '/files', access: 'read-write-delete' };

describe('grants a running sandbox can take', () => {
  it('grants of one access, each one name under /files', () => {
    expect(lateGrantsFor([read('/files/Reports'), read('/files/scan.pdf')])).toEqual({
      access: 'read',
      atFiles: false,
    });
    expect(lateGrantsFor([])).toEqual({ access: 'read', atFiles: false });
    expect(lateGrantsFor([{ ...read('/files/Drafts'), access: 'read-write' }])).toEqual({
      access: 'read-write',
      atFiles: false,
    });
  });

  it('one folder at /files itself (an owner’s storage), of any access', () => {
    expect(lateGrantsFor([own])).toEqual({ access: 'read-write-delete', atFiles: true });
    expect(lateGrantsFor([read('/files')])).toEqual({ access: 'read', atFiles: true });
  });

  it('not mixed accesses, /files with another, a deeper path, or the same name twice', () => {
    expect(lateGrantsFor([read('/files/a'), { ...read('/files/b'), access: 'read-write' }])).toBe(null);
    expect(lateGrantsFor([own, { ...read('/files/b'), access: 'read-write-delete' }])).toBe(null);
    expect(lateGrantsFor([read('/files/a/b')])).toBe(null);
    expect(lateGrantsFor([read('/files/..')])).toBe(null);
    expect(lateGrantsFor([read('/files/a'), read('/files/a')])).toBe(null);
    expect(lateGrantsFor([read('/elsewhere')])).toBe(null);
  });

  it('a sandbox takes only what it was started for', () => {
    expect(lateGrantNames([read('/files/a'), read('/files/b')], { access: 'read', atFiles: false })).toEqual([
      'a',
      'b',
    ]);
    expect(lateGrantNames([own], { access: 'read-write-delete', atFiles: true })).toEqual([]);
    expect(() => lateGrantNames([own], { access: 'read-write-delete', atFiles: false })).toThrow(/\/files\/<name>/);
    expect(() => lateGrantNames([read('/files/a')], { access: 'read', atFiles: true })).toThrow(
      /one folder at \/files/,
    );
    expect(() => lateGrantNames([], { access: 'read', atFiles: true })).toThrow(/one folder at \/files/);
    expect(() => lateGrantNames([read('/files')], { access: 'read-write-delete', atFiles: true })).toThrow(
      /must be read-write-delete/,
    );
  });
  it('lateGrantNames: the one access, exactly /files/<name>, each name once', () => {
    const g = (sandboxPath: string, access: Grant['access'] = 'read'): Grant => ({
      hostPath: '/srv/x',
      sandboxPath,
      access,
    });
    expect(lateGrantNames([g('/files/Reports'), g('/files/q3 (final).pdf')], R)).toEqual(['Reports', 'q3 (final).pdf']);
    expect(lateGrantNames([], R)).toEqual([]);
    expect(lateGrantNames([g('/files/a', 'read-write')], below('read-write'))).toEqual(['a']);
    expect(() => lateGrantNames([g('/files/a', 'read-write')], R)).toThrow(/must be read: .* is read-write/);
    expect(() => lateGrantNames([g('/files/a', 'read-write-delete')], R)).toThrow(/must be read:/);
    // The sandbox's access exactly: neither more nor less than its Landlock rule says.
    expect(() => lateGrantNames([g('/files/a', 'read')], below('read-write-delete'))).toThrow(
      /must be read-write-delete/,
    );
    expect(() => lateGrantNames([g('/files/a', 'read-write')], below('read-write-delete'))).toThrow(
      /must be read-write-delete/,
    );
    // Not /files itself, even alone, to a sandbox started for grants below it.
    expect(() => lateGrantNames([g('/files')], R)).toThrow(/at \/files\/<name>/);
    for (const bad of [
      '/files/',
      '/files/a/b',
      '/files/..',
      '/files/.',
      '/data/a',
      '/filesa',
      'files/a',
      '/files/a\nb',
    ]) {
      expect(() => lateGrantNames([g(bad)], R), bad).toThrow(/at \/files\/<name>/);
    }
    expect(() => lateGrantNames([g('/files/a'), g('/files/a')], R)).toThrow(/same name/);
  });
});
