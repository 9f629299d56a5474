import type { Kysely } from 'kysely';

/**
 * How many watch a live session: kept by the process that runs it, so the API tier of a
 * multi-node install can show the count it cannot see (docs/workers.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('streamed_sessions')
    .addColumn('watchers', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
