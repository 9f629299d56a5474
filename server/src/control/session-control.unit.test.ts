import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { sessionControl } from './session-control.ts';
import type { AppEvent } from './messages.ts';
import { parseAppMessage } from './messages.ts';

const grants = [
  { hostPath: '/srv/o/files/Reports', sandboxPath: '/files/Reports', access: 'read' as const },
  { hostPath: '/srv/o/files/Inbox', sandboxPath: '/files/Inbox', access: 'read-write-delete' as const },
  { hostPath: '/srv/o/files/Drafts', sandboxPath: '/files/Drafts', access: 'read-write' as const },
];

describe('session control', () => {
  const trashed: Array<[string, string]> = [];
  const moved: Array<[string, string, string]> = [];
  const events: AppEvent[] = [];
  const control = sessionControl({
    grants,
    storageOwnerId: 'o',
    trash: async (owner, hostPath) => {
      if (hostPath.endsWith('missing.txt')) throw new DomainError(404, 'not-found', 'no such file');
      trashed.push([owner, hostPath]);
    },
    move: async (owner, from, to) => {
      moved.push([owner, from, to]);
    },
    record: (e) => events.push(e),
  });
  const move = (p: string, to: string) =>
    control.request({ v: 1, type: 'request', id: 2, action: 'move', path: p, to });
  const trash = (p: string) => control.request({ v: 1, type: 'request', id: 1, action: 'trash', path: p });

  it('moves to the trash only where the grant allows deleting', async () => {
    expect(await trash('/files/Inbox/old/a.txt')).toEqual({ ok: true });
    expect(trashed).toEqual([['o', '/srv/o/files/Inbox/old/a.txt']]);
    expect(await trash('/files/Reports/q3.pdf')).toMatchObject({ ok: false, error: 'denied' });
    expect(await trash('/files/Inbox')).toMatchObject({ ok: false, error: 'denied' });
    expect(await trash('/files/Inbox/../Reports/q3.pdf')).toMatchObject({ ok: false, error: 'denied' });
    expect(await trash('/etc/passwd')).toMatchObject({ ok: false, error: 'denied' });
    expect(await trash('/files/InboxEvil/x')).toMatchObject({ ok: false, error: 'denied' });
    expect(await trash('/files/Inbox/missing.txt')).toEqual({ ok: false, error: 'not-found', message: 'no such file' });
    expect(trashed).toHaveLength(1);
  });

  it('renames and moves within one shared folder the policy lets the person edit', async () => {
    expect(await move('/files/Drafts/a.txt', '/files/Drafts/old/b.txt')).toEqual({ ok: true });
    expect(moved).toEqual([['o', '/srv/o/files/Drafts/a.txt', '/srv/o/files/Drafts/old/b.txt']]);
    expect(await move('/files/Reports/q3.pdf', '/files/Reports/q4.pdf')).toMatchObject({ ok: false, error: 'denied' });
    expect(await move('/files/Drafts/a.txt', '/files/Inbox/a.txt')).toMatchObject({ ok: false, error: 'denied' });
    expect(await move('/files/Drafts', '/files/Drafts2')).toMatchObject({ ok: false, error: 'denied' });
    expect(await move('/files/Drafts/a.txt', '/files/Drafts')).toMatchObject({ ok: false, error: 'denied' });
    expect(await move('/files/Drafts/a.txt', '/etc/x')).toMatchObject({ ok: false, error: 'denied' });
    // Edit is not delete.
    expect(await trash('/files/Drafts/a.txt')).toMatchObject({ ok: false, error: 'denied' });
    expect(moved).toHaveLength(1);
  });

  it('records events as they come', () => {
    control.event({ v: 1, type: 'event', kind: 'file-opened', path: '/files/Reports/q3.pdf', page: 1 });
    expect(events).toEqual([{ v: 1, type: 'event', kind: 'file-opened', path: '/files/Reports/q3.pdf', page: 1 }]);
  });
});

describe('app messages', () => {
  it('accepts the documented shapes and refuses anything else', () => {
    expect(parseAppMessage('{"v":1,"type":"event","kind":"page-viewed","path":"/files/a.pdf","page":3}').ok).toBe(true);
    expect(parseAppMessage('{"v":1,"type":"request","id":7,"action":"trash","path":"/files/a"}').ok).toBe(true);
    expect(parseAppMessage('{"v":2,"type":"event","kind":"file-opened","path":"/files/a"}').ok).toBe(true);
    expect(parseAppMessage('{"v":2,"type":"request","id":8,"action":"resize","width":800,"height":600}').ok).toBe(true);
    for (const bad of [
      'nope',
      '{"v":3,"type":"event","kind":"file-opened","path":"/files/a"}',
      '{"v":1,"type":"request","id":8,"action":"resize","width":800,"height":600}',
      '{"v":2,"type":"request","id":8,"action":"resize","width":801,"height":600}',
      '{"v":2,"type":"request","id":8,"action":"resize","width":800,"height":99999}',
      '{"v":2,"type":"request","id":8,"action":"resize","width":800,"height":600,"path":"/files/a"}',
      '{"v":1,"type":"event","kind":"teleported","path":"/files/a"}',
      '{"v":1,"type":"event","kind":"file-opened","path":"relative"}',
      '{"v":1,"type":"event","kind":"file-opened","path":"/files/a","extra":1}',
      '{"v":1,"type":"request","id":1,"action":"format-disk","path":"/files/a"}',
      '{"v":1,"type":"event","kind":"page-viewed","path":"/files/a","page":0}',
      '{"v":1,"type":"request","id":1,"action":"move","path":"/files/a"}',
      '{"v":1,"type":"request","id":1,"action":"trash","path":"/files/a","to":"/files/b"}',
    ]) {
      expect(parseAppMessage(bad).ok, bad).toBe(false);
    }
  });
});
