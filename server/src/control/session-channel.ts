import path from 'node:path';
import type { AuditEntry } from '../audit/chain.ts';
import type { Grant } from '../sandbox/sandbox.ts';
import { auditedSessionControl } from './audited-control.ts';
import { listenControlChannel } from './control-channel.ts';
import type { AppEvent } from './messages.ts';

/** What the rest of the server offers apps' control channels (the owner's storage). */
export interface ControlServices {
  /** Moves a host path inside an owner's storage to their trash. */
  trash(ownerId: string, hostPath: string): Promise<unknown>;
  /** Renames or moves inside an owner's storage. */
  move(ownerId: string, fromHostPath: string, toHostPath: string): Promise<unknown>;
  /** The owner's name for a host path ("Reports/q3.pdf"), for the audit trail; null if outside. */
  storagePath(ownerId: string, hostPath: string): string | null;
}

/** Where control channels report: `record` is stored before it resolves, `note` shortly after. */
export interface ControlAudit {
  record(entry: AuditEntry): Promise<void>;
  note(entry: AuditEntry): void;
}

/** What an app said the person did, as received (a claim, not a fact). */
export interface AppClaim extends AppEvent {
  at: string;
}

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
