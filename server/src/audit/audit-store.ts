import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction } from 'kysely';
import { CLIENT_ACTIVITY, type AuditQuery, type AuditVerifyResult } from '@vitrine/protocol';
import type { AuditEventsTable, Tables } from '../db/schema.ts';
import { AUDIT_CHAIN_LOCK } from '../db/migrations/003-audit-trail.ts';
import { readTrailRecord, type AuditTrail } from './audit-trail.ts';
import { chain, GENESIS, verifyChain, type ChainedEvent, type ChainStart, type FlatEvent } from './chain.ts';
import type { CheckpointFile } from './checkpoints.ts';
import type { ColumnCipher } from '../encryption/column-cipher.ts';
import { openDetail, sealDetail } from './sealed-detail.ts';

type Db = Kysely<Tables> | Transaction<Tables>;
type Row = Selectable<AuditEventsTable>;

/** Which events a reader may see: all of them (admins), or those about one owner. */
export type AuditScope = { kind: 'server' } | { kind: 'owner'; ownerId: string };

export type AuditFilter = Omit<AuditQuery, 'scope' | 'limit' | 'order' | 'before' | 'view'> & {
  /** `client-activity`: only CLIENT_ACTIVITY's events; `all` (default): every event. */
  view?: AuditQuery['view'];
  before?: number | undefined;
  order?: 'asc' | 'desc';
};

const PAGE = 1000;

