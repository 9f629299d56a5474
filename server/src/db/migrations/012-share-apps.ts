import { sql, type Kysely } from 'kysely';

/**
 * The apps a share's client may open (issue 20): a JSON list of app ids, chosen by the owner. Every
 * share made before the choice existed opened in the File Explorer, so that is what they keep; the
 * column's default stays for rows written without it (a restored backup from before this migration).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('shares')
    .addColumn('apps', 'jsonb', (c) => c.notNull().defaultTo(sql`'["file-explorer"]'::jsonb`))
    .execute();
  await sql`alter table shares add constraint shares_apps_listed
    check (jsonb_typeof(apps) = 'array' and jsonb_array_length(apps) > 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table shares drop constraint shares_apps_listed`.execute(db);
  await db.schema.alterTable('shares').dropColumn('apps').execute();
}
