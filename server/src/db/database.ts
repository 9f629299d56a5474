import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import pg from 'pg';
import * as m001 from './migrations/001-streamed-sessions.ts';
import * as m002 from './migrations/002-accounts-and-shares.ts';
import * as m003 from './migrations/003-audit-trail.ts';
import * as m004 from './migrations/004-watermark-settings.ts';
import * as m005 from './migrations/005-share-archive.ts';
import * as m006 from './migrations/006-share-trail-index.ts';
import * as m007 from './migrations/007-audit-key.ts';
import * as m008 from './migrations/008-share-oversight.ts';
import * as m009 from './migrations/009-recordings.ts';
import * as m010 from './migrations/010-workers.ts';
import * as m011 from './migrations/011-session-watchers.ts';
import * as m012 from './migrations/012-share-apps.ts';
import type { Tables } from './schema.ts';

// Listed explicitly (not read from a folder) so the order is reviewed and nothing stray runs.
const MIGRATIONS: Record<string, Migration> = {
  '001-streamed-sessions': m001,
  '002-accounts-and-shares': m002,
  '003-audit-trail': m003,
  '004-watermark-settings': m004,
  '005-share-archive': m005,
  '006-share-trail-index': m006,
  '007-audit-key': m007,
  '008-share-oversight': m008,
  '009-recordings': m009,
  '010-workers': m010,
  '011-session-watchers': m011,
  '012-share-apps': m012,
};

export interface Database {
  db: Kysely<Tables>;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/**
 * PostgreSQL semantics everywhere: an embedded PGlite under DATA_DIR by default, a real server
 * when DATABASE_URL is set. Migrations run before the database is handed out.
 */
export async function openDatabase(opts: { databaseUrl?: string | undefined; dataDir: string }): Promise<Database> {
  let db: Kysely<Tables>;
  let kind: Database['kind'];
  if (opts.databaseUrl) {
    kind = 'postgres';
    db = new Kysely<Tables>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: opts.databaseUrl, max: 10 }) }),
    });
  } else {
    kind = 'pglite';
    const dir = path.join(opts.dataDir, 'pglite');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = new Kysely<Tables>({ dialect: new PGliteDialect({ pglite: () => PGlite.create(dir) }) });
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, kind, close: () => db.destroy() };
}

/** To the latest migration, or up to `upTo` (a migration's name: tests of what a later one does to earlier rows). */
export async function migrate(db: Kysely<Tables>, upTo?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await (upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(upTo));
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${(error as Error | undefined)?.message ?? 'unknown error'}`,
    );
  }
}
