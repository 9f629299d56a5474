import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { addKey, policyOf, removeKey, setPolicy } from './fscrypt.ts';
import { KeyFolder } from './key-folder.ts';
import { MasterKeyring } from './master-key.ts';
import { openVolume, type Volume } from './volume.ts';

/** fscrypt's raw keys are 64 bytes (the kernel derives each file's key from it). */
const RAW_KEY_BYTES = 64;
const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export interface AtRestSettings {
  dataDir: string;
  masterKeyFile: string;
  volumeSizeBytes: number | null;
}

export interface Log {
  info?(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
}

/**
 * Data at rest, encrypted (ENCRYPTION=on): the volume, the master key and the keys it wraps, and
 * each owner's area. Layout on the volume:
 *
 *   system/              the database, journals: the `system` key
 *   storage/<ownerId>/   an owner's files, trash, uploads in progress: the `owner-<id>` key
 *   recordings/<ownerId>/ their shares' recordings: the same key
 *
 * storage/ and recordings/ themselves carry no policy, so that each owner's folder can carry its
 * own and an owner's folders can be swapped whole after a key rotation (owner-rotation.ts).
 */
export class EncryptedAtRest {
  readonly volume: Volume;
  readonly keys: KeyFolder;
  readonly master: MasterKeyring;
  readonly systemDir: string;
  readonly storageDir: string;
  readonly recordingsDir: string;
  /** The raw `system` key: the database folder's, and the root of the column key. */
  readonly systemKey: Buffer;
  readonly #log: Log;
  /** Keys added to the kernel by this run: name → identifier. */
  readonly #unlocked = new Map<string, string>();
  readonly #preparing = new Map<string, Promise<void>>();

  private constructor(volume: Volume, keys: KeyFolder, master: MasterKeyring, systemKey: Buffer, log: Log) {
    this.volume = volume;
    this.keys = keys;
    this.master = master;
    this.systemKey = systemKey;
    this.systemDir = path.join(volume.root, 'system');
    this.storageDir = path.join(volume.root, 'storage');
    this.recordingsDir = path.join(volume.root, 'recordings');
    this.#log = log;
  }

