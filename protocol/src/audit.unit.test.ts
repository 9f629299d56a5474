import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { AuditExportQuery, AuditQuery, CLIENT_ACTIVITY, isClientActivity } from './audit.ts';

describe('client activity', () => {
  it('is a list of known actions, asked for with view=client-activity', () => {
    for (const a of CLIENT_ACTIVITY.actions) expect(AUDIT_ACTIONS).toContain(a);
    expect(new Set(CLIENT_ACTIVITY.actions).size).toBe(CLIENT_ACTIVITY.actions.length);
    expect(AuditQuery.parse({}).view).toBe('all');
    expect(AuditQuery.parse({ view: 'client-activity' }).view).toBe('client-activity');
    expect(AuditQuery.safeParse({ view: 'mine' }).success).toBe(false);
    expect(AuditExportQuery.parse({ format: 'csv', view: 'client-activity' }).view).toBe('client-activity');
  });

  it('keeps what clients did and their refusals, never an owner’s own reads', () => {
    const is = (action: string, role: 'owner' | 'client' | 'system' | 'anonymous', outcome = 'ok' as const) =>
      isClientActivity({ action, outcome, actor: { role } });
    expect(is('app.claim', 'client')).toBe(true);
    expect(is('session.ended', 'client')).toBe(true);
    expect(is('invitation.accept', 'client')).toBe(true);
    expect(is('auth.whoami', 'client')).toBe(false);
    expect(is('share.list', 'owner')).toBe(false);
    expect(is('auth.whoami', 'owner')).toBe(false);
    // An owner's own session is not a client's.
    expect(is('session.launch', 'owner')).toBe(false);
    expect(isClientActivity({ action: 'file.list', outcome: 'denied', actor: { role: 'client' } })).toBe(true);
    expect(isClientActivity({ action: 'file.list', outcome: 'denied', actor: { role: 'anonymous' } })).toBe(true);
    expect(isClientActivity({ action: 'file.list', outcome: 'denied', actor: { role: 'owner' } })).toBe(false);
    expect(isClientActivity({ action: 'file.list', outcome: 'failed', actor: { role: 'client' } })).toBe(false);
  });
});
