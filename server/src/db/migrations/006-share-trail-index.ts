import type { Kysely } from 'kysely';

/** A share's reading report reads its part of the trail in order: index it rather than scan the trail. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('audit_events_share').on('audit_events').columns(['share_id', 'seq']).execute();
}
