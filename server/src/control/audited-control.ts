import { fileMoveAction } from '@vitrine/protocol';
import type { AuditEntry } from '../audit/chain.ts';
import { locateGrant } from '../launch/grants.ts';
import type { Grant } from '../sandbox/sandbox.ts';
import type { ClaimJournal } from './claim-journal.ts';
import type { ControlHandlers } from './control-channel.ts';
import type { AppClaim, ControlAudit, ControlServices } from './ports.ts';
import { sessionControl } from './session-control.ts';

export interface AuditedControlDeps {
  grants: Grant[];
  storageOwnerId: string | null;
  services: ControlServices;
  audit: ControlAudit;
  /** The audit fields every event of the session shares (actor, session, share, owner, origin). */
  about: Omit<AuditEntry, 'action' | 'outcome'>;
  /** Also told of each claim (the session keeps the latest for tests and status). */
  onClaim: (claim: AppClaim) => void;
  /** Where claims wait until they are stored, so that a crash does not lose them. */
  journal?: ClaimJournal | undefined;
}

/**
 * A session's control channel with its audit trail: the app's claims are recorded as `app.claim`;
 * what it asks the server to do (trash, move) is a real action, recorded before the app hears
 * back, and refused if it cannot be recorded. Paths are named as the owner knows them.
 */
export function auditedSessionControl(deps: AuditedControlDeps): ControlHandlers {
  const { grants, storageOwnerId, services, audit, about } = deps;
  // The owner reads "Reports/q3.pdf", not the sandbox's "/files/Reports/q3.pdf".
  const named = (sandboxPath: string | undefined) => {
    if (sandboxPath === undefined) return null;
    const located = locateGrant(grants, sandboxPath);
    if (!located || !storageOwnerId) return null;
    return services.storagePath(storageOwnerId, located.hostPath);
  };
  const control = sessionControl({
    grants,
    storageOwnerId,
    trash: (ownerId, hostPath) => services.trash(ownerId, hostPath),
    move: (ownerId, from, to) => services.move(ownerId, from, to),
    record: (event) => {
      const at = new Date().toISOString();
      const { v: _v, type: _type, ...said } = event;
      const entry: AuditEntry = {
        ...about,
        action: 'app.claim',
        target: { type: 'file', path: named(event.path) ?? event.path },
        outcome: 'ok',
        detail: { ...said, ...(event.to ? { to: named(event.to) ?? event.to } : {}) },
      };
      // Journaled before anything acts on it; marked once stored. If the trail cannot take it
      // now, the audit log's own buffer (retried, losses counted) has it from there.
      const n = deps.journal?.write(entry, at);
      deps.onClaim({ ...event, at });
      audit.record(entry).then(
        () => deps.journal?.stored(n),
        () => {
          audit.note(entry);
          deps.journal?.stored(n);
        },
      );
    },
  });
  return {
    event: control.event,
    request: async (r) => {
      const result = await control.request(r);
      const from = named(r.path);
      const to = r.to === undefined ? null : named(r.to);
      try {
        await audit.record({
          ...about,
          action:
            r.action === 'trash'
              ? 'file.delete'
              : from !== null && to !== null
                ? fileMoveAction(from, to)
                : 'file.move',
          target: { type: 'file', path: from ?? r.path },
          outcome: result.ok ? 'ok' : result.error === 'denied' ? 'denied' : 'failed',
          reason: result.ok ? null : result.error,
          detail: {
            via: 'app',
            ...(r.to ? { to: to ?? r.to } : {}),
            ...(result.ok ? {} : { message: result.message }),
          },
        });
      } catch {
        return { ok: false, error: 'audit-unavailable', message: 'the audit trail cannot be written' };
      }
      return result;
    },
  };
}
