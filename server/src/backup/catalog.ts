import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';

/**
 * What a dump and a restore need to know about the schema, read from PostgreSQL's catalog at run
 * time (so a table a later migration adds is dumped without a change here). Only the current
 * schema's ordinary tables count, never the migrator's own (`kysely_migration*`): a restore
 * migrates a fresh database first, which writes those.
 */

/** The database or a transaction on it. */
type Db = Kysely<Tables>;

export interface CatalogTable {
  name: string;
  /** Other tables this one's foreign keys point at. */
  references: string[];
}

/** The tables, each after every table its foreign keys point at (ties by name, for a stable order). */
export async function tablesInForeignKeyOrder(db: Db): Promise<CatalogTable[]> {
  const tables = await sql<{ name: string }>`
    select c.relname as name from pg_class c
    where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
      and not starts_with(c.relname, 'kysely_migration')`.execute(db);
  const links = await sql<{ from: string; to: string }>`
    select distinct c.relname as "from", r.relname as "to"
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class r on r.oid = k.confrelid
    where k.contype = 'f' and c.relnamespace = current_schema()::regnamespace and c.oid <> r.oid`.execute(db);
  const references = new Map(tables.rows.map((t) => [t.name, [] as string[]]));
  for (const l of links.rows) references.get(l.from)?.push(l.to);

  const ordered: CatalogTable[] = [];
  const placed = new Set<string>();
  while (placed.size < references.size) {
    const ready = [...references.entries()]
      .filter(([name, refs]) => !placed.has(name) && refs.every((r) => placed.has(r) || !references.has(r)))
      .map(([name]) => name)
      .sort();
    if (!ready.length) {
      const left = [...references.keys()].filter((n) => !placed.has(n));
      throw new Error(`the foreign keys of ${left.join(', ')} form a cycle: no order restores them`);
    }
    for (const name of ready) {
      placed.add(name);
      ordered.push({ name, references: references.get(name)!.sort() });
    }
  }
  return ordered;
}

export interface CatalogColumn {
  name: string;
  /** A generated column (computed by the database: never written). */
  generated: boolean;
  /** An identity column GENERATED ALWAYS (written only with OVERRIDING SYSTEM VALUE). */
  identityAlways: boolean;
}

export async function columnsOf(db: Db, table: string): Promise<CatalogColumn[]> {
  const { rows } = await sql<{ name: string; generated: string; identity: string | null }>`
    select column_name as name, is_generated as generated, identity_generation as identity
    from information_schema.columns where table_schema = current_schema() and table_name = ${table}
    order by ordinal_position`.execute(db);
  return rows.map((r) => ({
    name: r.name,
    generated: r.generated === 'ALWAYS',
    identityAlways: r.identity === 'ALWAYS',
  }));
}

/** Columns whose values come from a sequence (serial, bigserial, identity), and that sequence. */
export async function sequenceColumns(db: Db): Promise<Array<{ table: string; column: string; sequence: string }>> {
  const { rows } = await sql<{ table: string; column: string; sequence: string }>`
    select * from (
      select c.relname as table, a.attname as column, pg_get_serial_sequence(quote_ident(c.relname), a.attname) as sequence
      from pg_class c join pg_attribute a on a.attrelid = c.oid
      where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
        and not starts_with(c.relname, 'kysely_migration')
    ) s where sequence is not null order by 1, 2`.execute(db);
  return rows;
}

/** Whether the current role may insert into the table (the audit tables' migrations take that away from it). */
export async function mayInsert(db: Db, table: string): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`
    select has_table_privilege(c.oid, 'INSERT') as ok from pg_class c
    where c.relnamespace = current_schema()::regnamespace and c.relname = ${table}`.execute(db);
  return rows[0]?.ok === true;
}
