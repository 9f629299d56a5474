import type { AuditEntry } from '../audit/chain.ts';
import type { LaunchPlan } from '../launch/plan.ts';
import type { SessionEnd, SessionObserver } from './ports.ts';

/** The audit fields every event of a session shares: who runs it, on whose files, from where. */
export function sessionAuditScope(plan: LaunchPlan): Omit<AuditEntry, 'action' | 'outcome'> {
  const { launch } = plan;
  return {
    actor: { id: launch.userId, role: launch.userRole },
    target: { type: 'session', id: plan.sessionId },
    ownerId: launch.storageOwnerId,
    shareId: launch.shareId,
    sessionId: plan.sessionId,
    ...(plan.origin ?? {}),
  };
}

/** Puts a session's viewers on the audit trail (its launch is the launching request's event; its end: sessionEndAudit). */
export function sessionAuditObserver(audit: { note(entry: AuditEntry): void }): SessionObserver {
  return {
    viewerConnected(plan, codec) {
      audit.note({ ...sessionAuditScope(plan), action: 'session.peer-connected', outcome: 'ok', detail: { codec } });
    },
    viewerGone(plan, connectedMs) {
      audit.note({
        ...sessionAuditScope(plan),
        action: 'session.peer-disconnected',
        outcome: 'ok',
        detail: { connectedMs },
      });
    },
    controlChanged(plan, { action, by }) {
      audit.note({
        ...sessionAuditScope(plan),
        actor: { id: by.userId, role: by.role === 'client' ? 'client' : 'owner' },
        action: action === 'take' ? 'session.take-control' : 'session.hand-back',
        outcome: 'ok',
        detail: { by: by.role },
      });
    },
    attentionChanged(plan, change) {
      audit.note({ ...sessionAuditScope(plan), action: 'session.attention', outcome: 'ok', detail: { ...change } });
    },
  };
}

/**
 * Puts a session's end on the trail. Called once its record says ended for the first time, so an
 * end recorded elsewhere first (a worker declared lost, whose sessions the API tier ended) is not
 * recorded again when the worker, back from a network split, ends them itself.
 */
export function sessionEndAudit(
  audit: { record(entry: AuditEntry): Promise<void> },
  log: { error(obj: object, msg: string): void },
): (plan: LaunchPlan, end: SessionEnd) => Promise<void> {
  return (plan, end) =>
    audit
      .record({
        ...sessionAuditScope(plan),
        action: 'session.ended',
        outcome: end.reason === 'error' || end.reason === 'encoder failed' ? 'failed' : 'ok',
        reason: end.reason,
        detail: {
          app: plan.app.id,
          durationMs: end.durationMs,
          framesSent: end.sent.frames,
          bytesSent: end.sent.bytes,
          ...(end.detail ? { detail: end.detail } : {}),
        },
      })
      .catch((err: Error) =>
        log.error({ err: err.message, sessionId: plan.sessionId }, 'could not record the end of the session'),
      );
}
