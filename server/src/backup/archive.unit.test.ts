import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupArchiveError, readBackup, readBackupHeader, writeBackup } from './archive.ts';
import { CHUNK_BYTES, SealedStreamError, sealStream } from './sealed-stream.ts';

const MARKER = 'VITRINE-BACKUP-PLAINTEXT-MARKER-91c2';
const BIG = 20 * 1024 * 1024;
const key = randomBytes(32);

/** `size` random bytes made as they are read (never whole in memory), each MiB starting with the marker. */
function generated(size: number): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const piece = randomBytes(Math.min(1024 * 1024, size - sent));
      piece.write(MARKER, 0);
      sent += piece.length;
      hash.update(piece);
      this.push(piece);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

interface Read {
  name: string;
  size: number;
  mode: number;
  sha256: string;
  pieces: number;
}

async function readAll(file: string, k = key): Promise<Read[]> {
  const out: Read[] = [];
  await readBackup(file, k, async (name, content, size, mode) => {
    const hash = createHash('sha256');
    let pieces = 0;
    for await (const piece of content) {
      hash.update(piece as Buffer);
      pieces++;
    }
    out.push({ name, size, mode, sha256: hash.digest('hex'), pieces });
  });
  return out;
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-archive-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('backup archive', () => {
  it('a 20 MiB file and small files round trip; the file on disk is sealed, complete and private', async () => {
    const out = path.join(dir, 'backup.vbk');
    const big = generated(BIG);
    const small = Buffer.from(`{"email":"${MARKER}@example.test"}\n`);
    const { bytes } = await writeBackup(out, { wrappedKey: 'abc', masterKeyId: 'k1' }, key, async (pack) => {
      await pack.file('db/users.jsonl', small, small.length);
      await pack.file('files/owner-1/Film.mp4', big.stream, BIG, 0o640);
      await pack.file('empty', Buffer.alloc(0), 0);
    });

    expect(fs.readdirSync(dir)).toEqual(['backup.vbk']);
    const st = fs.statSync(out);
    expect(st.mode & 0o777).toBe(0o600);
    expect(bytes).toBe(st.size);
    expect(await readBackupHeader(out)).toEqual({
      format: 'vitrine-backup',
      version: 1,
      wrappedKey: 'abc',
      masterKeyId: 'k1',
    });
    const raw = fs.readFileSync(out);
    expect(raw.includes(MARKER)).toBe(false);
    expect(raw.includes('users.jsonl')).toBe(false);

    const read = await readAll(out);
    expect(read.map(({ pieces: _, ...r }) => r)).toEqual([
      { name: 'db/users.jsonl', size: small.length, mode: 0o600, sha256: sha(small) },
      { name: 'files/owner-1/Film.mp4', size: BIG, mode: 0o640, sha256: big.sha256() },
      { name: 'empty', size: 0, mode: 0o600, sha256: sha(Buffer.alloc(0)) },
    ]);
    // Handed over as it is decrypted, not gathered first.
    expect(read[1]!.pieces).toBeGreaterThan(10);
  }, 60_000);

  it('a backup cut short is refused on read, also when cut at a chunk boundary', async () => {
    const out = path.join(dir, 'backup.vbk');
    await writeBackup(out, {}, key, async (pack) => {
      await pack.file('a', randomBytes(3 * CHUNK_BYTES), 3 * CHUNK_BYTES);
    });
    const full = fs.readFileSync(out);
    const headerBytes = full.indexOf('\n') + 1;
    // Header line, 7-byte nonce prefix, then sealed chunks of 64 KiB + 16.
    const boundary = headerBytes + 7 + 2 * (CHUNK_BYTES + 16);
    for (const [cut, message] of [
      [boundary, /truncated: it ends after chunk 1/],
      [Math.floor(full.length / 2), /does not authenticate/],
      [headerBytes + 3, /truncated: it ends before its final chunk/],
    ] as const) {
      fs.writeFileSync(out, full.subarray(0, cut));
      const err = await readAll(out).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SealedStreamError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('the wrong key reads nothing', async () => {
    const out = path.join(dir, 'backup.vbk');
    await writeBackup(out, {}, key, (pack) => pack.file('a', Buffer.from('x'), 1));
    await expect(readAll(out, randomBytes(32))).rejects.toThrow(/chunk 0 does not authenticate: wrong key/);
  });

  it('a hand-made archive with an unsafe name or a link is refused before the caller gets the entry', async () => {
    for (const [entry, message] of [
      [{ name: '../x', size: 1 }, /unsafe entry name "..\/x"/],
      [{ name: 'files/../../x', size: 1 }, /unsafe entry name/],
      [{ name: '/etc/x', size: 1 }, /unsafe entry name "\/etc\/x"/],
      [{ name: 'a//b', size: 1 }, /unsafe entry name/],
      [
        { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
        /entry "link" is a symlink: a backup holds only files/,
      ],
    ] as Array<[tar.Headers, RegExp]>) {
      const out = path.join(dir, 'hostile.vbk');
      const pack = tar.pack();
      pack.entry({ name: 'fine', size: 1 }, Buffer.from('f'));
      pack.entry(entry, entry.size ? Buffer.from('x') : undefined);
      pack.finalize();
      fs.writeFileSync(out, '{"format":"vitrine-backup","version":1}\n');
      await pipeline(pack, sealStream(key), fs.createWriteStream(out, { flags: 'a' }));
      const seen: string[] = [];
      const err = await readBackup(out, key, async (name, content) => {
        seen.push(name);
        content.resume();
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackupArchiveError);
      expect((err as Error).message).toMatch(message);
      expect(seen).toEqual(['fine']);
    }
  });

  it('a failed backup leaves neither the backup nor its partial file', async () => {
    const out = path.join(dir, 'backup.vbk');
    const attempts: Array<[(pack: Parameters<Parameters<typeof writeBackup>[3]>[0]) => Promise<void>, RegExp]> = [
      [(pack) => pack.file('../x', Buffer.from('x'), 1), /unsafe entry name/],
      [(pack) => pack.file('a', Buffer.from('xy'), 1), /2 bytes given, 1 announced/],
      [(pack) => pack.file('a', Readable.from([Buffer.from('short')]), 100), /size mismatch/],
      [
        async (pack) => {
          await pack.file('a', Buffer.from('x'), 1);
          throw new Error('the caller gave up');
        },
        /the caller gave up/,
      ],
    ];
    for (const [fill, message] of attempts) {
      await expect(writeBackup(out, {}, key, fill)).rejects.toThrow(message);
      expect(fs.readdirSync(dir)).toEqual([]);
    }
    await expect(writeBackup(out, { format: 'other' }, key, async () => {})).rejects.toThrow(/archive's own/);
    // The file cannot be written: the caller's files in flight and after are refused, nothing waits.
    const mib = randomBytes(1024 * 1024);
    await expect(
      writeBackup(path.join(dir, 'missing', 'backup.vbk'), {}, key, async (pack) => {
        for (let i = 0; i < 4; i++) await pack.file(`f${i}`, mib, mib.length);
      }),
    ).rejects.toThrow(/ENOENT/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a file that is not a backup is named as such', async () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'hello\n');
    await expect(readBackupHeader(file)).rejects.toThrow(/is not a Vitrine backup/);
    fs.writeFileSync(file, '{"format":"vitrine-backup","version":2}\n');
    await expect(readBackup(file, key, async () => {})).rejects.toThrow(
      /format version 2; this server reads version 1/,
    );
  });
});
