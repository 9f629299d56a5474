import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Authenticated encryption of a byte stream of any size (the backup file): AES-256-GCM over
 * chunks of 64 KiB, the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015). The
 * stream starts with a 7-byte random nonce prefix; each chunk's nonce is that prefix, the chunk's
 * 4-byte big-endian number and a byte that is 1 on the last chunk only, and each chunk carries its
 * 16-byte tag. A chunk moved, dropped, repeated or changed does not authenticate at its place, and
 * a stream cut at a chunk boundary lacks the chunk sealed as last: both are refused.
 *
 * Plaintext is released a chunk at a time, once that chunk authenticated: a reader learns that
 * the stream was cut or extended only at its end, and must discard what it read before then.
 */

export const CHUNK_BYTES = 64 * 1024;
const PREFIX_BYTES = 7;
const TAG_BYTES = 16;
const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;
const MAX_CHUNKS = 2 ** 32;

export class SealedStreamError extends Error {}

/** Bytes received but not yet used, taken from the front without copying more than is taken. */
class Pending {
  private parts: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    if (b.length) this.parts.push(b);
    this.length += b.length;
  }

  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.parts[0]!;
      const used = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.parts.shift();
      else this.parts[0] = head.subarray(used);
    }
    this.length -= n;
    return out;
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new SealedStreamError(`the key must be 32 bytes (AES-256), not ${key.length}`);
}

function nonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  if (counter >= MAX_CHUNKS) throw new SealedStreamError('the stream is too long (2^32 chunks of 64 KiB at most)');
  const n = Buffer.alloc(PREFIX_BYTES + 5);
  prefix.copy(n);
  n.writeUInt32BE(counter, PREFIX_BYTES);
  n[PREFIX_BYTES + 4] = last ? 1 : 0;
  return n;
}

function sealChunk(key: Buffer, iv: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The chunk's plaintext, or undefined when it does not authenticate under this nonce. */
function openChunk(key: Buffer, iv: Buffer, sealed: Buffer): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** Encrypts what is written to it; the output is the sealed stream (header, then chunks). */
export function sealStream(key: Buffer): Transform {
  checkKey(key);
  const prefix = randomBytes(PREFIX_BYTES);
  const pending = new Pending();
  let counter = 0;
  let headerSent = false;
  const emit = (t: Transform, plain: Buffer, last: boolean) => {
    if (!headerSent) {
      t.push(prefix);
      headerSent = true;
    }
    t.push(sealChunk(key, nonce(prefix, counter, last), plain));
    counter++;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending.push(chunk);
      try {
        // A full chunk is sealed as "not last" only once a byte after it shows it is not the last.
        while (pending.length > CHUNK_BYTES) emit(this, pending.take(CHUNK_BYTES), false);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        emit(this, pending.take(pending.length), true);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** Decrypts a sealed stream; fails with a SealedStreamError naming what is wrong. */
export function openStream(key: Buffer): Transform {
  checkKey(key);
  const pending = new Pending();
  let prefix: Buffer | undefined;
  let counter = 0;

  /** Opens the next chunk, or says why it does not open. */
  const open = (sealed: Buffer, last: boolean): Buffer => {
    const plain = openChunk(key, nonce(prefix!, counter, last), sealed);
    if (plain) {
      counter++;
      return plain;
    }
    // Sealed with the other flag: the stream was cut after this chunk, or bytes follow its last chunk.
    if (openChunk(key, nonce(prefix!, counter, !last), sealed)) {
      throw new SealedStreamError(
        last
          ? `the stream is truncated: it ends after chunk ${counter}, which is not its final chunk`
          : `extra bytes follow the final chunk (chunk ${counter})`,
      );
    }
    throw new SealedStreamError(
      counter === 0
        ? 'chunk 0 does not authenticate: wrong key, or the stream was changed or cut short'
        : `chunk ${counter} does not authenticate: the stream was changed, cut short or extended, or chunks were reordered, dropped or duplicated`,
    );
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending.push(chunk);
      try {
        if (!prefix && pending.length >= PREFIX_BYTES) prefix = pending.take(PREFIX_BYTES);
        // Only a full chunk with more bytes after it can be a chunk that is not the last.
        while (prefix && pending.length > SEALED_CHUNK_BYTES) this.push(open(pending.take(SEALED_CHUNK_BYTES), false));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (!prefix || pending.length < TAG_BYTES) {
          throw new SealedStreamError('the stream is truncated: it ends before its final chunk');
        }
        this.push(open(pending.take(pending.length), true));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
