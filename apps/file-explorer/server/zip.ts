// Refuses zip-based documents (docx, xlsx, pptx, odt, …) that would inflate to absurd sizes, before
// LibreOffice sees them: a decompression bomb is a few kilobytes that become gigabytes in memory. Reads
// the central directory (the sizes the file claims), then inflates every entry into nothing and stops
// at the first byte beyond what the directory claimed (the sizes a bomb lies about). node: only.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { ApiError } from './paths.ts';

export interface ZipLimits {
  /** Sum of every entry's uncompressed size. */
  maxTotalBytes: number;
  /** Uncompressed / compressed of one entry, for entries larger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
  maxEntries: number;
}

/** XML compresses 10–20×; a legitimate 100,000-row sheet stays far below these. */
export const ZIP_LIMITS: ZipLimits = {
  maxTotalBytes: 512 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 8 * 1024 * 1024,
  maxEntries: 20_000,
};

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_CENTRAL_DIRECTORY = 32 * 1024 * 1024;

interface Entry {
  name: string;
  method: number;
  compressed: number;
  uncompressed: number;
  localOffset: number;
}

/** True when the file starts like a zip archive (every OOXML and ODF document does). */
export async function isZip(fh: fs.promises.FileHandle): Promise<boolean> {
  const head = Buffer.alloc(4);
  const { bytesRead } = await fh.read(head, 0, 4, 0);
  return bytesRead === 4 && head.readUInt32LE(0) === LOCAL;
}

/** Throws 413 `too-large` for a bomb, 422 `unreadable` for a zip too broken to check. */
export async function checkZip(file: string, limits: ZipLimits = ZIP_LIMITS): Promise<void> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const entries = await centralDirectory(fh, size, limits);
    let total = 0;
    for (const e of entries) {
      total += e.uncompressed;
      if (total > limits.maxTotalBytes) throw tooLarge('it would inflate to more than 512 MiB');
      if (e.uncompressed > limits.ratioFloorBytes && e.uncompressed > e.compressed * limits.maxRatio) {
        throw tooLarge(`"${e.name}" would inflate ${Math.round(e.uncompressed / Math.max(1, e.compressed))}×`);
      }
    }
    for (const e of entries) await verifyEntry(fh, file, size, e);
  } finally {
    await fh.close();
  }
}

function tooLarge(why: string): ApiError {
  return new ApiError(413, 'too-large', `This document is refused: ${why}.`);
}

function broken(why: string): ApiError {
  return new ApiError(422, 'unreadable', `This document is damaged (${why}).`);
}

async function readAt(fh: fs.promises.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw broken('truncated');
  return buf;
}

async function centralDirectory(fh: fs.promises.FileHandle, size: number, limits: ZipLimits): Promise<Entry[]> {
  if (size < 22) throw broken('too short for a zip');
  // The end record is the last 22 bytes plus a comment of up to 65,535 bytes.
  const tailLength = Math.min(size, 22 + 65_535);
  const tail = await readAt(fh, size - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw broken('no end of central directory');
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAt = size - tailLength + at - 20;
    if (locAt < 0) throw broken('no zip64 locator');
    const loc = await readAt(fh, locAt, 20);
    if (loc.readUInt32LE(0) !== ZIP64_LOCATOR) throw broken('no zip64 locator');
    const recAt = Number(loc.readBigUInt64LE(8));
    if (recAt + 56 > size) throw broken('bad zip64 record');
    const rec = await readAt(fh, recAt, 56);
    if (rec.readUInt32LE(0) !== ZIP64_EOCD) throw broken('bad zip64 record');
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (count > limits.maxEntries) throw tooLarge(`it has ${count} entries`);
  if (cdSize > MAX_CENTRAL_DIRECTORY) throw tooLarge('its directory is too large');
  if (cdOffset + cdSize > size) throw broken('directory outside the file');
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: Entry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw broken('bad directory entry');
    const method = cd.readUInt16LE(p + 10);
    let compressed = cd.readUInt32LE(p + 20);
    let uncompressed = cd.readUInt32LE(p + 24);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    let localOffset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > cd.length) throw broken('bad directory entry');
    const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
    // ZIP64: the 0xFFFFFFFF fields are in the 0x0001 extra field, in this order.
    let x = p + 46 + nameLength;
    const extraEnd = x + extraLength;
    while (x + 4 <= extraEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const take = () => {
          if (q + 8 > x + 4 + len) throw broken('bad zip64 field');
          const v = Number(cd.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (uncompressed === 0xffffffff) uncompressed = take();
        if (compressed === 0xffffffff) compressed = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      x += 4 + len;
    }
    entries.push({ name, method, compressed, uncompressed, localOffset });
    p = end;
  }
  return entries;
}

/** Inflates one entry into nothing; refuses the archive if it yields more than it claimed. */
async function verifyEntry(fh: fs.promises.FileHandle, file: string, size: number, e: Entry): Promise<void> {
  if (e.method !== 0 && e.method !== 8) return; // LibreOffice reads stored and deflated entries only
  if (e.localOffset + 30 > size) throw broken('entry outside the file');
  const local = await readAt(fh, e.localOffset, 30);
  if (local.readUInt32LE(0) !== LOCAL) throw broken('bad entry header');
  const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + e.compressed > size) throw broken('entry outside the file');
  if (e.method === 0) {
    if (e.compressed !== e.uncompressed) throw broken('stored entry of the wrong size');
    return;
  }
  if (e.compressed === 0) return;
  await new Promise<void>((resolve, reject) => {
    let produced = 0;
    const inflate = zlib.createInflateRaw();
    const input = fs.createReadStream(file, { start, end: start + e.compressed - 1 });
    const fail = (err: ApiError) => {
      input.destroy();
      inflate.destroy();
      reject(err);
    };
    inflate.on('data', (chunk: Buffer) => {
      produced += chunk.length;
      if (produced > e.uncompressed) fail(tooLarge(`"${e.name}" inflates to more than it claims`));
    });
    inflate.on('error', () => fail(broken(`"${e.name}" does not inflate`)));
    inflate.on('end', resolve);
    input.on('error', () => fail(broken('unreadable')));
    input.pipe(inflate);
  });
}
