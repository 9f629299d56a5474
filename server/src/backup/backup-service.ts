import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import type { EncryptedAtRest } from '../encryption/at-rest.ts';
import { KeyFolder } from '../encryption/key-folder.ts';
import { MasterKeyring } from '../encryption/master-key.ts';
import { writeBackup, type BackupPack } from './archive.ts';
import { dumpDatabase } from './database-dump.ts';
import { hostPathOf, indexFiles } from './file-index.ts';

/** Where what a backup takes lives (the configuration's paths). */
export interface BackupSources {
  dataDir: string;
  masterKeyFile: string;
  auditKeyFile: string;
  checkpointFile: string;
  storageDir: string;
  recordingsDir: string;
}

export interface BackupSummary {
  bytes: number;
  masterKeyId: string;
  rows: number;
  files: number;
  folders: number;
  skipped: number;
}

/** The dump goes in parts, so no part has to be held whole in memory. */
const PART_BYTES = 4 * 2 ** 20;

/**
 * One file holding everything to bring this server back on a fresh machine (docs/security.md,
 * "Backups"): the audit key and checkpoints, the wrapped keys, a consistent dump of the
 * database, and every stored file, sealed with a fresh data key wrapped by the master key. It is
 * useless without the master key; the master key is never in it. The checkpoints are taken
 * before the dump (a checkpoint newer than the dump would make the restored trail look cut);
 * the files after it (a file newer than the dump is harmless; a recording's segment newer than
 * its trail event is an unfinished recording's, which the restored server marks interrupted).
 */
export async function makeBackup(
  deps: BackupSources & { db: Kysely<Tables>; atRest: EncryptedAtRest | null },
  file: string,
): Promise<{ summary: BackupSummary }> {
  const keys = deps.atRest?.keys ?? new KeyFolder(path.join(deps.dataDir, 'keys'));
  const master = deps.atRest?.master ?? MasterKeyring.open(deps.masterKeyFile, keys, {});
  const dataKey = randomBytes(32);
  const header = {
    createdAt: new Date().toISOString(),
    masterKeyId: master.id,
    encrypted: deps.atRest !== null,
    dataKey: master.wrap('backup', dataKey),
  };
  let rows = 0;
  let indexed: ReturnType<typeof indexFiles> | undefined;
  const { bytes } = await writeBackup(path.resolve(file), header, dataKey, async (pack) => {
    for (const [name, source] of [
      ['audit/checkpoints.jsonl', deps.checkpointFile],
      ['audit/audit.key', deps.auditKeyFile],
    ] as const) {
      if (fs.existsSync(source)) await addBytes(pack, name, fs.readFileSync(source));
    }
    for (const name of keys.names()) {
      await addBytes(pack, `keys/${name}.json`, fs.readFileSync(path.join(keys.dir, `${name}.json`)));
    }
    rows = await addDump(pack, deps.db);
    const roots = { storage: deps.storageDir, recordings: deps.recordingsDir };
    indexed = indexFiles(roots);
    await addBytes(
      pack,
      'files/index.jsonl',
      Buffer.from(indexed.entries.map((e) => `${JSON.stringify(e)}\n`).join('')),
    );
    for (const entry of indexed.entries) {
      if (entry.type === 'file') await addFile(pack, entry.data!, hostPathOf(roots, entry));
    }
  });
  const entries = indexed?.entries ?? [];
  return {
    summary: {
      bytes,
      masterKeyId: master.id,
      rows,
      files: entries.filter((e) => e.type === 'file').length,
      folders: entries.filter((e) => e.type === 'dir').length,
      skipped: indexed?.skipped ?? 0,
    },
  };
}

const addBytes = (pack: BackupPack, name: string, bytes: Buffer) => pack.file(name, bytes, bytes.length, 0o600);

/** `database/part-N.tsv`: one row per line, `<table>\t<row as JSON>`, in the dump's order. */
async function addDump(pack: BackupPack, db: Kysely<Tables>): Promise<number> {
  let part: string[] = [];
  let partBytes = 0;
  let parts = 0;
  let rows = 0;
  const flush = async () => {
    if (!part.length) return;
    await addBytes(pack, `database/part-${String(++parts).padStart(6, '0')}.tsv`, Buffer.from(part.join('')));
    part = [];
    partBytes = 0;
  };
  for await (const { table, line } of dumpDatabase(db)) {
    const text = `${table}\t${line}\n`;
    part.push(text);
    partBytes += text.length;
    rows++;
    if (partBytes >= PART_BYTES) await flush();
  }
  await flush();
  return rows;
}

/** A file as it is when opened: an app or upload changing it later does not change what is taken. */
async function addFile(pack: BackupPack, name: string, hostPath: Buffer): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(hostPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    // Removed since it was listed: an empty entry keeps the index's promise of content.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return addBytes(pack, name, Buffer.alloc(0));
    throw err;
  }
  const size = fs.fstatSync(fd).size;
  const stream = fs.createReadStream('', { fd, start: 0, end: Math.max(0, size - 1), autoClose: true });
  if (size === 0) {
    stream.destroy();
    return addBytes(pack, name, Buffer.alloc(0));
  }
  await pack.file(name, stream, size, 0o600);
}
