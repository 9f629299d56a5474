import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import type { ColumnCipher } from '../encryption/column-cipher.ts';
import { AuditLog } from './audit-log.ts';
import { AuditStore } from './audit-store.ts';
import { openAuditTrail } from './audit-trail.ts';
import { CheckpointExporter, CheckpointFile } from './checkpoints.ts';

export interface AuditSettings {
  keyFile: string;
  checkpointFile: string;
  checkpointEvents: number;
}

/**
 * The audit trail over an open database: its key (made on the first start), the store and writer,
 * and the exporter of signed checkpoints (the writer's committed appends trigger it; the caller
 * runs it on an interval and `close` runs it last). With a cipher, event details are sealed at rest.
 */
export async function openAudit(
  db: Kysely<Tables>,
  settings: AuditSettings,
  log: { error(obj: object, msg: string): void; info?(obj: object, msg: string): void },
  cipher: ColumnCipher | null = null,
) {
  const trail = await openAuditTrail(db, settings.keyFile, log);
  const file = new CheckpointFile(settings.checkpointFile, trail);
  const store = new AuditStore(db, trail, file, cipher);
  const checkpoints = new CheckpointExporter(file, () => store.head(), { everyEvents: settings.checkpointEvents }, log);
  store.onCommitted = (seq) => checkpoints.afterAppend(seq);
  const audit = new AuditLog(store, log);
  return {
    store,
    audit,
    checkpoints,
    /** Writes what is queued, then exports the head it leaves (a clean shutdown's checkpoint). */
    close: async () => {
      await audit.close();
      await checkpoints.export();
    },
  };
}
