import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import type { FinishedSegment } from './segment-file.ts';

export type RecordingState = 'recording' | 'finished' | 'interrupted' | 'failed';

export interface RecordingRecord {
  id: string;
  sessionId: string;
  shareId: string | null;
  ownerId: string;
  clientId: string;
  state: RecordingState;
  startedAt: Date;
  endedAt: Date | null;
  segments: number;
  bytes: number;
}

export interface SegmentRecord {
  index: number;
  clip: number;
  startedAt: Date;
  endedAt: Date;
  bytes: number;
  sha256: string;
  eventsSha256: string;
  keyframe: boolean;
  pictures: number;
}

type Row = Tables['recordings'] extends infer T ? { [K in keyof T]: unknown } : never;

function fromRow(r: Row): RecordingRecord {
  return {
    id: r.id as string,
    sessionId: r.session_id as string,
    shareId: r.share_id as string | null,
    ownerId: r.owner_id as string,
    clientId: r.client_id as string,
    state: r.state as RecordingState,
    startedAt: new Date(r.started_at as Date),
    endedAt: r.ended_at ? new Date(r.ended_at as Date) : null,
    segments: Number(r.segments),
    bytes: Number(r.bytes),
  };
}

/** Recordings and their segments in the database (listing, playing, budgets). */
export class RecordingStore {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.db = db;
  }

  async create(r: Omit<RecordingRecord, 'state' | 'endedAt' | 'segments' | 'bytes'>): Promise<void> {
    await this.db
      .insertInto('recordings')
      .values({
        id: r.id,
        session_id: r.sessionId,
        share_id: r.shareId,
        owner_id: r.ownerId,
        client_id: r.clientId,
        state: 'recording',
        started_at: r.startedAt,
      })
      .execute();
  }

  async addSegment(recordingId: string, s: FinishedSegment): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('recording_segments')
        .values({
          recording_id: recordingId,
          idx: s.index,
          clip: s.clip,
          started_at: new Date(s.startedAt),
          ended_at: new Date(s.endedAt),
          bytes: s.bytes,
          sha256: s.sha256,
          events_sha256: s.eventsSha256,
          keyframe: s.keyframe,
          pictures: s.pictures,
        })
        .execute();
      await tx
        .updateTable('recordings')
        .set({ segments: sql<number>`segments + 1`, bytes: sql<number>`bytes + ${s.bytes}` })
        .where('id', '=', recordingId)
        .execute();
    });
  }

  async end(id: string, state: Exclude<RecordingState, 'recording'>, at: Date): Promise<void> {
    await this.db.updateTable('recordings').set({ state, ended_at: at }).where('id', '=', id).execute();
  }

  async get(id: string): Promise<RecordingRecord | undefined> {
    const r = await this.db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async list(filter: { ownerId?: string; sessionId?: string; shareId?: string }): Promise<RecordingRecord[]> {
    let q = this.db.selectFrom('recordings').selectAll();
    if (filter.ownerId) q = q.where('owner_id', '=', filter.ownerId);
    if (filter.sessionId) q = q.where('session_id', '=', filter.sessionId);
    if (filter.shareId) q = q.where('share_id', '=', filter.shareId);
    return (await q.orderBy('started_at', 'desc').limit(500).execute()).map(fromRow);
  }

  async segments(id: string): Promise<SegmentRecord[]> {
    const rows = await this.db
      .selectFrom('recording_segments')
      .selectAll()
      .where('recording_id', '=', id)
      .orderBy('idx', 'asc')
      .execute();
    return rows.map((r) => ({
      index: r.idx,
      clip: r.clip,
      startedAt: new Date(r.started_at),
      endedAt: new Date(r.ended_at),
      bytes: r.bytes,
      sha256: r.sha256,
      eventsSha256: r.events_sha256,
      keyframe: r.keyframe,
      pictures: r.pictures,
    }));
  }

  /** Bytes an owner's recordings take (what their recording budget is measured against). */
  async usedBy(ownerId: string): Promise<number> {
    const r = await this.db
      .selectFrom('recordings')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string | number>('bytes'), eb.val(0)).as('used'))
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
    return Number(r?.used ?? 0);
  }

  /** Recordings left "recording" by a run that did not stop cleanly. */
  async unfinished(): Promise<RecordingRecord[]> {
    return (await this.db.selectFrom('recordings').selectAll().where('state', '=', 'recording').execute()).map(fromRow);
  }

  async endedBefore(at: Date): Promise<RecordingRecord[]> {
    return (
      await this.db
        .selectFrom('recordings')
        .selectAll()
        .where('state', '!=', 'recording')
        .where('ended_at', '<', at)
        .execute()
    ).map(fromRow);
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('recordings').where('id', '=', id).execute();
  }
}
