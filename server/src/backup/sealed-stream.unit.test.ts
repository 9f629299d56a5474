import { createDecipheriv, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, openStream, SealedStreamError, sealStream } from './sealed-stream.ts';

const key = randomBytes(32);
const HEADER = 7;
const TAG = 16;
const SEALED = CHUNK_BYTES + TAG;

/** Runs `data` through a transform in uneven pieces (the chunking must not depend on how writes fall). */
async function through(transform: NodeJS.ReadWriteStream, data: Buffer): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let at = 0, step = 1; at < data.length; at += step, step = (step * 7 + 3) % 100_003) {
    pieces.push(data.subarray(at, at + step));
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    transform,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

const seal = (data: Buffer, k = key) => through(sealStream(k), data);
const open = (data: Buffer, k = key) => through(openStream(k), data);

/** A sealed stream cut into its header and chunks, to rearrange. */
function parts(sealed: Buffer): { header: Buffer; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  for (let at = HEADER; at < sealed.length; at += SEALED) chunks.push(sealed.subarray(at, at + SEALED));
  return { header: sealed.subarray(0, HEADER), chunks };
}

describe('sealed stream', () => {
  it.each([
    ['0 bytes', 0, 1],
    ['1 byte', 1, 1],
    ['exactly 64 KiB', CHUNK_BYTES, 1],
    ['64 KiB + 1', CHUNK_BYTES + 1, 2],
    ['1 MiB + 7', 1024 * 1024 + 7, 17],
  ])('round trip of %s (%i bytes, %i chunks)', async (_name, size, chunks) => {
    const plain = randomBytes(size);
    const sealed = await seal(plain);
    expect(sealed.length).toBe(HEADER + chunks * TAG + size);
    expect((await open(sealed)).equals(plain)).toBe(true);
  });

  it('is the documented format: nonce = 7-byte prefix, 4-byte big-endian counter, final flag; each chunk tagged', async () => {
    const plain = randomBytes(2 * CHUNK_BYTES + 10);
    const { header, chunks } = parts(await seal(plain));
    const opened = chunks.map((c, i) => {
      const iv = Buffer.alloc(12);
      header.copy(iv);
      iv.writeUInt32BE(i, 7);
      iv[11] = i === chunks.length - 1 ? 1 : 0;
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAuthTag(c.subarray(c.length - TAG));
      return Buffer.concat([d.update(c.subarray(0, c.length - TAG)), d.final()]);
    });
    expect(Buffer.concat(opened).equals(plain)).toBe(true);
  });

  it('the ciphertext holds no trace of a plaintext marker', async () => {
    const marker = 'VITRINE-PLAINTEXT-MARKER-7f3a';
    const plain = Buffer.from(marker.repeat(10_000));
    const sealed = await seal(plain);
    expect(sealed.includes(marker)).toBe(false);
    expect(sealed.includes(marker.slice(0, 12))).toBe(false);
  });

  it('two seals of the same plaintext differ (a fresh nonce prefix each time)', async () => {
    const plain = randomBytes(1000);
    expect((await seal(plain)).equals(await seal(plain))).toBe(false);
  });

  describe('refuses a changed stream', () => {
    // Chunks 0 and 1 full, chunk 2 (the final one) short.
    const plain = randomBytes(2 * CHUNK_BYTES + 100);
    let sealed: Buffer;
    const refused = async (data: Buffer, message: RegExp, k = key) => {
      const err = await open(data, k).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SealedStreamError);
      expect((err as Error).message).toMatch(message);
    };
    const rebuilt = (pick: (c: Buffer[]) => Buffer[]) => {
      const { header, chunks } = parts(sealed);
      return Buffer.concat([header, ...pick(chunks)]);
    };

    beforeAll(async () => {
      sealed = await seal(plain);
      expect(parts(sealed).chunks.map((c) => c.length)).toEqual([SEALED, SEALED, 100 + TAG]);
    });

    it('truncated at a chunk boundary (no final chunk)', () =>
      refused(
        rebuilt((c) => c.slice(0, 2)),
        /truncated: it ends after chunk 1, which is not its final chunk/,
      ));
    it('truncated inside a chunk', () =>
      refused(sealed.subarray(0, sealed.length - 5), /chunk 2 does not authenticate/));
    it('truncated inside the header, or empty', async () => {
      await refused(sealed.subarray(0, 3), /truncated: it ends before its final chunk/);
      await refused(Buffer.alloc(0), /truncated: it ends before its final chunk/);
      await refused(sealed.subarray(0, HEADER + 10), /truncated: it ends before its final chunk/);
    });
    it('chunks reordered', () =>
      refused(
        rebuilt((c) => [c[1]!, c[0]!, c[2]!]),
        /chunk 0 does not authenticate/,
      ));
    it('a chunk dropped', () =>
      refused(
        rebuilt((c) => [c[0]!, c[2]!]),
        /chunk 1 does not authenticate/,
      ));
    it('a chunk duplicated', () =>
      refused(
        rebuilt((c) => [c[0]!, c[1]!, c[1]!, c[2]!]),
        /chunk 2 does not authenticate/,
      ));
    it('a byte changed in a chunk, its tag, or the header', async () => {
      for (const at of [HEADER + SEALED + 1000, HEADER + SEALED - 1, 2]) {
        const changed = Buffer.from(sealed);
        changed[at]! ^= 0x01;
        await refused(changed, /does not authenticate/);
      }
    });
    it('bytes after the final chunk', async () => {
      await refused(Buffer.concat([sealed, Buffer.from([0])]), /chunk 2 does not authenticate/);
      await refused(
        rebuilt((c) => [...c, c[2]!]),
        /chunk 2 does not authenticate/,
      );
      // A final chunk of full size followed by anything: named as such.
      const full = await seal(randomBytes(CHUNK_BYTES));
      await refused(Buffer.concat([full, Buffer.from('x')]), /extra bytes follow the final chunk \(chunk 0\)/);
    });
    it('the wrong key', () => refused(sealed, /chunk 0 does not authenticate: wrong key/, randomBytes(32)));
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => sealStream(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => openStream(randomBytes(31))).toThrow(/32 bytes/);
  });
});
