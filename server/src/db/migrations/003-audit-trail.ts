import { sql, type Kysely } from 'kysely';

/** Serialises appends to the hash chain across connections and processes (CLI, server). */
export const AUDIT_CHAIN_LOCK = 0x56_49_54_41; // "VITA"

/**
 * The audit trail: append-only and hash-chained. The table's own role loses UPDATE, DELETE and
 * TRUNCATE on it, and triggers refuse them for everyone else as well; the only way rows leave
 * is `vitrine_audit_purge`, which first records a checkpoint (the hash of the last purged row)
 * so the rest of the chain stays verifiable.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('target_path', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('ok', 'denied', 'failed')`))
    .addColumn('reason', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('correlation_id', 'text')
    .addColumn('owner_id', 'text')
    .addColumn('share_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
  await db.schema.createIndex('audit_events_owner').on('audit_events').columns(['owner_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_session').on('audit_events').columns(['session_id', 'seq']).execute();
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('through_seq', 'bigint', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('purged', 'bigint', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();

  await sql`
    create function vitrine_audit_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and exists (select 1 from audit_checkpoints where through_seq >= old.seq) then
        return old;
      end if;
      raise exception 'audit events are append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function vitrine_audit_guard()`.execute(db);
  await sql`create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function vitrine_audit_guard()`.execute(db);
  await sql`
    create function vitrine_audit_refuse() returns trigger language plpgsql as $$
    begin
      raise exception 'audit checkpoints are append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger audit_checkpoints_append_only before update or delete on audit_checkpoints
    for each row execute function vitrine_audit_refuse()`.execute(db);
  await sql`create trigger audit_checkpoints_no_truncate before truncate on audit_checkpoints
    for each statement execute function vitrine_audit_refuse()`.execute(db);

  await sql`
    create function vitrine_audit_purge(cutoff timestamptz) returns bigint
    language plpgsql security definer set search_path = pg_catalog, public as $$
    declare
      last_seq bigint;
      last_hash text;
      n bigint;
    begin
      perform pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK)});
      select seq, hash into last_seq, last_hash from audit_events where at < cutoff order by seq desc limit 1;
      if last_seq is null then
        return 0;
      end if;
      select count(*) into n from audit_events where seq <= last_seq;
      execute format('grant insert on audit_checkpoints to %I', current_user);
      execute format('grant delete on audit_events to %I', current_user);
      insert into audit_checkpoints (through_seq, hash, purged, at) values (last_seq, last_hash, n, now());
      delete from audit_events where seq <= last_seq;
      execute format('revoke insert on audit_checkpoints from %I', current_user);
      execute format('revoke delete on audit_events from %I', current_user);
      return n;
    end $$`.execute(db);
  await sql`revoke all on audit_events, audit_checkpoints from public`.execute(db);
  await sql`revoke update, delete, truncate on audit_events from current_user`.execute(db);
  await sql`revoke insert, update, delete, truncate on audit_checkpoints from current_user`.execute(db);

  // Expirations are recorded once each: these mark the rows whose expiry is on record.
  await db.schema.alterTable('shares').addColumn('expiry_audited_at', 'timestamptz').execute();
  await db.schema.alterTable('invitations').addColumn('expiry_audited_at', 'timestamptz').execute();
  await db.schema.alterTable('sign_ins').addColumn('end_audited_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sign_ins').dropColumn('end_audited_at').execute();
  await db.schema.alterTable('invitations').dropColumn('expiry_audited_at').execute();
  await db.schema.alterTable('shares').dropColumn('expiry_audited_at').execute();
  await sql`drop function vitrine_audit_purge(timestamptz)`.execute(db);
  await db.schema.dropTable('audit_checkpoints').execute();
  await db.schema.dropTable('audit_events').execute();
  await sql`drop function vitrine_audit_guard()`.execute(db);
  await sql`drop function vitrine_audit_refuse()`.execute(db);
}
