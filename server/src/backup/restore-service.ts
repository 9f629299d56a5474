import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { buffer as bytesOf } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { EncryptedAtRest } from '../encryption/at-rest.ts';
import { KeyFolder } from '../encryption/key-folder.ts';
import type { WrappedKey } from '../encryption/key-wrap.ts';
import { MasterKeyring } from '../encryption/master-key.ts';
import { createSecretFile, readSecretFile } from '../encryption/secret-file.ts';
import { readBackup, readBackupHeader } from './archive.ts';
import { restoreDatabase, type DumpLine } from './database-dump.ts';
import { hostPathOf, ownerOf, type IndexEntry } from './file-index.ts';
import { LineQueue } from './line-queue.ts';

export class RestoreRefused extends Error {}

/**
 * Brings a backup (backup-service.ts) back onto a fresh DATA_DIR with no server running: the
 * audit key and checkpoints (where the configuration says, unless the same are there), the
 * wrapped keys, then the volume made anew with them, the database migrated and filled in one
 * transaction, and every file with its owner, mode and times (the CLI then puts on the trail
 * where it came from). A backup changed or cut is refused as the reading reaches the damage: what was written
 * by then is void (the message says to remove DATA_DIR before trying again).
 */
export async function restoreBackup(
  config: Config,
  file: string,
): Promise<{ rows: number; files: number; createdAt: string }> {
  refuseUnlessFresh(config);
  const header = await readBackupHeader(file);
  if (!fs.existsSync(config.encryption.masterKeyFile)) {
    throw new RestoreRefused(
      `MASTER_KEY_FILE ${config.encryption.masterKeyFile} is missing: put the master key ${String(header.masterKeyId)} ` +
        'that sealed this backup there',
    );
  }
  // Off → on is how data stored in the clear gets encrypted (its details stay readable: they were
  // never sealed); on → off would leave sealed details no key opens.
  if (header.encrypted && !config.encryption.enabled) {
    throw new RestoreRefused('the backup was made with ENCRYPTION=on; restore it with ENCRYPTION=on');
  }
  const keys = new KeyFolder(path.join(config.encryption.dataDir, 'keys'));
  const master = MasterKeyring.open(config.encryption.masterKeyFile, keys, {});
  const dataKey = master.unwrap(header.dataKey as WrappedKey);
  const roots = { storage: config.storage.dir, recordings: config.recordings.dir };
  const lines = new LineQueue<DumpLine>();
  let atRest: EncryptedAtRest | null = null;
  let database: Database | undefined;
  let restoring: Promise<Record<string, number>> | undefined;
  let rows = 0;
  let index: IndexEntry[] | undefined;
  const byData = new Map<string, IndexEntry>();
  let files = 0;

  const openStores = async () => {
    if (database) return;
    atRest = config.encryption.enabled ? await EncryptedAtRest.open(config.encryption, {}) : null;
    database = await openDatabase({ databaseUrl: config.database.url, dataDir: config.database.dataDir });
    restoring = restoreDatabase(database.db, lines);
    restoring.catch(() => {});
  };
  const databaseDone = async () => {
    await openStores();
    lines.close();
    rows = Object.values(await restoring!).reduce((a, b) => a + b, 0);
  };

  try {
    await readBackup(file, dataKey, async (name, content) => {
      if (name === 'audit/audit.key') return restoreSecret(config.audit.keyFile, await bytesOf(content));
      if (name === 'audit/checkpoints.jsonl') return writeNew(config.audit.checkpointFile, await bytesOf(content));
      if (name.startsWith('keys/') && name.endsWith('.json')) {
        return keys.write(name.slice('keys/'.length, -'.json'.length), JSON.parse((await bytesOf(content)).toString()));
      }
      await openStores();
      if (name.startsWith('database/')) {
        for await (const text of readline.createInterface({ input: content, crlfDelay: Infinity })) {
          const tab = text.indexOf('\t');
          await lines.push({ table: text.slice(0, tab), line: text.slice(tab + 1) });
        }
        return;
      }
      if (name === 'files/index.jsonl') {
        await databaseDone();
        index = (await bytesOf(content))
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as IndexEntry);
        await makeFolders(index, roots, atRest);
        for (const e of index) if (e.data) byData.set(e.data, e);
        return;
      }
      const entry = byData.get(name);
      if (!entry) throw new RestoreRefused(`unexpected entry ${name} in the backup`);
      await pipeline(content, fs.createWriteStream(hostPathOf(roots, entry), { flags: 'wx', mode: 0o600 }));
      files++;
    });
    if (!index) throw new RestoreRefused('the backup ends before its files: it is incomplete');
    giveBack(index, roots);
  } catch (err) {
    throw new Error(
      `${(err as Error).message} (remove what was restored in ${config.encryption.dataDir} before trying again)`,
      {
        cause: err,
      },
    );
  } finally {
    lines.close();
    await restoring?.catch(() => {});
    await database?.close();
    await (atRest as EncryptedAtRest | null)?.close();
  }
  return { rows, files, createdAt: String(header.createdAt) };
}

