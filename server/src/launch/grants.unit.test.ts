import { describe, expect, it } from 'vitest';
import { resolveGrants, type Entitlement } from './grants.ts';

const share: Entitlement = { hostPath: '/srv/owner1/Reports', sandboxPath: '/files/Reports', access: 'read-write' };

describe('resolveGrants', () => {
  it('gives the lesser of requested and entitled access', () => {
    expect(resolveGrants([{ path: '.', access: ['read', 'write', 'delete'] }], [share])).toEqual([
      { hostPath: '/srv/owner1/Reports', sandboxPath: '/files/Reports', access: 'read-write' },
    ]);
    expect(resolveGrants([{ path: '.', access: ['read'] }], [share])[0]!.access).toBe('read');
  });

  it('never widens a read-only entitlement', () => {
    const ro: Entitlement = { ...share, access: 'read' };
    expect(resolveGrants([{ path: '.', access: ['read', 'write', 'delete'] }], [ro])[0]!.access).toBe('read');
  });

  it('grants nothing when the app asks for nothing, or when the user is entitled to nothing', () => {
    expect(resolveGrants([], [share])).toEqual([]);
    expect(resolveGrants([{ path: '.', access: ['read'] }], [])).toEqual([]);
  });

  it('narrows to a sub-path the app asks for and ignores paths escaping the entitlement', () => {
    expect(
      resolveGrants(
        [
          { path: 'q3/', access: ['read'] },
          { path: '../other', access: ['read'] },
          { path: '/etc', access: ['read'] },
          { path: '/', access: ['read'] },
          { path: 'a/../../x', access: ['read'] },
        ],
        [share],
      ),
    ).toEqual([{ hostPath: '/srv/owner1/Reports/q3', sandboxPath: '/files/Reports/q3', access: 'read' }]);
  });

  it('merges duplicate requests for one path to the widest allowed right', () => {
    const full: Entitlement = { ...share, access: 'read-write-delete' };
    expect(
      resolveGrants(
        [
          { path: '.', access: ['read'] },
          { path: './', access: ['read', 'write'] },
        ],
        [full],
      ),
    ).toEqual([{ hostPath: '/srv/owner1/Reports', sandboxPath: '/files/Reports', access: 'read-write' }]);
  });
});
