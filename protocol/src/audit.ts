import { z } from 'zod';
import { AuditAction, AuditActionFamily } from './audit-actions.ts';

/** The audit trail as the API shows it (docs/audit.md). */

export const AuditOutcome = z.enum(['ok', 'denied', 'failed']);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

/** Who did it: a person (with their role when they acted), the server itself, or nobody signed in. */
export const AuditActorRole = z.enum(['owner', 'client', 'system', 'anonymous']);
export type AuditActorRole = z.infer<typeof AuditActorRole>;

export const AuditEvent = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.object({
    id: z.string().nullable(),
    role: AuditActorRole,
    /** Display name and e-mail of a person, for reading; the id is what the record holds. */
    name: z.string().nullable(),
    email: z.string().nullable(),
  }),
  action: AuditAction,
  target: z.object({ type: z.string().nullable(), id: z.string().nullable(), path: z.string().nullable() }),
  outcome: AuditOutcome,
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  correlationId: z.string().nullable(),
  shareId: z.string().nullable(),
  sessionId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

const isoTime = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time' });

/**
 * Which part of the trail a list shows: `all` of it, or `client-activity`, what clients did with
 * the owner's shares (the Audit page's default view; `CLIENT_ACTIVITY` says which events).
 */
export const AuditView = z.enum(['all', 'client-activity']);
export type AuditView = z.infer<typeof AuditView>;

/**
 * The one table of "client activity": the events the Audit page shows by default, and the server
 * filters by (`view=client-activity`, so pages stay full). Everything else (an owner's own page
 * loads, listings, sign-in checks) is in the full trail only.
 */
export const CLIENT_ACTIVITY = {
  /** These actions, when a client did them. */
  actions: [
    // Accepting an invitation: the first one creates the account, later ones add a share.
    'auth.register',
    'invitation.accept',
    // Sessions opened, moved to another tab or device, and ended (why: the reason, a SessionEndReason).
    'session.launch',
    'session.take-over',
    'session.ended',
    // What the app reported the client opened, viewed, played or changed.
    'app.claim',
    // Files changed (through an app's control channel) or taken.
    'file.download',
    'file.upload',
    'file.create-folder',
    'file.rename',
    'file.move',
    'file.delete',
    'file.restore',
    'file.purge',
  ] as const satisfies readonly AuditAction[],
  /** Refused attempts, of any action, by these. */
  refusalsBy: ['client', 'anonymous'] as const satisfies readonly AuditActorRole[],
};

/** Whether an event is client activity (what `view=client-activity` keeps; the server filters in SQL alike). */
export function isClientActivity(e: {
  action: string;
  outcome: AuditOutcome;
  actor: { role: AuditActorRole };
}): boolean {
  if (e.outcome === 'denied' && (CLIENT_ACTIVITY.refusalsBy as readonly string[]).includes(e.actor.role)) return true;
  return e.actor.role === 'client' && (CLIENT_ACTIVITY.actions as readonly string[]).includes(e.action);
}

/** Filters of the Audit page and of its exports. */
export const AuditQuery = z
  .object({
    /** `server`: every event (admins only); `mine` (default): events about the owner's files, shares and clients. */
    scope: z.enum(['mine', 'server']).default('mine'),
    /** `client-activity`: only what clients did (CLIENT_ACTIVITY); `all` (default): the full trail. */
    view: AuditView.default('all'),
    /** Events by this person, or about them (their sign-ins expiring). */
    person: z.uuid({ message: 'not a user id' }).optional(),
    share: z.uuid({ message: 'not a share id' }).optional(),
    session: z.uuid({ message: 'not a session id' }).optional(),
    /** An action name, or a family ending in "." (e.g. "file."): every action of it. */
    action: z
      .union([AuditAction, AuditActionFamily], {
        error: 'expected an action name such as "share.create" or a family such as "share."',
      })
      .optional(),
    outcome: AuditOutcome.optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    /** Paging: events older than this sequence number. */
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    /** `asc` gives a session timeline in the order things happened. */
    order: z.enum(['desc', 'asc']).default('desc'),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z.object({
  events: z.array(AuditEvent),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: z.number().int().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;

export const AuditExportQuery = AuditQuery.omit({ before: true, limit: true, order: true })
  .extend({ format: z.enum(['csv', 'jsonl']) })
  .strict();
export type AuditExportQuery = z.infer<typeof AuditExportQuery>;

/**
 * Why `audit verify` failed (docs/audit.md): an event missing (`gap`), out of `order`, not linked
 * to its predecessor (`link`), its seal not matching (`rewritten`), a plain hash where the key was
 * due (`unkeyed`), an exported checkpoint the chain no longer holds (`anchor-mismatch`) or beyond
 * its end (`truncated`), the trail's key record (`trail`), the checkpoint file itself (`checkpoint-file`).
 */
export const AuditProblemKind = z.enum([
  'gap',
  'order',
  'link',
  'rewritten',
  'unkeyed',
  'anchor-mismatch',
  'truncated',
  'trail',
  'checkpoint-file',
  /** A recording's segment the trail vouches for is missing or changed, or one was added. */
  'recording',
]);
export type AuditProblemKind = z.infer<typeof AuditProblemKind>;

/** What `audit verify` found: the chain is whole, or where it first breaks. */
export const AuditVerifyResult = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  /** Sequence number the check started from (after the latest retention checkpoint). */
  fromSeq: z.number().int(),
  lastSeq: z.number().int().nullable(),
  /** The first broken or missing event, when not ok. */
  brokenAt: z.number().int().nullable(),
  problem: z.string().nullable(),
  problemKind: AuditProblemKind.nullable(),
  /** Events from this one on carry a keyed MAC; those before it a plain SHA-256 hash. Null: not keyed yet. */
  keyedFromSeq: z.number().int().nullable(),
  /** This trail's checkpoints exported outside the database: how many, how many the chain still holds, the newest. */
  exported: z.object({
    count: z.number().int(),
    matched: z.number().int(),
    newestSeq: z.number().int().nullable(),
    newestAt: z.string().nullable(),
  }),
  checkpoint: z.object({ throughSeq: z.number().int(), at: z.string(), purged: z.number().int() }).nullable(),
  /** Recordings whose segments were compared with the hashes on the trail (once the chain verified). */
  recordings: z.object({ checked: z.number().int(), segments: z.number().int() }).optional(),
});
export type AuditVerifyResult = z.infer<typeof AuditVerifyResult>;

/** People who appear in an owner's audit trail, for the client filter. */
export const AuditPerson = z.object({ id: z.uuid(), displayName: z.string(), email: z.string() });
export type AuditPerson = z.infer<typeof AuditPerson>;
