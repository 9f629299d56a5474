import { sql, type Kysely } from 'kysely';

/**
 * A share's watermark, as its owner set it: how many stamps (`sparse`, `normal`, `dense`) and how
 * strongly they show (the API keeps it within WATERMARK_OPACITY; the table only refuses nonsense).
 * Existing shares get the defaults.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('shares')
    .addColumn('watermark_density', 'text', (c) =>
      c
        .notNull()
        .defaultTo('normal')
        .check(sql`watermark_density in ('sparse', 'normal', 'dense')`),
    )
    .execute();
  await db.schema
    .alterTable('shares')
    .addColumn('watermark_opacity', 'double precision', (c) =>
      c
        .notNull()
        .defaultTo(0.12)
        .check(sql`watermark_opacity > 0 and watermark_opacity <= 1`),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('shares').dropColumn('watermark_opacity').execute();
  await db.schema.alterTable('shares').dropColumn('watermark_density').execute();
}
