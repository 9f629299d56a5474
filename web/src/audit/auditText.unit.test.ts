import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, SessionEndReason } from '@vitrine/protocol';
import {
  actionAttempt,
  actionLabel,
  actorName,
  claimPath,
  describeClaim,
  describeTarget,
  eventDetails,
  eventLabel,
  formatOffset,
  sessionEndText,
} from './auditText.ts';
import { formatDuration } from '../shared/format.ts';
import { auditEvent } from './auditEventFixture.ts';

describe('audit text', () => {
  it('labels actions, unknown ones as they are', () => {
    expect(actionLabel('share.create')).toBe('Created a share');
    expect(actionLabel('audit.unavailable')).toBe('Audit trail unavailable');
    expect(actionLabel('thing.frob')).toBe('thing.frob');
  });

  it('has words for every action the server records: a label, and what trying it means', () => {
    for (const action of AUDIT_ACTIONS) {
      expect(actionLabel(action)).not.toBe(action);
      expect(actionAttempt(action)).not.toBe(action);
      // Words, not codes: no "family.verb" left in either.
      expect(actionLabel(action), action).not.toMatch(/\b[a-z-]+\.[a-z-]+\b/);
      expect(actionAttempt(action), action).not.toMatch(/\b[a-z-]+\.[a-z-]+\b/);
    }
    expect(actionAttempt('file.download')).toBe('download a file');
  });

  it('says why a session ended, for every end reason', () => {
    for (const reason of SessionEndReason.options) {
      const words = sessionEndText(reason);
      expect(words, reason).toBeTruthy();
      expect(words, reason).not.toBe(reason);
    }
    expect(sessionEndText('user ended')).toBe('the client ended it');
    expect(sessionEndText('user ended', 'owner')).toBe('you ended it');
    expect(sessionEndText('peer gone')).toBe('the client closed the viewer and did not come back');
    expect(sessionEndText('idle timeout')).toBe('no activity for too long (idle timeout)');
    expect(sessionEndText('time limit')).toBe('the time limit was reached');
    expect(sessionEndText('share revoked')).toBe('the share was revoked');
    expect(sessionEndText('share expired')).toBe('the share expired');
    expect(sessionEndText('server shutdown')).toBe('the server was shut down');
    expect(sessionEndText('server crash')).toBe('the server stopped unexpectedly (crash)');
    // A newer server's reason shows as it came; none is none.
    expect(sessionEndText('moon phase')).toBe('moon phase');
    expect(sessionEndText(null)).toBeNull();
    expect(eventLabel(auditEvent({ action: 'session.ended', reason: 'time limit' }))).toBe(
      'Session ended: the time limit was reached',
    );
    expect(eventLabel(auditEvent({ action: 'session.ended', reason: null }))).toBe('Session ended');
  });

  it('tells what an app reported', () => {
    expect(describeClaim(auditEvent({ detail: { kind: 'file-opened', page: 1 } }))).toBe('opened Reports/q3.pdf');
    expect(describeClaim(auditEvent({ detail: { kind: 'page-viewed', page: 4 } }))).toBe(
      'viewed page 4 of Reports/q3.pdf',
    );
    expect(
      describeClaim(
        auditEvent({ target: { type: 'file', id: null, path: '' }, detail: { kind: 'folder-opened', entries: 1 } }),
      ),
    ).toBe('opened the folder All files (1 entry)');
    expect(describeClaim(auditEvent({ detail: { kind: 'moved', to: 'Old/q3.pdf' } }))).toBe(
      'moved Reports/q3.pdf to Old/q3.pdf',
    );
    expect(describeClaim(auditEvent({ detail: { kind: 'video-stopped', position: 72.5 } }))).toBe(
      'stopped playing Reports/q3.pdf at 1:12',
    );
    expect(eventLabel(auditEvent({ detail: { kind: 'file-opened' } }))).toBe('Opened Reports/q3.pdf');
    expect(describeClaim(auditEvent({ detail: { kind: 'file-opened' } }), 'name')).toBe('opened q3.pdf');
    expect(describeClaim(auditEvent({ detail: { kind: 'renamed', to: 'Reports/q4.pdf' } }), 'name')).toBe(
      'renamed q3.pdf to q4.pdf',
    );
    // The top of the shared files has no storage path: the app's sandbox path is kept, and said in words.
    const top = auditEvent({
      target: { type: 'file', id: null, path: '/files' },
      detail: { kind: 'folder-opened', entries: 2 },
    });
    expect(claimPath(top)).toBeNull();
    expect(eventLabel(top)).toBe('Opened the shared files (2 entries)');
    expect(claimPath(auditEvent({ target: { type: 'file', id: null, path: '/files/Reports/a.pdf' } }))).toBe(
      'Reports/a.pdf',
    );
  });

  it('names who did it and what it was about', () => {
    expect(actorName(auditEvent().actor)).toEqual({ name: 'Cleo', email: 'cleo@example.com' });
    expect(actorName({ id: null, role: 'system', name: null, email: null }).name).toBe('System');
    expect(actorName({ id: null, role: 'anonymous', name: null, email: null }).name).toBe('Anonymous');
    expect(describeTarget({ type: 'share', id: '0b7c1d2e-aaaa-4bbb-8ccc-dddddddddddd', path: null })).toBe(
      'share 0b7c1d2e',
    );
    expect(describeTarget({ type: null, id: null, path: null })).toBe('');
  });

  it('sums up a session', () => {
    expect(
      eventDetails(
        auditEvent({
          action: 'session.ended',
          reason: 'share revoked',
          detail: { durationMs: 75_000, framesSent: 1800, bytesSent: 1536 },
        }),
      ),
    ).toBe('after 1 min 15 s · 1800 frames · 1.5 KiB');
    // The reason is in the label, in words; what the server added about it, in the details.
    expect(
      eventDetails(
        auditEvent({ action: 'session.ended', reason: 'error', detail: { detail: 'video pipeline: boom' } }),
      ),
    ).toBe('video pipeline: boom');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatOffset('2025-03-12T14:06:21Z', '2025-03-12T14:05:09Z')).toBe('+1:12');
  });
});
