import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, CLIENT_ACTIVITY, SessionEndReason } from '@vitrine/protocol';
import { describeActivity } from './activityText.ts';
import { auditEvent } from './auditEventFixture.ts';

/** An action code anywhere in a text ("app.claim", "auth.whoami"). */
const CODE = /\b[a-z-]+\.[a-z-]+\b/;

describe('client activity in words', () => {
  it('says every client-activity action, done or refused, without a code', () => {
    for (const action of CLIENT_ACTIVITY.actions) {
      for (const outcome of ['ok', 'denied', 'failed'] as const) {
        const a = describeActivity(
          auditEvent({ action, outcome, detail: { kind: 'file-opened', durationMs: 1000, message: 'not allowed' } }),
        );
        expect(a.what, `${action} ${outcome}`).toBeTruthy();
        expect(a.what, `${action} ${outcome}`).not.toMatch(CODE);
        expect(a.more ?? '', `${action} ${outcome}`).not.toContain(action);
      }
    }
  });

  it('says any refused attempt as one, whatever the action', () => {
    for (const action of AUDIT_ACTIONS) {
      const a = describeActivity(
        auditEvent({ action, outcome: 'denied', target: { type: null, id: null, path: null }, reason: 'forbidden' }),
      );
      if (action === 'app.claim' || action === 'session.ended') continue; // a report and an end are never refused
      expect(a.what, action).toMatch(/^Tried to /);
      expect(a.what, action).not.toMatch(CODE);
      expect(a.more, action).toBe('refused: forbidden');
    }
  });

  it('names the file an app reported, with its whole path beside it', () => {
    expect(describeActivity(auditEvent({ detail: { kind: 'file-opened' } }))).toEqual({
      what: 'Opened q3.pdf',
      path: 'Reports/q3.pdf',
      more: null,
      claim: true,
    });
    expect(describeActivity(auditEvent({ detail: { kind: 'page-viewed', page: 4 } })).what).toBe(
      'Viewed page 4 of q3.pdf',
    );
    expect(
      describeActivity(
        auditEvent({
          target: { type: 'file', id: null, path: 'Reports' },
          detail: { kind: 'folder-opened', entries: 3 },
        }),
      ).what,
    ).toBe('Opened the folder Reports (3 entries)');
  });

  it('tells invitations, sessions and file changes', () => {
    expect(
      describeActivity(auditEvent({ action: 'auth.register', target: { type: 'user', id: null, path: 'c@x' } })).what,
    ).toBe('Accepted the invitation and created an account');
    expect(describeActivity(auditEvent({ action: 'invitation.accept' })).what).toBe('Accepted an invitation');
    expect(describeActivity(auditEvent({ action: 'session.launch' })).what).toBe('Opened the share');
    expect(
      describeActivity(auditEvent({ action: 'file.rename', detail: { via: 'app', to: 'Reports/q4.pdf' } })).what,
    ).toBe('Renamed q3.pdf to q4.pdf');
    expect(describeActivity(auditEvent({ action: 'file.delete', detail: { via: 'app' } })).what).toBe(
      'Moved q3.pdf to the trash',
    );
    expect(
      describeActivity(
        auditEvent({
          action: 'file.download',
          outcome: 'denied',
          reason: 'forbidden',
          detail: { message: 'not for clients' },
        }),
      ),
    ).toMatchObject({ what: 'Tried to download q3.pdf', path: 'Reports/q3.pdf', more: 'refused: not for clients' });
  });

  it('says why each session ended, and after how long', () => {
    for (const reason of SessionEndReason.options) {
      const a = describeActivity(
        auditEvent({ action: 'session.ended', reason, target: { type: 'session', id: null, path: null } }),
      );
      expect(a.what, reason).toMatch(/^Session ended: /);
      expect(a.what, reason).not.toBe(`Session ended: ${reason}`);
    }
    expect(
      describeActivity(
        auditEvent({
          action: 'session.ended',
          reason: 'idle timeout',
          target: { type: 'session', id: null, path: null },
          detail: { durationMs: 75_000 },
        }),
      ),
    ).toEqual({
      what: 'Session ended: no activity for too long (idle timeout)',
      path: null,
      more: 'after 1 min 15 s',
      claim: false,
    });
    expect(
      describeActivity(
        auditEvent({
          action: 'session.ended',
          reason: 'user ended',
          target: { type: 'session', id: null, path: null },
        }),
      ).what,
    ).toBe('Session ended: the client ended it');
  });
});
