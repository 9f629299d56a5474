import { sql, type Kysely } from 'kysely';

/**
 * Recordings of a share's sessions: one row per recording and per finished segment. The rows
 * are for listing and playing; what proves a segment is its `recording.segment` event on the
 * audit trail (its SHA-256), which `audit verify` compares with the file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('share_id', 'text')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('recording', 'finished', 'interrupted', 'failed')`),
    )
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('segments', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('recordings_owner').on('recordings').columns(['owner_id', 'started_at']).execute();
  await db.schema.createIndex('recordings_session').on('recordings').column('session_id').execute();
  await db.schema
    .createTable('recording_segments')
    .addColumn('recording_id', 'text', (c) => c.notNull().references('recordings.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('clip', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('events_sha256', 'text', (c) => c.notNull())
    .addColumn('keyframe', 'boolean', (c) => c.notNull())
    .addColumn('pictures', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('recording_segments_pk', ['recording_id', 'idx'])
    .execute();
}
