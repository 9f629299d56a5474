import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Tables } from '../db/schema.ts';
import { AUDIT_CHAIN_LOCK } from '../db/migrations/003-audit-trail.ts';
import { AuditKeyError, auditKeyExists, createAuditKey, deriveKey, readAuditKey } from './audit-key.ts';
import { hmacSeal, SCHEME_HMAC, type ChainSeal } from './chain.ts';

type Db = Kysely<Tables> | Transaction<Tables>;

/** The record of the key's arrival, as the database holds it (`audit_trail`, migration 007). */
export interface TrailRecord {
  id: string;
  /** The first event sealed with the key. */
  keyedFrom: number;
  keyCheck: string;
}

/** A keyed trail: its record, the seal of its events and the signing key of its checkpoints. */
export interface AuditTrail extends TrailRecord {
  seal: ChainSeal;
  /** The key a trail's exported checkpoints are signed with (any trail sealed with this key file). */
  checkpointKey(trailId: string): Buffer;
}

const checkPurpose = (r: { id: string; keyedFrom: number }) => `key check\n${r.id}\n${r.keyedFrom}`;

export async function readTrailRecord(db: Db): Promise<TrailRecord | undefined> {
  const row = await db.selectFrom('audit_trail').select(['id', 'keyed_from', 'key_check']).executeTakeFirst();
  return row && { id: row.id, keyedFrom: Number(row.keyed_from), keyCheck: row.key_check };
}

/**
 * Opens the trail's key: makes the key file on the first start (and the record saying from which
 * event on events are keyed), refuses a missing key file once the trail is keyed, and a key file
 * that is not the one the trail was keyed with.
 */
export async function openAuditTrail(
  db: Kysely<Tables>,
  keyFile: string,
  log: { info?(obj: object, msg: string): void },
): Promise<AuditTrail> {
  let record = await readTrailRecord(db);
  let master: Buffer;
  if (auditKeyExists(keyFile)) {
    master = readAuditKey(keyFile);
  } else if (record) {
    throw new AuditKeyError(
      `AUDIT_KEY_FILE ${keyFile} is missing, but this database's audit trail is sealed with a key since event ` +
        `${record.keyedFrom}: restore the key file from its backup (without it the trail cannot be verified or continued)`,
    );
  } else {
    master = createAuditKey(keyFile);
    log.info?.({ keyFile }, 'audit key created (keep a backup of it apart from the database)');
  }
  record ??= await startKeying(db, master);
  if (deriveKey(master, checkPurpose(record)).toString('hex') !== record.keyCheck) {
    throw new AuditKeyError(
      `AUDIT_KEY_FILE ${keyFile} is not the key this database's audit trail was sealed with (since event ` +
        `${record.keyedFrom}), or the trail's key record was changed in the database`,
    );
  }
  const { id, keyedFrom } = record;
  return {
    ...record,
    // The trail's id and first keyed event are in the MAC key: changing either in the database breaks every MAC.
    seal: hmacSeal(deriveKey(master, `chain v2\n${id}\n${keyedFrom}`), keyedFrom),
    checkpointKey: (trailId) => deriveKey(master, `checkpoint v1\n${trailId}`),
  };
}

/** Records that events from the next one on are keyed; under the chain's lock, so no append slips between. */
function startKeying(db: Kysely<Tables>, master: Buffer): Promise<TrailRecord> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(tx);
    const existing = await readTrailRecord(tx);
    if (existing) return existing;
    const last = await tx
      .selectFrom('audit_events')
      .select(['seq', 'scheme'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last?.scheme === SCHEME_HMAC) {
      throw new AuditKeyError(
        "the audit trail's events are sealed with a key, but its key record is missing from the database: " +
          'it was removed behind the application (./vitrine audit verify cannot vouch for this trail)',
      );
    }
    const purged = await tx
      .selectFrom('audit_checkpoints')
      .select('through_seq')
      .orderBy('through_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const id = randomUUID();
    const keyedFrom = Number(last?.seq ?? purged?.through_seq ?? 0) + 1;
    const keyCheck = deriveKey(master, checkPurpose({ id, keyedFrom })).toString('hex');
    await tx
      .insertInto('audit_trail')
      .values({ id, keyed_from: keyedFrom, key_check: keyCheck, created_at: new Date() })
      .execute();
    return { id, keyedFrom, keyCheck };
  });
}
