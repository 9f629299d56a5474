import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction } from 'kysely';
import { CLIENT_ACTIVITY, type AuditQuery, type AuditVerifyResult } from '@vitrine/protocol';
import type { AuditEventsTable, Tables } from '../db/schema.ts';
import { AUDIT_CHAIN_LOCK } from '../db/migrations/003-audit-trail.ts';
import { chain, GENESIS, verifyChain, type ChainedEvent, type ChainStart } from './chain.ts';

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

function fromRow(r: Row): ChainedEvent {
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
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The audit trail in PostgreSQL (PGlite or a server): appends under one lock, reads, verify, purge. */
export class AuditStore {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.db = db;
  }

  /**
   * Appends events at the head of the chain. In the caller's transaction when given one, so an
   * action and its record commit together; the advisory lock orders appends from every process.
   */
  async append(events: Array<Omit<ChainedEvent, 'seq' | 'prevHash' | 'hash'>>, tx?: Transaction<Tables>) {
    if (!events.length) return;
    const run = async (t: Transaction<Tables>) => {
      await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(t);
      const chained = chain(events, await this.head(t));
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
            detail: e.detail,
            prev_hash: e.prevHash,
            hash: e.hash,
          })),
        )
        .execute();
    };
    if (tx) await run(tx);
    else await this.db.transaction().execute(run);
  }

  /** Where the next event goes: after the newest event, else after the latest purge, else the start. */
  private async head(db: Db): Promise<ChainStart> {
    const last = await db
      .selectFrom('audit_events')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last) return { nextSeq: Number(last.seq) + 1, prevHash: last.hash };
    const cp = await this.latestCheckpoint(db);
    return cp ? { nextSeq: cp.throughSeq + 1, prevHash: cp.hash } : GENESIS;
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

  async verify(): Promise<AuditVerifyResult> {
    const cp = await this.latestCheckpoint();
    const start = cp ? { nextSeq: cp.throughSeq + 1, prevHash: cp.hash } : GENESIS;
    const db = this.db;
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
        for (const r of rows) yield fromRow(r);
        if (rows.length < PAGE) return;
        after = Number(rows[rows.length - 1]!.seq);
      }
    }
    const result = await verifyChain(all(), start);
    return {
      ...result,
      checkpoint: cp ? { throughSeq: cp.throughSeq, at: cp.at.toISOString(), purged: cp.purged } : null,
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
    return rows.map(fromRow);
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
    return rows.reverse().map(fromRow);
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