/** Nothing of a server may be there already: a restore never mixes with data. */
function refuseUnlessFresh(config: Config): void {
  const dataDir = config.encryption.dataDir;
  const occupied = [
    path.join(dataDir, 'keys'),
    path.join(dataDir, 'volume.img'),
    path.join(dataDir, 'volume'),
    path.join(dataDir, 'pglite'),
    config.storage.dir,
  ].filter((p) => fs.existsSync(p) && (!fs.statSync(p).isDirectory() || fs.readdirSync(p).length > 0));
  if (occupied.length) {
    throw new RestoreRefused(`DATA_DIR is not fresh (${occupied.join(', ')}): restore into an empty DATA_DIR`);
  }
}

async function makeFolders(
  index: IndexEntry[],
  roots: Record<IndexEntry['area'], string>,
  atRest: EncryptedAtRest | null,
) {
  for (const owner of new Set(index.map(ownerOf))) await atRest?.prepareOwner(owner);
  for (const e of index) {
    const at = hostPathOf(roots, e);
    if (e.type === 'dir') fs.mkdirSync(at, { recursive: true, mode: 0o700 });
    if (e.type === 'symlink') fs.symlinkSync(Buffer.from(e.target!, 'base64'), at);
  }
}

/** Owners, modes and times as they were; folders last and deepest first, as writing into them changes theirs. */
function giveBack(index: IndexEntry[], roots: Record<IndexEntry['area'], string>): void {
  const order = [...index.filter((e) => e.type !== 'dir'), ...index.filter((e) => e.type === 'dir').reverse()];
  for (const e of order) {
    const at = hostPathOf(roots, e);
    fs.lchownSync(at, e.uid, e.gid);
    if (e.type !== 'symlink') fs.chmodSync(at, e.mode);
    // Seconds as a double keep a quarter of a microsecond at today's dates: the millisecond survives.
    const t = Number(BigInt(e.mtimeNs)) / 1e9;
    fs.lutimesSync(at, t, t);
  }
}

/** The audit key: written where configured; one already there must be the same. */
function restoreSecret(file: string, text: Buffer): void {
  const key = Buffer.from(text.toString().trim(), 'base64');
  if (fs.existsSync(file)) {
    if (!readSecretFile(file, 'AUDIT_KEY_FILE').equals(key)) {
      throw new RestoreRefused(`AUDIT_KEY_FILE ${file} holds another key than the backup's trail was sealed with`);
    }
    return;
  }
  createSecretFile(file, 'AUDIT_KEY_FILE', key);
}

function writeNew(file: string, bytes: Buffer): void {
  if (fs.existsSync(file) && fs.statSync(file).size > 0 && !fs.readFileSync(file).equals(bytes)) {
    throw new RestoreRefused(`${file} exists with other checkpoints; move it away to restore this backup's`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, bytes, { mode: 0o600 });
}
