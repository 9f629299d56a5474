import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('streamed_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('starting', 'ready', 'streaming', 'ended')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text')
    .addColumn('end_detail', 'text')
    .addColumn('policy', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('streamed_sessions_live')
    .on('streamed_sessions')
    .column('state')
    .where('state', '!=', 'ended')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('streamed_sessions').execute();
}
