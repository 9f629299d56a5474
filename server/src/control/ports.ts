import type { AuditEntry } from '../audit/chain.ts';
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
