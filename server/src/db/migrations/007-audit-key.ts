import { sql, type Kysely } from 'kysely';

/**
 * The audit trail gets a key (issue 16): each event says how it was sealed (`scheme`: 1, a plain
 * SHA-256 hash, for every event recorded before; 2, an HMAC under a key kept outside the
 * database), and `audit_trail` holds the one record of the key's arrival: the trail's id, the
 * first event sealed with the key, and a value that proves the key file is the right one. That
 * record is append-only like the events; rewriting it breaks every keyed MAC.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Adding a column with a default writes no row (PostgreSQL keeps the value for existing rows),
  // so the append-only triggers are not involved; dropping the default then makes every writer
  // state its scheme.
  await db.schema
    .alterTable('audit_events')
    .addColumn('scheme', 'smallint', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`scheme in (1, 2)`),
    )
    .execute();
  await sql`alter table audit_events alter column scheme drop default`.execute(db);

  await db.schema
    .createTable('audit_trail')
    .addColumn('only_one', 'boolean', (c) =>
      c
        .primaryKey()
        .defaultTo(true)
        .check(sql`only_one`),
    )
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('keyed_from', 'bigint', (c) => c.notNull())
    .addColumn('key_check', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`
    create function vitrine_audit_trail_refuse() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit trail record is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger audit_trail_append_only before update or delete on audit_trail
    for each row execute function vitrine_audit_trail_refuse()`.execute(db);
  await sql`create trigger audit_trail_no_truncate before truncate on audit_trail
    for each statement execute function vitrine_audit_trail_refuse()`.execute(db);
  await sql`revoke all on audit_trail from public`.execute(db);
  await sql`revoke update, delete, truncate on audit_trail from current_user`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_trail').execute();
  await sql`drop function vitrine_audit_trail_refuse()`.execute(db);
  await db.schema.alterTable('audit_events').dropColumn('scheme').execute();
}