  static async open(settings: AtRestSettings, log: Log): Promise<EncryptedAtRest> {
    refuseDataInTheClear(settings.dataDir);
    const keys = new KeyFolder(path.join(path.resolve(settings.dataDir), 'keys'));
    const master = MasterKeyring.open(settings.masterKeyFile, keys, log);
    const volume = await openVolume({ dataDir: settings.dataDir, sizeBytes: settings.volumeSizeBytes }, log);
    try {
      const systemKey = loadOrMake(keys, master, 'system');
      const atRest = new EncryptedAtRest(volume, keys, master, systemKey, log);
      await atRest.#unlock('system', systemKey);
      await atRest.#encryptedDir(atRest.systemDir, 'system');
      for (const dir of [atRest.storageDir, atRest.recordingsDir]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      // A rotation cut after its folders were swapped is finished first (owner-rotation.ts), then
      // every owner's files are readable from the start: start-up sweeps walk them all.
      for (const name of keys.names()) {
        const owner = /^owner-([A-Za-z0-9_-]+)\.next$/.exec(name)?.[1];
        if (owner && (await atRest.#swapStarted(owner))) await atRest.swapRotated(owner);
      }
      for (const name of keys.names()) {
        const owner = /^owner-([A-Za-z0-9_-]+)$/.exec(name)?.[1];
        if (owner) await atRest.prepareOwner(owner);
      }
      return atRest;
    } catch (err) {
      await volume.close();
      throw err;
    }
  }

  /** The owner's folders on the volume, each under the owner's key (made on first use). */
  ownerDirs(ownerId: string): string[] {
    if (!OWNER_ID.test(ownerId)) throw new Error(`invalid owner id ${JSON.stringify(ownerId)}`);
    return [path.join(this.storageDir, ownerId), path.join(this.recordingsDir, ownerId)];
  }

  /** Makes sure the owner's key exists and is in the kernel, and their folders are encrypted with it. */
  prepareOwner(ownerId: string): Promise<void> {
    let ready = this.#preparing.get(ownerId);
    if (!ready) {
      ready = (async () => {
        const name = ownerKeyName(ownerId);
        await this.#unlock(name, loadOrMake(this.keys, this.master, name));
        for (const dir of this.ownerDirs(ownerId)) await this.#encryptedDir(dir, name);
        // Old folders a committed rotation had not yet removed when the server stopped.
        for (const d of this.rotationDirs(ownerId)) fs.rmSync(d.retired, { recursive: true, force: true });
      })();
      ready.catch(() => this.#preparing.delete(ownerId));
      this.#preparing.set(ownerId, ready);
    }
    return ready;
  }

  /**
   * Crypto-shredding: the owner's wrapped key is overwritten and removed first (from then on no
   * copy of this volume can be read for them, whoever holds the master key), the key leaves the
   * kernel (its cached plaintext with it), then the ciphertext is deleted to free the space.
   */
  async shredOwner(ownerId: string): Promise<{ keysDestroyed: number }> {
    const name = ownerKeyName(ownerId);
    const names = [name, `${name}.next`].filter((n) => this.keys.read(n));
    for (const n of names) this.keys.shred(n);
    await Promise.all([name, `${name}.next`].map((n) => this.forget(n)));
    this.#preparing.delete(ownerId);
    for (const d of this.rotationDirs(ownerId)) {
      for (const dir of [d.live, d.next, d.retired]) fs.rmSync(dir, { recursive: true, force: true });
    }
    return { keysDestroyed: names.length };
  }

  /**
   * Where an owner's key rotation keeps each folder: the live one, its re-encrypted copy under the
   * next key (`.rotate-<id>`), and the old one once swapped out (`.retired-<id>`), side by side
   * in storage/ and recordings/ so that swapping is a rename.
   */
  rotationDirs(ownerId: string): Array<{ live: string; next: string; retired: string }> {
    return this.ownerDirs(ownerId).map((live) => ({
      live,
      next: path.join(path.dirname(live), `.rotate-${ownerId}`),
      retired: path.join(path.dirname(live), `.retired-${ownerId}`),
    }));
  }

  /**
   * The switch of a rotation, with the owner's storage held still and every copy complete: each
   * live folder swapped for its copy, then the next key made the owner's key (the commit point),
   * then the old folders and key gone. Idempotent: a crash anywhere in it is finished at the next open.
   */
  async swapRotated(ownerId: string): Promise<void> {
    const name = ownerKeyName(ownerId);
    const next = `${name}.next`;
    const nextKey = loadOrMake(this.keys, this.master, next);
    await this.#unlock(next, nextKey);
    for (const d of this.rotationDirs(ownerId)) {
      if (fs.existsSync(d.next)) {
        if (fs.existsSync(d.live)) fs.renameSync(d.live, d.retired);
        fs.renameSync(d.next, d.live);
      }
    }
    this.keys.rename(next, name);
    await this.forget(name);
    this.#unlocked.set(name, this.#unlocked.get(next)!);
    this.#unlocked.delete(next);
    for (const d of this.rotationDirs(ownerId)) fs.rmSync(d.retired, { recursive: true, force: true });
  }

  /** Whether a rotation of this owner's key got as far as swapping a folder (so must be finished). */
  async #swapStarted(ownerId: string): Promise<boolean> {
    const next = `${ownerKeyName(ownerId)}.next`;
    const identifier = await this.#unlock(next, loadOrMake(this.keys, this.master, next));
    for (const d of this.rotationDirs(ownerId)) {
      if (fs.existsSync(d.retired)) return true;
      if (fs.existsSync(d.live) && (await policyOf(d.live)) === identifier) return true;
    }
    return false;
  }

  /** Takes a key out of the kernel (its files become unreadable); a key still in use is removed once closed. */
  async forget(name: string): Promise<void> {
    const identifier = this.#unlocked.get(name);
    if (!identifier) return;
    this.#unlocked.delete(name);
    const result = await removeKey(this.volume.root, identifier);
    if (result === 'busy') this.#log.warn?.({ key: name }, 'key removed; files still open keep it until they close');
  }

  /** The identifier of a key this run holds in the kernel, adding it if needed. */
  async unlock(name: string, raw: Buffer): Promise<string> {
    return this.#unlock(name, raw);
  }

  async #unlock(name: string, raw: Buffer): Promise<string> {
    const known = this.#unlocked.get(name);
    if (known) return known;
    const identifier = await addKey(this.volume.root, raw);
    this.#unlocked.set(name, identifier);
    return identifier;
  }

  /** A folder under the named key's policy: made if missing, refused if it holds plain files or another key's. */
  async #encryptedDir(dir: string, name: string): Promise<void> {
    const identifier = this.#unlocked.get(name)!;
    fs.mkdirSync(dir, { mode: 0o700, recursive: true });
    const policy = await policyOf(dir);
    if (policy === identifier) return;
    if (policy === null && fs.readdirSync(dir).length === 0) return setPolicy(dir, identifier);
    throw new Error(
      policy === null
        ? `${dir} holds files that are not encrypted; move them out and back in through Vitrine`
        : `${dir} is encrypted with a key other than ${name}'s`,
    );
  }

  async close(): Promise<void> {
    // Unmounting a loop volume drops its keys with it; a native one keeps them until removed.
    if (this.volume.kind === 'native') for (const name of [...this.#unlocked.keys()]) await this.forget(name);
    await this.volume.close();
  }
}

/**
 * A DATA_DIR written before encryption at rest (or with ENCRYPTION=off) keeps its database and
 * files beside the volume, in the clear: starting encrypted over it would look like an empty
 * server. The way over is a backup made as it runs now, restored into a fresh DATA_DIR encrypted.
 */
function refuseDataInTheClear(dataDir: string): void {
  const plain = ['pglite', 'storage', 'recordings']
    .map((name) => path.join(dataDir, name))
    .filter((p) => fs.existsSync(p) && fs.readdirSync(p).length > 0);
  if (plain.length) {
    throw new Error(
      `DATA_DIR holds data stored in the clear (${plain.join(', ')}). Keep serving it with ENCRYPTION=off, or ` +
        'encrypt it: `./vitrine backup --out <file>` with ENCRYPTION=off, then `./vitrine restore <file>` into an ' +
        'empty DATA_DIR with ENCRYPTION=on (docs/security.md)',
    );
  }
}

export function ownerKeyName(ownerId: string): string {
  return `owner-${ownerId}`;
}

/** The raw key of that name, made (and stored wrapped) if it does not exist yet. */
export function loadOrMake(keys: KeyFolder, master: MasterKeyring, name: string): Buffer {
  const wrapped = keys.read(name);
  if (wrapped) {
    if (wrapped.name !== name && wrapped.name !== `${name}.next`) {
      throw new Error(`the key file of ${name} holds ${wrapped.name}'s key`);
    }
    return master.unwrap(wrapped);
  }
  const raw = randomBytes(RAW_KEY_BYTES);
  keys.write(name, master.wrap(name, raw));
  return raw;
}
