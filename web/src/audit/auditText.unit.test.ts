import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, type AuditEvent } from '@vitrine/protocol';
import {
  actionLabel,
  actorName,
  describeClaim,
  describeTarget,
  eventDetails,
  eventLabel,
  formatDuration,
  formatOffset,
} from './auditText.ts';

function event(over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    seq: 1,
    at: '2025-03-12T14:05:09.000Z',
    actor: { id: 'b1c2d3e4-0000-4000-8000-000000000000', role: 'client', name: 'Cleo', email: 'cleo@example.com' },
    action: 'app.claim',
    target: { type: 'file', id: null, path: 'Reports/q3.pdf' },
    outcome: 'ok',
    reason: null,
    ip: '127.0.0.1',
    userAgent: null,
    correlationId: null,
    shareId: null,
    sessionId: null,
    detail: {},
    ...over,
  };
}

describe('audit text', () => {
  it('labels actions, unknown ones as they are', () => {
    expect(actionLabel('share.create')).toBe('Created a share');
    expect(actionLabel('audit.unavailable')).toBe('Audit trail unavailable');
    expect(actionLabel('thing.frob')).toBe('thing.frob');
  });

  it('has a label for every action the server records', () => {
    for (const action of AUDIT_ACTIONS) expect(actionLabel(action)).not.toBe(action);
  });

  it('tells what an app reported', () => {
    expect(describeClaim(event({ detail: { kind: 'file-opened', page: 1 } }))).toBe('opened Reports/q3.pdf');
    expect(describeClaim(event({ detail: { kind: 'page-viewed', page: 4 } }))).toBe('viewed page 4 of Reports/q3.pdf');
    expect(
      describeClaim(
        event({ target: { type: 'file', id: null, path: '' }, detail: { kind: 'folder-opened', entries: 1 } }),
      ),
    ).toBe('opened the folder All files (1 entry)');
    expect(describeClaim(event({ detail: { kind: 'moved', to: 'Old/q3.pdf' } }))).toBe(
      'moved Reports/q3.pdf to Old/q3.pdf',
    );
    expect(describeClaim(event({ detail: { kind: 'video-stopped', position: 72.5 } }))).toBe(
      'stopped playing Reports/q3.pdf at 1:12',
    );
    expect(eventLabel(event({ detail: { kind: 'file-opened' } }))).toBe('App: opened Reports/q3.pdf');
  });

  it('names who did it and what it was about', () => {
    expect(actorName(event().actor)).toEqual({ name: 'Cleo', email: 'cleo@example.com' });
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
        event({
          action: 'session.ended',
          reason: 'closed',
          detail: { durationMs: 75_000, framesSent: 1800, bytesSent: 1536 },
        }),
      ),
    ).toBe('after 1 min 15 s · 1800 frames · 1.5 KB · closed');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatOffset('2025-03-12T14:06:21Z', '2025-03-12T14:05:09Z')).toBe('+1:12');
  });
});
