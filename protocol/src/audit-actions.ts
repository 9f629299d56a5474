import { z } from 'zod';
import { isRename } from '@vitrine/app-sdk/protocol';

/**
 * Every action the audit trail records (docs/audit.md), the one list the server writes and the web
 * client labels. Never remove or rename a name: recorded events keep theirs forever, and the API
 * answers with this enum. API routes declare theirs in their route options (`config.audit`).
 */
export const AUDIT_ACTIONS = [
  // The API itself and the server
  'api.describe',
  'api.unknown',
  'server.start',
  'server.stop',
  'server.status',
  // Multi-node: a worker joined, was drained by the operator, or stopped answering (docs/workers.md).
  'worker.start',
  'worker.drain',
  'worker.lost',
  'app.list',
  /** An admin (or a worker missing a pinned version) rescanned APPS_ROOT: `detail`: which apps came, changed, went, were refused. */
  'app.reload',
  /** What an app reported on its control channel (a claim, never enforced). */
  'app.claim',
  // Accounts and sign-ins
  'auth.whoami',
  'auth.register-start',
  'auth.register',
  'auth.sign-in-start',
  'auth.sign-in',
  'auth.sign-in-expired',
  'auth.sign-out',
  'sign-in.list',
  'sign-in.revoke',
  'passkey.list',
  'passkey.add-start',
  'passkey.add',
  'passkey.rename',
  'passkey.remove',
  'invitation.inspect',
  'invitation.create',
  'invitation.accept',
  'invitation.expired',
  // Owner storage (also done by apps through the control channel, `detail.via = "app"`)
  'file.list',
  'file.usage',
  'file.download',
  'file.upload',
  'file.create-folder',
  'file.rename',
  'file.move',
  'file.delete',
  'file.restore',
  'file.purge',
  'trash.list',
  // Shares
  'share.list',
  'share.create',
  'share.get',
  'share.edit',
  'share.revoke',
  'share.expired',
  'share.received',
  /** A new share for the same client, paths and settings as an earlier one ("Share again"). */
  'share.share-again',
  /** An over share (revoked or expired) hidden from the owner's list, or shown again. */
  'share.archive',
  'share.unarchive',
  /** A client's invitation link sent by e-mail (the link itself is never recorded). */
  'share.invitation-sent',
  /** The owner read what clients reported viewing in a share (its reading report, or its CSV). */
  'share.reading',
  /** The client accepted the share's terms (`detail`: the version, the name they typed). */
  'share.terms-accept',
  /** The owner read who accepted the share's terms (the list, or its CSV). */
  'share.terms-acceptances',
  // Streamed sessions
  'session.list',
  'session.launch',
  /** An owner opened an app as a client would see it: a share's files and watermark, or their own files watermarked. */
  'session.preview',
  'session.get',
  'session.stats',
  'session.connect',
  /** A viewer took the session from another tab or device of the same person ("Use here"). */
  'session.take-over',
  'session.peer-connected',
  'session.peer-disconnected',
  /**
   * Whether the person is with the session: "away" when the viewer's tab is hidden or nobody has
   * touched it for a while, "present" again on their return (reading time counts only when present).
   */
  'session.attention',
  'session.end',
  'session.ended',
  /** The share's owner joined a client's live session to watch (view-only until they take control). */
  'session.watch',
  /** A watcher took the controls of a live session; `session.hand-back` gave them back to the client. */
  'session.take-control',
  'session.hand-back',
  // Recordings of a share's sessions (the exact stream the client was sent, in hashed segments)
  'recording.start',
  /** One finished segment: its file's and its events' SHA-256 (what `audit verify` checks on disk). */
  'recording.segment',
  'recording.end',
  /** A recording cut short by a crash: found at the next start; the segment being written is lost. */
  'recording.interrupted',
  /** Writing failed (disk, budget): the session ended rather than go on unrecorded. */
  'recording.failed',
  'recording.list',
  'recording.get',
  'recording.play',
  /** Recordings removed: past `RECORDING_RETENTION_DAYS`, or by their owner; a checkpoint of what went. */
  'recording.purge',
  // The connection self-test (a short-lived media peer, no session)
  'connectivity.test',
  // The audit trail
  'audit.query',
  'audit.people',
  'audit.export',
  'audit.verify',
  'audit.unavailable',
  'audit.events-lost',
  // Keys and backups (docs/security.md): the operator's commands, as the system's doing
  /** An owner's account removed, with their key destroyed: their files and recordings are unreadable from then on. */
  'account.delete',
  /** The master key replaced; every owner's key re-wrapped (no data re-encrypted). */
  'key.master-rotate',
  /** An owner's key replaced: `key.owner-rotate-start`, then their files re-encrypted, then this. */
  'key.owner-rotate-start',
  'key.owner-rotate',
  'backup.create',
  /** Written on the restored server: what backup it came from. */
  'backup.restore',
] as const;

/** An audit action name, e.g. `share.create`. */
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

/** An action's family, its name up to and including the dot: `file.rename` → `file.`. */
export type AuditActionFamily = AuditAction extends infer A
  ? A extends `${infer F}.${string}`
    ? `${F}.`
    : never
  : never;

/** Every action family (`api.`, `app.`, `audit.`, …), in the order of AUDIT_ACTIONS. */
export const AUDIT_ACTION_FAMILIES = [
  ...new Set(AUDIT_ACTIONS.map((a) => a.slice(0, a.indexOf('.') + 1) as AuditActionFamily)),
] as readonly AuditActionFamily[];

/** An action family as a filter value: every action starting with it. */
export const AuditActionFamily = z.enum(AUDIT_ACTION_FAMILIES as [AuditActionFamily, ...AuditActionFamily[]]);

/** The family of an action: `file.rename` → `file.`. */
export function auditActionFamily(action: AuditAction): AuditActionFamily {
  return action.slice(0, action.indexOf('.') + 1) as AuditActionFamily;
}

/** How a move is recorded: by the one rename-vs-move rule (`isRename`, in the app SDK's protocol.ts). */
export function fileMoveAction(from: string, to: string): 'file.rename' | 'file.move' {
  return isRename(from, to) ? 'file.rename' : 'file.move';
}
