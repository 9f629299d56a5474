/**
 * A tiny CBOR encoder (RFC 8949), enough for WebAuthn test fixtures: attestation objects and COSE keys.
 *
 * Always uses the shortest ("preferred") form for lengths and integers, so the bytes match what
 * canonical encoders such as `@levischuck/tiny-cbor` (used by `@simplewebauthn/server`) produce on
 * re-encoding. Map entries are written in the order given; integers must be safe integers.
 */

export type CborValue =
  | number
  | string
  | boolean
  | null
  | Uint8Array
  | CborValue[]
  | Map<number | string, CborValue>
  | { [key: string]: CborValue };

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const SIMPLE_FALSE = 0xf4;
const SIMPLE_TRUE = 0xf5;
const SIMPLE_NULL = 0xf6;

/** Encodes one CBOR data item. */
export function encodeCbor(value: CborValue): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  write(out, value);
  return Uint8Array.from(out);
}

function write(out: number[], value: CborValue): void {
  if (value === null) {
    out.push(SIMPLE_NULL);
  } else if (value === true) {
    out.push(SIMPLE_TRUE);
  } else if (value === false) {
    out.push(SIMPLE_FALSE);
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`CBOR: only safe integers are supported, got ${value}`);
    if (value >= 0) writeHead(out, MAJOR_UNSIGNED, value);
    else writeHead(out, MAJOR_NEGATIVE, -1 - value);
  } else if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    writeHead(out, MAJOR_TEXT, bytes.length);
    pushBytes(out, bytes);
  } else if (value instanceof Uint8Array) {
    writeHead(out, MAJOR_BYTES, value.length);
    pushBytes(out, value);
  } else if (Array.isArray(value)) {
    writeHead(out, MAJOR_ARRAY, value.length);
    for (const item of value) write(out, item);
  } else if (value instanceof Map) {
    writeHead(out, MAJOR_MAP, value.size);
    for (const [key, item] of value) {
      write(out, key);
      write(out, item);
    }
  } else {
    const entries = Object.entries(value);
    writeHead(out, MAJOR_MAP, entries.length);
    for (const [key, item] of entries) {
      write(out, key);
      write(out, item);
    }
  }
}

/** The initial byte(s): major type in the top 3 bits, then the argument in its shortest form. */
function writeHead(out: number[], major: number, arg: number): void {
  const top = major << 5;
  if (arg < 24) {
    out.push(top | arg);
  } else if (arg < 0x100) {
    out.push(top | 24, arg);
  } else if (arg < 0x10000) {
    out.push(top | 25, arg >>> 8, arg & 0xff);
  } else if (arg < 0x100000000) {
    out.push(top | 26, (arg >>> 24) & 0xff, (arg >>> 16) & 0xff, (arg >>> 8) & 0xff, arg & 0xff);
  } else {
    out.push(top | 27);
    const big = BigInt(arg);
    for (let shift = 56n; shift >= 0n; shift -= 8n) out.push(Number((big >> shift) & 0xffn));
  }
}

function pushBytes(out: number[], bytes: Uint8Array): void {
  for (const b of bytes) out.push(b);
}
