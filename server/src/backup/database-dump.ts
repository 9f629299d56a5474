import { sql, type Kysely, type Transaction } from 'kysely';
import type { Tables } from '../db/schema.ts';
import { columnsOf, mayInsert, sequenceColumns, tablesInForeignKeyOrder, type CatalogTable } from './catalog.ts';

/**
 * A logical dump of the database, one JSON line per row, and its restore into a fresh database.
 *
 * PostgreSQL itself writes each line (`to_jsonb(row)`) and reads it back
 * (`jsonb_populate_recordset`), so every value keeps its exact form without passing through
 * JavaScript values: timestamps with their microseconds and offset, bigint and numeric as exact
 * numbers, bytea as `\x` hex text, jsonb as the JSON it holds, double precision in its shortest
 * exact form. The column's type in the restored table says how each is read back.
 */

export interface DumpLine {
  table: string;
  /** The row as a JSON object of its columns. */
  line: string;
}

const FETCH_ROWS = 500;
const BATCH_ROWS = 1000;
const BATCH_BYTES = 1024 * 1024;

/**
 * Every row of every table, referenced tables first, read in one read-only repeatable-read
 * transaction: a consistent snapshot while the server goes on writing. On PGlite (one
 * connection) the server's queries wait until the iteration ends or is abandoned, and a query
 * made on the same database while iterating waits for ever: read the dump through first.
 */
export async function* dumpDatabase(db: Kysely<Tables>): AsyncGenerator<DumpLine> {
  const tx = await db.startTransaction().execute();
  try {
    await sql`set transaction isolation level repeatable read, read only`.execute(tx);
    for (const { name } of await tablesInForeignKeyOrder(tx)) {
      await sql`declare vitrine_dump no scroll cursor for
        select to_jsonb(vitrine_row)::text as line from ${sql.table(name)} vitrine_row`.execute(tx);
      for (;;) {
        const { rows } = await sql<{ line: string }>`fetch forward ${sql.lit(FETCH_ROWS)} from vitrine_dump`.execute(
          tx,
        );
        for (const r of rows) yield { table: name, line: r.line };
        if (rows.length < FETCH_ROWS) break;
      }
      await sql`close vitrine_dump`.execute(tx);
    }
  } finally {
    // Read only: nothing to commit.
    await tx.rollback().execute();
  }
}

export class RestoreError extends Error {}

/**
 * Restores a dump into a freshly migrated, empty database, in one transaction: all of it or
 * nothing. Rows must come grouped by table, each table after those its foreign keys point at (as
 * dumpDatabase gives them). Sequences (serial and identity columns) are then set past the
 * restored values. Resolves to the number of rows restored per table.
 */
export async function restoreDatabase(
  db: Kysely<Tables>,
  rows: AsyncIterable<DumpLine>,
): Promise<Record<string, number>> {
  return db.transaction().execute(async (tx) => {
    const tables = new Map((await tablesInForeignKeyOrder(tx)).map((t) => [t.name, t]));
    await refuseUnlessEmpty(tx, [...tables.keys()]);
    const restored: Record<string, number> = {};
    let current: TableRestore | undefined;
    for await (const { table, line } of rows) {
      if (current?.table.name !== table) {
        const t = tables.get(table);
        if (!t) throw new RestoreError(`the dump has rows of table ${table}, which this database does not have`);
        if (table in restored) throw new RestoreError(`the dump's rows of table ${table} are not together`);
        const early = Object.keys(restored).find((done) => tables.get(done)!.references.includes(table));
        if (early) {
          throw new RestoreError(
            `the dump is not in foreign-key order: ${table} comes after ${early}, which refers to it`,
          );
        }
        await current?.finish();
        restored[table] = 0;
        current = await TableRestore.start(tx, t, line);
      }
      await current.add(line);
      restored[table]!++;
    }
    await current?.finish();
    for (const s of await sequenceColumns(tx)) {
      await sql`select setval(${s.sequence}::regclass,
        coalesce((select max(${sql.id(s.column)}) from ${sql.table(s.table)}) + 1, q.seqstart), false)
        from pg_sequence q where q.seqrelid = ${s.sequence}::regclass`.execute(tx);
    }
    return restored;
  });
}

async function refuseUnlessEmpty(tx: Transaction<Tables>, tables: string[]): Promise<void> {
  for (const table of tables) {
    const { rows } = await sql<{ found: boolean }>`select exists (select from ${sql.table(table)}) as found`.execute(
      tx,
    );
    if (rows[0]?.found) {
      throw new RestoreError(
        `the database is not empty (table ${table} has rows): restore only into a freshly migrated, empty database`,
      );
    }
  }
}

/** One table's rows, inserted in batches. */
class TableRestore {
  readonly table: CatalogTable;
  private readonly tx: Transaction<Tables>;
  private readonly insert: (batchJson: string) => Promise<unknown>;
  /** Taken from the role by a migration (the append-only audit tables): given back for the restore only. */
  private readonly lent: boolean;
  private batch: string[] = [];
  private batchBytes = 0;

  private constructor(
    tx: Transaction<Tables>,
    table: CatalogTable,
    insert: (batchJson: string) => Promise<unknown>,
    lent: boolean,
  ) {
    this.tx = tx;
    this.table = table;
    this.insert = insert;
    this.lent = lent;
  }

  /** Checks the first row's columns against the table's and prepares the insert. */
  static async start(tx: Transaction<Tables>, table: CatalogTable, firstLine: string): Promise<TableRestore> {
    const columns = new Map((await columnsOf(tx, table.name)).map((c) => [c.name, c]));
    const keys = Object.keys(JSON.parse(firstLine) as Record<string, unknown>);
    const unknown = keys.filter((k) => !columns.has(k));
    if (unknown.length) {
      throw new RestoreError(
        `table ${table.name} of the dump has columns this database does not have (${unknown.join(', ')}): ` +
          'restore with the version of Vitrine that made the backup',
      );
    }
    // Columns the dump lacks (added by a later migration) take their defaults.
    const written = keys.filter((k) => !columns.get(k)!.generated).map((k) => sql.id(k));
    const names = sql.join(written);
    const overriding = keys.some((k) => columns.get(k)!.identityAlways) ? sql`overriding system value` : sql``;
    const target = sql.table(table.name);
    const insert = (batchJson: string) =>
      sql`insert into ${target} (${names}) ${overriding}
        select ${names} from jsonb_populate_recordset(null::${target}, ${batchJson}::jsonb)`.execute(tx);
    const lent = !(await mayInsert(tx, table.name));
    if (lent) await sql`grant insert on ${target} to current_user`.execute(tx);
    return new TableRestore(tx, table, insert, lent);
  }

  async add(line: string): Promise<void> {
    this.batch.push(line);
    this.batchBytes += line.length;
    if (this.batch.length >= BATCH_ROWS || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  async finish(): Promise<void> {
    await this.flush();
    if (this.lent) await sql`revoke insert on ${sql.table(this.table.name)} from current_user`.execute(this.tx);
  }

  private async flush(): Promise<void> {
    if (!this.batch.length) return;
    const json = `[${this.batch.join(',')}]`;
    this.batch = [];
    this.batchBytes = 0;
    try {
      await this.insert(json);
    } catch (err) {
      throw new RestoreError(`restoring table ${this.table.name} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
