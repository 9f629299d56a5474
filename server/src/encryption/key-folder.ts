import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { syncFolder } from './secret-file.ts';
import type { WrappedKey } from './key-wrap.ts';

const NAME = /^[a-z]+(-[A-Za-z0-9_-]{1,128})?(\.next)?$/;

/**
 * The wrapped keys, one small JSON file each in DATA_DIR/keys (mode 0700): outside the encrypted
 * volume, since the system key among them is what opens the volume's database folder. Writes are
 * atomic and durable; `shred` overwrites a key's file in place before removing it, so the wrapped
 * key does not linger in the folder's blocks for whoever later holds the master key.
 */
export class KeyFolder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  #file(name: string): string {
    if (!NAME.test(name)) throw new Error(`invalid key name ${JSON.stringify(name)}`);
    return path.join(this.dir, `${name}.json`);
  }

  read(name: string): WrappedKey | null {
    try {
      return JSON.parse(fs.readFileSync(this.#file(name), 'utf8')) as WrappedKey;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  write(name: string, wrapped: WrappedKey): void {
    const file = this.#file(name);
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(wrapped)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    syncFolder(this.dir);
  }

  /** Names of every key present (without `.json`). */
  names(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .filter((n) => NAME.test(n));
  }

  /** Moves `from` to `to` (replacing it), durably: the one step that makes a rotated key current. */
  rename(from: string, to: string): void {
    fs.renameSync(this.#file(from), this.#file(to));
    syncFolder(this.dir);
  }

  shred(name: string): void {
    const file = this.#file(name);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      fs.writeSync(fd, randomBytes(fs.fstatSync(fd).size), 0, undefined, 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.unlinkSync(file);
    syncFolder(this.dir);
  }
}
