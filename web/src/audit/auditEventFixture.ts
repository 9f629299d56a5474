import type { AuditEvent } from '@vitrine/protocol';

/** For the audit texts' unit tests: a client's app claim on a file, with `over` laid on top. */
export function auditEvent(over: Partial<AuditEvent> = {}): AuditEvent {
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
