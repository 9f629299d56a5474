import path from 'node:path';
import type { AuditEntry } from '../audit/chain.ts';
import type { Grant } from '../sandbox/sandbox.ts';
import { auditedSessionControl } from './audited-control.ts';
import { listenControlChannel } from './control-channel.ts';
import type { AppClaim, ControlAudit, ControlServices } from './ports.ts';

export interface SessionChannelSpec {
  sessionDir: string;
  grants: Grant[];
  storageOwnerId: string | null;
  /** The audit fields every event of the session shares (actor, session, share, owner, origin). */
  about: Omit<AuditEntry, 'action' | 'outcome'>;
  onClaim: (claim: AppClaim) => void;
}

/** Opens one session's control socket (in its session folder, bound into the sandbox). */
export function openSessionChannel(
  spec: SessionChannelSpec,
  deps: { services: ControlServices; audit: ControlAudit; log: { warn(obj: object, msg: string): void } },
): Promise<{ close(): void }> {
  return listenControlChannel(
    path.join(spec.sessionDir, 'control', 'control.sock'),
    auditedSessionControl({
      grants: spec.grants,
      storageOwnerId: spec.storageOwnerId,
      services: deps.services,
      audit: deps.audit,
      about: spec.about,
      onClaim: (event) => spec.onClaim({ ...event, at: new Date().toISOString() }),
    }),
    deps.log,
  );
}