/** An event as read back: its detail opened (one that does not open cannot match its MAC: sealed-detail.ts). */
function fromRow(r: Row, cipher: ColumnCipher | null): ChainedEvent {
  return {
    seq: Number(r.seq),
    at: new Date(r.at),
    actorId: r.actor_id,
    actorRole: r.actor_role,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    targetPath: r.target_path,
    outcome: r.outcome,
    reason: r.reason,
    ip: r.ip,
    userAgent: r.user_agent,
    correlationId: r.correlation_id,
    ownerId: r.owner_id,
    shareId: r.share_id,
    sessionId: r.session_id,
    detail: openDetail(cipher, r.detail),
    scheme: r.scheme,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The audit trail in PostgreSQL (PGlite or a server): appends under one lock, reads, verify, purge. */
export class AuditStore {
  private readonly db: Kysely<Tables>;
  private readonly trail: AuditTrail;
  private readonly checkpoints: CheckpointFile;
  /** Seals each event's detail at rest (a PostgreSQL deployment's column encryption); null: stored plain. */
  private readonly cipher: ColumnCipher | null;
  /** Told the newest sequence number after each append that committed on its own (the checkpoint exporter). */
  onCommitted: ((lastSeq: number) => void) | undefined;
  /**
   * Files whose SHA-256 the trail holds (a recording's segments), compared once the chain itself
   * verified: set by the composition root (the trail does not know what recordings are).
   */
  evidence:
    | (() => Promise<{ recordings: number; segments: number; problem: { seq: number | null; message: string } | null }>)
    | undefined;

  constructor(db: Kysely<Tables>, trail: AuditTrail, checkpoints: CheckpointFile, cipher: ColumnCipher | null = null) {
    this.db = db;
    this.trail = trail;
    this.checkpoints = checkpoints;
    this.cipher = cipher;
  }

  /**
   * Appends events at the head of the chain, sealed with the trail's key. In the caller's
   * transaction when given one, so an action and its record commit together; the advisory lock
   * orders appends from every process.
   */
  async append(events: FlatEvent[], tx?: Transaction<Tables>) {
    if (!events.length) return;
    let lastSeq = 0;
    const run = async (t: Transaction<Tables>) => {
      await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(t);
      const chained = chain(events, await this.start(t), this.trail.seal);
      lastSeq = chained[chained.length - 1]!.seq;
      await t
        .insertInto('audit_events')
        .values(
          chained.map((e) => ({
            seq: e.seq,
            at: e.at,
            actor_id: e.actorId,
            actor_role: e.actorRole,
            action: e.action,
            target_type: e.targetType,
            target_id: e.targetId,
            target_path: e.targetPath,
            outcome: e.outcome,
            reason: e.reason,
            ip: e.ip,
            user_agent: e.userAgent,
            correlation_id: e.correlationId,
            owner_id: e.ownerId,
            share_id: e.shareId,
            session_id: e.sessionId,
            // Sealed after chaining: the MAC is over the plain detail, so verify opens it first.
            detail: sealDetail(this.cipher, e.detail),
            scheme: e.scheme,
            prev_hash: e.prevHash,
            hash: e.hash,
          })),
        )
        .execute();
    };
    if (tx) {
      // Not reported: the caller's transaction may still roll back (an exported head must exist).
      await run(tx);
    } else {
      await this.db.transaction().execute(run);
      this.onCommitted?.(lastSeq);
    }
  }

  /** The newest event (or the last one a retention purge removed): what a checkpoint exports. */
  async head(db: Db = this.db): Promise<{ seq: number; hash: string } | undefined> {
    const last = await db
      .selectFrom('audit_events')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last) return { seq: Number(last.seq), hash: last.hash };
    const cp = await this.latestCheckpoint(db);
    return cp && { seq: cp.throughSeq, hash: cp.hash };
  }

  /** Where the next event goes: after the newest event, else after the latest purge, else the start. */
  private async start(db: Db): Promise<ChainStart> {
    const head = await this.head(db);
    return head ? { nextSeq: head.seq + 1, prevHash: head.hash } : GENESIS;
  }

  private async latestCheckpoint(db: Db = this.db) {
    const cp = await db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .orderBy('through_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return cp
      ? { throughSeq: Number(cp.through_seq), hash: cp.hash, purged: Number(cp.purged), at: new Date(cp.at) }
      : undefined;
  }

  /**
   * Checks the whole trail: its key record, every event's link and seal, and the checkpoints
   * exported to the checkpoint file. Reports the first thing wrong, in that order.
   */
  async verify(): Promise<AuditVerifyResult> {
    const cp = await this.latestCheckpoint();
    const start = cp ? { nextSeq: cp.throughSeq + 1, prevHash: cp.hash } : GENESIS;
    const { db, cipher } = this;
    async function* all(): AsyncGenerator<ChainedEvent> {
      let after = 0;
      for (;;) {
        const rows = await db
          .selectFrom('audit_events')
          .selectAll()
          .where('seq', '>', after)
          .orderBy('seq', 'asc')
          .limit(PAGE)
          .execute();
        for (const r of rows) yield fromRow(r, cipher);
        if (rows.length < PAGE) return;
        after = Number(rows[rows.length - 1]!.seq);
      }
    }
    const record = await readTrailRecord(db);
    const exported = await this.checkpoints.read();
    // The seal this process opened the trail with: the record in the database may have been changed since.
    const v = await verifyChain(all(), { start, seal: this.trail.seal, anchors: exported.anchors });
    const keyedFrom = this.trail.keyedFrom;
    const recordProblem = !record
      ? `the trail's key record was removed from the database (events from ${keyedFrom} on are sealed with the key)`
      : record.id !== this.trail.id || record.keyedFrom !== keyedFrom || record.keyCheck !== this.trail.keyCheck
        ? `the trail's key record was changed in the database (it was trail ${this.trail.id}, keyed from event ${keyedFrom})`
        : null;
    const chainWhole = !recordProblem && !v.problemKind;
    const evidence = chainWhole && this.evidence ? await this.evidence() : undefined;
    const [problemKind, brokenAt, problem] = recordProblem
      ? (['trail', keyedFrom, recordProblem] as const)
      : v.problemKind
        ? ([v.problemKind, v.brokenAt, v.problem] as const)
        : exported.problem
          ? (['checkpoint-file', null, exported.problem] as const)
          : evidence?.problem
            ? (['recording', evidence.problem.seq, evidence.problem.message] as const)
            : ([null, null, null] as const);
    const newest = exported.anchors.reduce<(typeof exported.anchors)[number] | undefined>(
      (n, a) => (!n || a.seq > n.seq ? a : n),
      undefined,
    );
    return {
      ok: problemKind === null,
      checked: v.checked,
      fromSeq: v.fromSeq,
      lastSeq: v.lastSeq,
      brokenAt,
      problem,
      problemKind,
      keyedFromSeq: keyedFrom,
      exported: {
        count: exported.anchors.length,
        matched: v.anchorsMatched,
        newestSeq: newest?.seq ?? null,
        newestAt: newest?.at ?? null,
      },
      checkpoint: cp ? { throughSeq: cp.throughSeq, at: cp.at.toISOString(), purged: cp.purged } : null,
      ...(evidence ? { recordings: { checked: evidence.recordings, segments: evidence.segments } } : {}),
    };
  }

  /** Removes events older than `cutoff`, keeping a checkpoint so the rest still verifies. */
  async purgeBefore(cutoff: Date): Promise<number> {
    const r = await sql<{ n: string | number }>`select vitrine_audit_purge(${cutoff}) as n`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  async find(scope: AuditScope, filter: AuditFilter, limit: number): Promise<ChainedEvent[]> {
    let q = this.db.selectFrom('audit_events').selectAll();
    if (scope.kind === 'owner') {
      const ownerId = scope.ownerId;
      // Ids are uuid in those tables and text here (a target may be any kind of thing).
      const clients = (eb: ExpressionBuilder<Tables, 'audit_events'>) =>
        eb
          .selectFrom('shares')
          .select(sql<string>`client_id::text`.as('id'))
          .where('owner_id', '=', ownerId)
          .where('client_id', 'is not', null);
      const shares = (eb: ExpressionBuilder<Tables, 'audit_events'>) =>
        eb
          .selectFrom('shares')
          .select(sql<string>`id::text`.as('id'))
          .where('owner_id', '=', ownerId);
      // About the owner's things or shares; or about their clients outside any owner's context (signing in).
      q = q.where((eb) =>
        eb.or([
          eb('owner_id', '=', ownerId),
          eb('share_id', 'in', shares(eb)),
          eb.and([
            eb('owner_id', 'is', null),
            eb('share_id', 'is', null),
            eb.or([
              eb('actor_id', 'in', clients(eb)),
              eb.and([eb('target_type', '=', 'user'), eb('target_id', 'in', clients(eb))]),
            ]),
          ]),
        ]),
      );
    }
    if (filter.view === 'client-activity') {
      // The protocol's one table (isClientActivity says the same in words).
      q = q.where((eb) =>
        eb.or([
          eb.and([eb('actor_role', '=', 'client'), eb('action', 'in', CLIENT_ACTIVITY.actions)]),
          eb.and([eb('outcome', '=', 'denied'), eb('actor_role', 'in', CLIENT_ACTIVITY.refusalsBy)]),
        ]),
      );
    }
    if (filter.person) {
      const id = filter.person;
      q = q.where((eb) =>
        eb.or([eb('actor_id', '=', id), eb.and([eb('target_type', '=', 'user'), eb('target_id', '=', id)])]),
      );
    }
    if (filter.share) q = q.where('share_id', '=', filter.share);
    if (filter.session) q = q.where('session_id', '=', filter.session);
    if (filter.outcome) q = q.where('outcome', '=', filter.outcome);
    if (filter.action) {
      q = filter.action.endsWith('.')
        ? q.where('action', 'like', `${filter.action.replace(/[%_\\]/g, '\\$&')}%`)
        : q.where('action', '=', filter.action);
    }
    if (filter.from) q = q.where('at', '>=', new Date(filter.from));
    if (filter.to) q = q.where('at', '<', new Date(filter.to));
    if (filter.before) q = q.where('seq', '<', filter.before);
    const rows = await q
      .orderBy('seq', filter.order ?? 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => fromRow(r, this.cipher));
  }

  /**
   * A share's events of the given actions, the newest `limit` of them, oldest first (a reading
   * report replays them in order).
   */
  async shareTrail(shareId: string, actions: readonly string[], limit: number): Promise<ChainedEvent[]> {
    const rows = await this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('share_id', '=', shareId)
      .where('action', 'in', [...actions])
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map((r) => fromRow(r, this.cipher));
  }

  /** The people a reader may filter by: an owner's clients, or everyone (admins). */
  async peopleIn(scope: AuditScope): Promise<Array<{ id: string; displayName: string; email: string }>> {
    let q = this.db.selectFrom('users').select(['id', 'display_name', 'email']);
    if (scope.kind === 'owner') {
      const ownerId = scope.ownerId;
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('shares').select('client_id').where('owner_id', '=', ownerId).where('client_id', 'is not', null),
      );
    }
    const rows = await q.orderBy('display_name').execute();
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, email: r.email }));
  }

  /** Names of the people among `ids`, for showing who did what. */
  async people(ids: string[]): Promise<Map<string, { displayName: string; email: string }>> {
    if (!ids.length) return new Map();
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'display_name', 'email'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, { displayName: r.display_name, email: r.email }]));
  }
}
