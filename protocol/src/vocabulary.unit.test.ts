import { describe, expect, it } from 'vitest';
import {
  AUDIT_ACTION_FAMILIES,
  AUDIT_ACTIONS,
  AuditAction,
  auditActionFamily,
  fileMoveAction,
} from './audit-actions.ts';
import { AuditQuery } from './audit.ts';
import { CloseCode } from './close-codes.ts';
import { CONTROL_EVENT_KINDS, CONTROL_MAX_LINE_BYTES, parseAppMessage } from './control.ts';
import { ERROR_CODES, ErrorCode } from './error-codes.ts';
import { ApiErrorBody } from './api.ts';

describe('audit actions', () => {
  it('are unique "family.verb" names, each in its family', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const a of AUDIT_ACTIONS) {
      expect(a).toMatch(/^[a-z-]+\.[a-z-]+$/);
      expect(AUDIT_ACTION_FAMILIES).toContain(auditActionFamily(a));
    }
    expect(AUDIT_ACTION_FAMILIES).toEqual(expect.arrayContaining(['auth.', 'file.', 'share.', 'session.', 'app.']));
    expect(AuditAction.safeParse('file.teleport').success).toBe(false);
  });

  it('filter by a name or a family, and nothing else', () => {
    const action = (a: string) => AuditQuery.safeParse({ action: a });
    expect(action('share.create').success).toBe(true);
    expect(action('file.').success).toBe(true);
    expect(action('sign-in.').success).toBe(true);
    for (const bad of ['DROP TABLE', 'file', 'file.teleport', 'nothing.', '.', '%.']) {
      expect(action(bad).success, bad).toBe(false);
    }
  });

  it('name a move within its folder a rename, and anything else a move', () => {
    expect(fileMoveAction('Inbox/a.txt', 'Inbox/b.txt')).toBe('file.rename');
    expect(fileMoveAction('a.txt', 'b.txt')).toBe('file.rename');
    expect(fileMoveAction('/files/Inbox/a.txt', '/files/Inbox//b.txt')).toBe('file.rename');
    expect(fileMoveAction('Inbox/a.txt/', './Inbox/b.txt')).toBe('file.rename');
    expect(fileMoveAction('Inbox/a.txt', 'Inbox/Old/a.txt')).toBe('file.move');
    expect(fileMoveAction('Inbox/Old/a.txt', 'Inbox/a.txt')).toBe('file.move');
    expect(fileMoveAction('a.txt', 'Inbox/a.txt')).toBe('file.move');
    expect(fileMoveAction('/a.txt', 'a.txt')).toBe('file.move');
  });
});

describe('error codes', () => {
  it('are unique kebab-case codes, and the only ones an error body may carry', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const c of ERROR_CODES) expect(c).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(ApiErrorBody.safeParse({ error: 'invitation-expired', message: 'gone' }).success).toBe(true);
    expect(ApiErrorBody.safeParse({ error: 'made-up', message: 'no' }).success).toBe(false);
    expect(ErrorCode.options).toContain('audit-unavailable');
  });
});

describe('close codes', () => {
  it('are distinct, the server’s own in the application range', () => {
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes.filter((c) => c !== CloseCode.Normal && c !== CloseCode.MessageTooBig)) {
      expect(c).toBeGreaterThanOrEqual(4000);
      expect(c).toBeLessThan(5000);
    }
  });
});

describe('the control channel', () => {
  it('accepts every event kind it lists', () => {
    for (const kind of CONTROL_EVENT_KINDS) {
      expect(parseAppMessage(JSON.stringify({ v: 1, type: 'event', kind, path: '/files/a' })).ok, kind).toBe(true);
    }
    expect(parseAppMessage('{"v":1,"type":"event","kind":"teleported","path":"/files/a"}').ok).toBe(false);
    expect(CONTROL_MAX_LINE_BYTES).toBe(4096);
  });
});
