import { sql, type Kysely } from 'kysely';
import type { Tables, WorkerSandbox, WorkersTable } from '../db/schema.ts';

export type WorkerState = WorkersTable['state'];

/** A worker as the API tier sees it in the registry. */
export interface WorkerRecord {
  id: string;
  url: string;
  publicUrl: string;
  capacity: number;
  live: number;
  state: WorkerState;
  heartbeatAt: Date;
  sandbox: WorkerSandbox;
}

const toRecord = (r: {
  id: string;
  url: string;
  public_url: string;
  capacity: number;
  live: number;
  state: WorkerState;
  heartbeat_at: Date;
  sandbox: WorkerSandbox;
}): WorkerRecord => ({
  id: r.id,
  url: r.url,
  publicUrl: r.public_url,
  capacity: r.capacity,
  live: r.live,
  state: r.state,
  heartbeatAt: new Date(r.heartbeat_at),
  sandbox: r.sandbox,
});

/**
 * The workers of a multi-node install, in the shared PostgreSQL: each registers what it can take
 * and beats every few seconds; the API tier places sessions on the least loaded live one. Times
 * are the database's (`now()`), so the machines' clocks need not agree.
 */
export class WorkerRegistry {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.db = db;
  }

  /** A worker starting (again): up, with no sessions yet (a restarted one's old sessions were ended). */
  async register(w: {
    id: string;
    url: string;
    publicUrl: string;
    capacity: number;
    sandbox: WorkerSandbox;
  }): Promise<void> {
    const row = {
      sandbox: JSON.stringify(w.sandbox),
      url: w.url,
      public_url: w.publicUrl,
      capacity: w.capacity,
      live: 0,
      state: 'up' as const,
      started_at: sql<Date>`now()`,
      heartbeat_at: sql<Date>`now()`,
    };
    await this.db
      .insertInto('workers')
      .values({ id: w.id, ...row } as never)
      .onConflict((oc) => oc.column('id').doUpdateSet(row as never))
      .execute();
  }

  /**
   * A worker's beat with its live count; answers the state the registry holds for it, so a
   * worker that was declared lost (a network split) learns it and ends what it still runs.
   */
  async beat(id: string, live: number): Promise<WorkerState | undefined> {
    const row = await this.db
      .updateTable('workers')
      .set({ heartbeat_at: sql<Date>`now()` as never, live })
      .where('id', '=', id)
      .returning('state')
      .executeTakeFirst();
    return row?.state;
  }

  async setState(id: string, state: WorkerState, from?: WorkerState[]): Promise<boolean> {
    let q = this.db.updateTable('workers').set({ state }).where('id', '=', id);
    if (from) q = q.where('state', 'in', from);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Picks the live worker with the most room and counts the session on it at once (its next
   * beat corrects the count). `FOR UPDATE SKIP LOCKED`: API replicas placing at the same moment
   * take different workers instead of queueing on one row; only when every worker with room is
   * being placed on right now does it wait for one (so a busy moment never reads as "no room").
   * Null: no worker has room.
   */
  async place(lostAfterMs: number, excluding: string[] = []): Promise<WorkerRecord | null> {
    return (await this.placeOnce(lostAfterMs, excluding, true)) ?? this.placeOnce(lostAfterMs, excluding, false);
  }

  private placeOnce(lostAfterMs: number, excluding: string[], skipLocked: boolean): Promise<WorkerRecord | null> {
    return this.db.transaction().execute(async (tx) => {
      let q = tx
        .selectFrom('workers')
        .selectAll()
        .where('state', '=', 'up')
        .where('live', '<', sql<number>`capacity`)
        .where('heartbeat_at', '>', sql<Date>`now() - make_interval(secs => ${lostAfterMs / 1000})`);
      if (excluding.length) q = q.where('id', 'not in', excluding);
      const ordered = q
        .orderBy(sql`live::float / capacity`)
        .orderBy('heartbeat_at', 'desc')
        .limit(1)
        .forUpdate();
      const row = await (skipLocked ? ordered.skipLocked() : ordered).executeTakeFirst();
      if (!row) return null;
      await tx
        .updateTable('workers')
        .set({ live: sql<number>`live + 1` as never })
        .where('id', '=', row.id)
        .execute();
      return toRecord({ ...row, live: row.live + 1 });
    });
  }

  /** Workers silent for `lostAfterMs` become lost (once); their ids, for ending their sessions. */
  async markLost(lostAfterMs: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('workers')
      .set({ state: 'lost' })
      .where('state', 'in', ['up', 'draining'])
      .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${lostAfterMs / 1000})` as never)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async get(id: string): Promise<WorkerRecord | undefined> {
    const row = await this.db.selectFrom('workers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(): Promise<WorkerRecord[]> {
    const rows = await this.db.selectFrom('workers').selectAll().orderBy('id').execute();
    return rows.map(toRecord);
  }
}
