import { sql, type Kysely } from 'kysely';

/**
 * A share's oversight (issue 17): whether the owner records the client's sessions and may watch
 * them live, and terms the client must accept before the share opens. `terms_text` null means no
 * terms; `terms_version` counts the texts the share has had and is kept when the terms are removed,
 * so a text set again later is a new version no earlier acceptance covers. Each acceptance is kept:
 * who, which version, the name they typed, when and from where.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('shares')
    .addColumn('recording', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('live_view', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('terms_text', 'text')
    .addColumn('terms_version', 'integer', (c) => c.check(sql`terms_version > 0`))
    .execute();
  await sql`alter table shares add constraint shares_terms_versioned
    check (terms_text is null or terms_version is not null)`.execute(db);

  await db.schema
    .createTable('terms_acceptances')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('share_id', 'uuid', (c) => c.notNull().references('shares.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('typed_name', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema
    .createIndex('terms_acceptances_share_user_version')
    .on('terms_acceptances')
    .columns(['share_id', 'user_id', 'version'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('terms_acceptances').execute();
  await sql`alter table shares drop constraint shares_terms_versioned`.execute(db);
  for (const c of ['terms_version', 'terms_text', 'live_view', 'recording']) {
    await db.schema.alterTable('shares').dropColumn(c).execute();
  }
}
