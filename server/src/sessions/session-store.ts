import type { Kysely } from 'kysely';
import type { SessionInfo } from '@vitrine/protocol';
import type { Tables } from '../db/schema.ts';

/** A live session recorded as ended without its runtime's word (a crash, a lost worker). */
export interface EndedSession {
  id: string;
  appId: string;
  userId: string | null;
  userRole: 'owner' | 'client' | null;
  shareId: string | null;
  ownerId: string | null;
  createdAt: Date;
  endedAt: Date;
}

/** Durable record of streamed sessions: what ran, with which policy, and how it ended. */
export class SessionStore {
  private readonly db: Kysely<Tables>;
  /** This process's sessions (a worker's name); null in a single-process install. */
  private readonly workerId: string | null;

  constructor(db: Kysely<Tables>, workerId: string | null = null) {
    this.db = db;
    this.workerId = workerId;
  }

  async created(s: {
    id: string;
    appId: string;
    createdAt: Date;
    policy: unknown;
    userId?: string | null;
    shareId?: string | null;
    launch?: unknown;
  }): Promise<void> {
    await this.db
      .insertInto('streamed_sessions')
      .values({
        id: s.id,
        app_id: s.appId,
        state: 'starting',
        created_at: s.createdAt,
        policy: JSON.stringify(s.policy),
        user_id: s.userId ?? null,
        share_id: s.shareId ?? null,
        worker_id: this.workerId,
        launch: s.launch === undefined ? null : JSON.stringify(s.launch),
      })
      .execute();
  }

  async stateChanged(id: string, state: 'ready' | 'streaming'): Promise<void> {
    await this.db
      .updateTable('streamed_sessions')
      .set({ state })
      .where('id', '=', id)
      .where('state', '!=', 'ended')
      .execute();
  }

  async setWatchers(id: string, count: number): Promise<void> {
    await this.db
      .updateTable('streamed_sessions')
      .set({ watchers: count })
      .where('id', '=', id)
      .where('state', '!=', 'ended')
      .execute();
  }

  /** Records the end; false when the record already said ended (someone else ended it first). */
  async ended(id: string, reason: string, detail: string | undefined, at = new Date()): Promise<boolean> {
    const [result] = await this.db
      .updateTable('streamed_sessions')
      .set({ state: 'ended', ended_at: at, end_reason: reason, end_detail: detail ?? null })
      .where('id', '=', id)
      .where('state', '!=', 'ended')
      .execute();
    return (result?.numUpdatedRows ?? 0n) > 0n;
  }

  /**
   * At start-up: sessions a crashed run of this process left "live" are recorded as ended by the
   * crash (a worker's own only: the others' run on).
   */
  endAllLive(reason: string): Promise<EndedSession[]> {
    return this.endLiveOn(this.workerId, reason);
  }

  /** Records every live session of one worker (null: of the single process) as ended, and returns them. */
  async endLiveOn(workerId: string | null, reason: string): Promise<EndedSession[]> {
    const endedAt = new Date();
    const rows = await this.db
      .updateTable('streamed_sessions')
      .set({ state: 'ended', ended_at: endedAt, end_reason: reason })
      .where('state', '!=', 'ended')
      .where((eb) => (workerId === null ? eb('worker_id', 'is', null) : eb('worker_id', '=', workerId)))
      .returning(['id', 'app_id', 'user_id', 'share_id', 'created_at'])
      .execute();
    if (!rows.length) return [];
    const userIds = rows.map((r) => r.user_id).filter((id): id is string => id !== null);
    const users = userIds.length
      ? await this.db.selectFrom('users').select(['id', 'role']).where('id', 'in', userIds).execute()
      : [];
    const shareIds = rows.map((r) => r.share_id).filter((id): id is string => id !== null);
    const shares = shareIds.length
      ? await this.db.selectFrom('shares').select(['id', 'owner_id']).where('id', 'in', shareIds).execute()
      : [];
    return rows.map((r) => {
      const role = users.find((u) => u.id === r.user_id)?.role ?? null;
      return {
        id: r.id,
        appId: r.app_id,
        userId: r.user_id,
        userRole: role,
        shareId: r.share_id,
        // A session without a share ran on its owner's own storage.
        ownerId: r.share_id
          ? (shares.find((s) => s.id === r.share_id)?.owner_id ?? null)
          : role === 'owner'
            ? r.user_id
            : null,
        createdAt: new Date(r.created_at),
        endedAt,
      };
    });
  }

  async get(
    id: string,
  ): Promise<
    | (Pick<SessionInfo, 'id' | 'appId' | 'state' | 'createdAt' | 'endReason' | 'shareId'> & { userId: string | null })
    | undefined
  > {
    const row = await this.db.selectFrom('streamed_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      appId: row.app_id,
      state: row.state as SessionInfo['state'],
      createdAt: new Date(row.created_at).toISOString(),
      userId: row.user_id,
      shareId: row.share_id,
      ...(row.end_reason ? { endReason: row.end_reason } : {}),
    };
  }
}
