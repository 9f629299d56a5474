import { describe, expect, it } from 'vitest';
import {
  abilitiesFor,
  breadcrumbs,
  entryAbilities,
  joinPath,
  parentPath,
  rootOf,
  shownBreadcrumbs,
  validateName,
  wholeStorage,
} from './paths.ts';
import type { Root } from './types.ts';

const roots: Root[] = [
  { name: 'Reports', path: '/files/Reports', kind: 'folder', access: 'read' },
  { name: 'Inbox', path: '/files/Inbox', kind: 'folder', access: 'read-write-delete' },
  { name: 'Drafts', path: '/files/Drafts', kind: 'folder', access: 'read-write' },
  { name: 'q3.pdf', path: '/files/q3.pdf', kind: 'file', access: 'read' },
];

describe('paths', () => {
  it('walks up and joins', () => {
    expect(parentPath('/files/Inbox/a/b.txt')).toBe('/files/Inbox/a');
    expect(parentPath('/files')).toBe('/');
    expect(joinPath('/files/Inbox/', 'x')).toBe('/files/Inbox/x');
  });

  it('finds the root of a path, not fooled by a common prefix', () => {
    expect(rootOf('/files/Inbox/a', roots)?.name).toBe('Inbox');
    expect(rootOf('/files/Inbox2/a', roots)).toBeUndefined();
  });

  it('makes breadcrumbs from the root down', () => {
    expect(breadcrumbs(null, roots)).toEqual([{ path: null, label: 'Files' }]);
    expect(breadcrumbs('/files/Inbox/2024/May', roots)).toEqual([
      { path: null, label: 'Files' },
      { path: '/files/Inbox', label: 'Inbox' },
      { path: '/files/Inbox/2024', label: '2024' },
      { path: '/files/Inbox/2024/May', label: 'May' },
    ]);
  });

  it('shows an owner’s whole storage as the top level itself, not a folder in it', () => {
    const own: Root[] = [{ name: 'Files', path: '/files', kind: 'folder', access: 'read-write-delete' }];
    expect(wholeStorage(own)?.path).toBe('/files');
    expect(shownBreadcrumbs('/files', own)).toEqual([{ path: '/files', label: 'Files' }]);
    expect(shownBreadcrumbs('/files/Drafts', own)).toEqual([
      { path: '/files', label: 'Files' },
      { path: '/files/Drafts', label: 'Drafts' },
    ]);
    // A share of one folder, or of several, keeps its level above.
    expect(wholeStorage(roots)).toBeUndefined();
    expect(wholeStorage([roots[0]!])).toBeUndefined();
    expect(shownBreadcrumbs('/files/Inbox', [roots[0]!])).toEqual(breadcrumbs('/files/Inbox', [roots[0]!]));
  });

  it('offers only what the grant allows, and nothing on a root itself', () => {
    expect(abilitiesFor('read')).toEqual({ create: false, rename: false, move: false, delete: false });
    expect(abilitiesFor('read-write')).toEqual({ create: true, rename: true, move: true, delete: false });
    expect(abilitiesFor('read-write-delete')).toEqual({ create: true, rename: true, move: true, delete: true });
    expect(entryAbilities('/files/Inbox/a.txt', roots)).toMatchObject({ rename: true, delete: true });
    expect(entryAbilities('/files/Drafts/a.txt', roots)).toMatchObject({ rename: true, delete: false });
    expect(entryAbilities('/files/Reports/a.txt', roots)).toMatchObject({ rename: false, move: false });
    expect(entryAbilities('/files/Inbox', roots)).toMatchObject({ rename: false, move: false, delete: false });
  });

  it('validates new names', () => {
    expect(validateName('ok name')).toBeNull();
    expect(validateName('  ')).not.toBeNull();
    expect(validateName('a/b')).not.toBeNull();
    expect(validateName('..')).not.toBeNull();
    expect(validateName('x'.repeat(256))).not.toBeNull();
  });
});
