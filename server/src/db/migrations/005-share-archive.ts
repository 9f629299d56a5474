import type { Kysely } from 'kysely';

/** An owner may archive a share that is over (revoked or expired): it leaves their default list. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('shares').addColumn('archived_at', 'timestamptz').execute();
}
