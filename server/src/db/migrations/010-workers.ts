import { sql, type Kysely } from 'kysely';

/**
 * Session workers of a multi-node install (docs/workers.md): each says here what it can take
 * and that it is alive; each session names the worker that runs it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('public_url', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('up', 'draining', 'stopped', 'lost')`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('heartbeat_at', 'timestamptz', (c) => c.notNull())
    // What its sandbox guarantees (Landlock, cgroups), for what the API tier tells clients.
    .addColumn('sandbox', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('streamed_sessions').addColumn('worker_id', 'text').execute();
  // What the API tier needs to act on a session it does not run: whose, through which share, which sign-in.
  await db.schema.alterTable('streamed_sessions').addColumn('launch', 'jsonb').execute();
  await db.schema.createIndex('streamed_sessions_worker').on('streamed_sessions').column('worker_id').execute();
}
