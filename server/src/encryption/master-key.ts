import fs from 'node:fs';
import path from 'node:path';
import { createSecretFile, readSecretFile, SecretFileError, syncFolder } from './secret-file.ts';
import { masterKeyOf, unwrapKey, wrapKey, type MasterKey, type WrappedKey } from './key-wrap.ts';
import type { KeyFolder } from './key-folder.ts';

const VARIABLE = 'MASTER_KEY_FILE';

/**
 * The master key (MASTER_KEY_FILE, outside DATA_DIR: config.ts refuses one inside) and the keys
 * it wraps. Rotating it re-wraps every key in DATA_DIR/keys and then replaces the file; the new key
 * is written beside it first (`<file>.next`), so a rotation cut by a crash is finished at the next
 * open, and every wrapped key always opens with one of the two files present.
 */
export class MasterKeyring {
  readonly file: string;
  readonly #keys: KeyFolder;
  #current: MasterKey;

  private constructor(file: string, keys: KeyFolder, current: MasterKey) {
    this.file = file;
    this.#keys = keys;
    this.#current = current;
  }

  static open(file: string, keys: KeyFolder, log: { info?(o: object, m: string): void }): MasterKeyring {
    let current: MasterKey;
    if (fs.existsSync(file)) {
      current = masterKeyOf(readSecretFile(file, VARIABLE));
    } else if (keys.names().length > 0) {
      const sample = keys.read(keys.names()[0]!)!;
      throw new SecretFileError(
        `${VARIABLE} ${file} is missing, but the keys in ${keys.dir} are wrapped by master key ${sample.masterKeyId}: ` +
          'put that key file back (without it the data cannot be read)',
      );
    } else {
      current = masterKeyOf(createSecretFile(file, VARIABLE));
      log.info?.({ file, masterKeyId: current.id }, 'master key created (keep a copy apart from DATA_DIR and backups)');
    }
    const ring = new MasterKeyring(file, keys, current);
    if (fs.existsSync(ring.#nextFile)) ring.#finishRotation();
    return ring;
  }

  get id(): string {
    return this.#current.id;
  }

  get #nextFile(): string {
    return `${this.file}.next`;
  }

  wrap(name: string, raw: Buffer): WrappedKey {
    return wrapKey(this.#current, name, raw);
  }

  unwrap(wrapped: WrappedKey): Buffer {
    return unwrapKey(this.#current, wrapped);
  }

  /** Replaces the master key: every wrapped key re-wrapped, no data re-encrypted. */
  rotate(): { from: string; to: string; keys: number } {
    const from = this.#current.id;
    createSecretFile(this.#nextFile, VARIABLE);
    const keys = this.#finishRotation();
    return { from, to: this.#current.id, keys };
  }

  #finishRotation(): number {
    const next = masterKeyOf(readSecretFile(this.#nextFile, VARIABLE));
    const names = this.#keys.names();
    for (const name of names) {
      const wrapped = this.#keys.read(name)!;
      if (wrapped.masterKeyId === next.id) continue;
      this.#keys.write(name, wrapKey(next, name, unwrapKey(this.#current, wrapped)));
    }
    fs.renameSync(this.#nextFile, this.file);
    syncFolder(path.dirname(this.file));
    this.#current = next;
    return names.length;
  }
}
