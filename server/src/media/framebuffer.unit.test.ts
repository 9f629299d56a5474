import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FramebufferReader, parseXwdHeader } from './framebuffer.ts';

interface XwdOptions {
  width: number;
  height: number;
  bitsPerPixel?: number;
  bytesPerLine?: number;
  ncolors?: number;
  colormapEntries?: number;
  name?: string;
  littleEndian?: boolean;
  version?: number;
}

/** Builds an XWD file header (25 CARD32 fields + window name) followed by the colormap. */
function buildXwd(o: XwdOptions): Buffer {
  const name = Buffer.from(o.name ?? 'Xvfb main window\0', 'latin1');
  const headerSize = 100 + name.length;
  const ncolors = o.ncolors ?? 256;
  const fields = new Array<number>(25).fill(0);
  fields[0] = headerSize; // header_size
  fields[1] = o.version ?? 7; // file_version
  fields[2] = 2; // pixmap_format = ZPixmap
  fields[3] = 24; // pixmap_depth
  fields[4] = o.width; // pixmap_width
  fields[5] = o.height; // pixmap_height
  fields[7] = 0; // byte_order = LSBFirst
  fields[8] = 32; // bitmap_unit
  fields[10] = 32; // bitmap_pad
  fields[11] = o.bitsPerPixel ?? 32; // bits_per_pixel
  fields[12] = o.bytesPerLine ?? o.width * 4; // bytes_per_line
  fields[13] = 4; // visual_class = TrueColor
  fields[14] = 0xff0000;
  fields[15] = 0x00ff00;
  fields[16] = 0x0000ff;
  fields[17] = 8; // bits_per_rgb
  fields[18] = o.colormapEntries ?? 256; // colormap_entries
  fields[19] = ncolors; // ncolors
  fields[20] = o.width;
  fields[21] = o.height;
  const header = Buffer.alloc(100);
  fields.forEach((v, i) => (o.littleEndian ? header.writeUInt32LE(v, i * 4) : header.writeUInt32BE(v, i * 4)));
  // Colormap entries are 12 bytes each; fill with a recognisable non-zero pattern.
  const colormap = Buffer.alloc(ncolors * 12, 0xaa);
  return Buffer.concat([header, name, colormap]);
}

describe('parseXwdHeader', () => {
  it('computes the layout of a 1280x720 big-endian header with a 256-entry colormap', () => {
    const name = 'Xvfb main window\0';
    const xwd = buildXwd({ width: 1280, height: 720, name });
    const headerSize = 100 + name.length;
    expect(parseXwdHeader(xwd)).toEqual({
      width: 1280,
      height: 720,
      offset: headerSize + 256 * 12,
      bytesPerLine: 5120,
    });
    expect(parseXwdHeader(xwd).offset).toBe(headerSize + 3072);
  });

  it('takes the header size from the file, so a longer window name moves the pixels', () => {
    const a = parseXwdHeader(buildXwd({ width: 64, height: 64, name: 'a\0' }));
    const b = parseXwdHeader(buildXwd({ width: 64, height: 64, name: 'a much longer window name\0' }));
    expect(a.offset).toBe(102 + 3072);
    expect(b.offset).toBe(100 + 26 + 3072);
  });

  it('uses ncolors (not colormap_entries) for the colormap size', () => {
    const xwd = buildXwd({ width: 64, height: 64, name: 'x\0', ncolors: 16, colormapEntries: 256 });
    expect(parseXwdHeader(xwd).offset).toBe(102 + 16 * 12);
    const none = buildXwd({ width: 64, height: 64, name: 'x\0', ncolors: 0 });
    expect(parseXwdHeader(none).offset).toBe(102);
  });

  it('also reads a little-endian header', () => {
    const xwd = buildXwd({ width: 800, height: 600, name: 'le\0', littleEndian: true });
    expect(parseXwdHeader(xwd)).toEqual({ width: 800, height: 600, offset: 103 + 3072, bytesPerLine: 3200 });
  });

  it('rejects a buffer shorter than the 100-byte header', () => {
    expect(() => parseXwdHeader(buildXwd({ width: 64, height: 64 }).subarray(0, 99))).toThrow(/too short/);
    expect(() => parseXwdHeader(Buffer.alloc(0))).toThrow(/too short/);
  });

  it('rejects data that is not XWD version 7', () => {
    expect(() => parseXwdHeader(Buffer.alloc(4096))).toThrow(/not an XWD version 7 file/);
    const png = Buffer.alloc(200);
    Buffer.from('\x89PNG\r\n\x1a\n', 'latin1').copy(png);
    expect(() => parseXwdHeader(png)).toThrow(/not an XWD/);
    expect(() => parseXwdHeader(buildXwd({ width: 64, height: 64, version: 6 }))).toThrow(/not an XWD version 7/);
  });

  it('rejects a 16 bpp framebuffer', () => {
    const xwd = buildXwd({ width: 64, height: 64, bitsPerPixel: 16, bytesPerLine: 128 });
    expect(() => parseXwdHeader(xwd)).toThrow(/16 bpp/);
  });

  it('rejects padded lines', () => {
    const xwd = buildXwd({ width: 1278, height: 720, bytesPerLine: 1280 * 4 });
    expect(() => parseXwdHeader(xwd)).toThrow(/padded framebuffer lines are not supported \(5120 for 1278\)/);
  });
});

describe('FramebufferReader', () => {
  let tmp: string;
  const readers: FramebufferReader[] = [];

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-fb-'));
  });

  afterEach(() => {
    for (const r of readers.splice(0)) {
      try {
        r.close();
      } catch {
        // already closed by the test
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const WIDTH = 8;
  const HEIGHT = 4;
  const FRAME = WIDTH * 4 * HEIGHT;

  function pattern(seed: number): Buffer {
    const px = Buffer.alloc(FRAME);
    for (let i = 0; i < FRAME; i++) px[i] = (i * 7 + seed) & 0xff;
    return px;
  }

  function writeScreen(pixels: Buffer, opts: Partial<XwdOptions> = {}): string {
    const file = path.join(tmp, 'Xvfb_screen0');
    const header = buildXwd({ width: WIDTH, height: HEIGHT, name: 'Xvfb\0', ncolors: 3, ...opts });
    // Trailing bytes after the frame must not leak into it.
    fs.writeFileSync(file, Buffer.concat([header, pixels, Buffer.alloc(64, 0x55)]));
    return file;
  }

  function open(file: string, ringSize?: number): FramebufferReader {
    const r = ringSize === undefined ? new FramebufferReader(file) : new FramebufferReader(file, ringSize);
    readers.push(r);
    return r;
  }

  it('exposes the parsed layout and frame size', () => {
    const reader = open(writeScreen(pattern(1)));
    expect(reader.layout).toEqual({ width: WIDTH, height: HEIGHT, offset: 105 + 3 * 12, bytesPerLine: WIDTH * 4 });
    expect(reader.frameBytes).toBe(FRAME);
  });

  it('returns exactly the pixels after the header and colormap', () => {
    const px = pattern(3);
    const reader = open(writeScreen(px));
    const frame = reader.read();
    expect(frame.length).toBe(FRAME);
    expect(frame.equals(px)).toBe(true);
  });

  it('re-reads the file on each call, so frames follow screen updates', () => {
    const file = writeScreen(pattern(1));
    const reader = open(file);
    expect(reader.read().equals(pattern(1))).toBe(true);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, pattern(99), 0, FRAME, reader.layout.offset);
    fs.closeSync(fd);
    expect(reader.read().equals(pattern(99))).toBe(true);
  });

  it('cycles through a ring of distinct buffers so a previous frame stays intact', () => {
    const file = writeScreen(pattern(1));
    const reader = open(file, 3);
    const a = reader.read();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, pattern(2), 0, FRAME, reader.layout.offset);
    const b = reader.read();
    fs.writeSync(fd, pattern(3), 0, FRAME, reader.layout.offset);
    const c = reader.read();
    fs.closeSync(fd);

    expect(a).not.toBe(b);
    expect(b).not.toBe(c);
    expect(a).not.toBe(c);
    // Each read landed in its own memory: the earlier frames still hold their own pixels.
    expect(a.equals(pattern(1))).toBe(true);
    expect(b.equals(pattern(2))).toBe(true);
    expect(c.equals(pattern(3))).toBe(true);

    // The fourth read reuses the first buffer.
    const d = reader.read();
    expect(d).toBe(a);
    expect(d.equals(pattern(3))).toBe(true);
    expect(b.equals(pattern(2))).toBe(true);
  });

  it('honours a custom ring size', () => {
    const reader = open(writeScreen(pattern(1)), 2);
    const a = reader.read();
    const b = reader.read();
    expect(a).not.toBe(b);
    expect(reader.read()).toBe(a);
    expect(reader.read()).toBe(b);
  });

  it('throws on a short read when the file is truncated', () => {
    const reader = open(writeScreen(pattern(1)));
    fs.truncateSync(path.join(tmp, 'Xvfb_screen0'), reader.layout.offset + FRAME - 1);
    expect(() => reader.read()).toThrow(`short framebuffer read: ${FRAME - 1} of ${FRAME}`);
  });

  it('refuses a file whose header is not a supported XWD', () => {
    const file = path.join(tmp, 'garbage');
    fs.writeFileSync(file, Buffer.alloc(500, 0x41));
    expect(() => new FramebufferReader(file)).toThrow(/not an XWD/);
    expect(() => new FramebufferReader(writeScreen(pattern(1), { bitsPerPixel: 16 }))).toThrow(/16 bpp/);
  });

  it('throws when the file does not exist', () => {
    expect(() => new FramebufferReader(path.join(tmp, 'missing'))).toThrow(/ENOENT/);
  });

  it('close() releases the file descriptor', () => {
    const reader = new FramebufferReader(writeScreen(pattern(1)));
    reader.close();
    expect(() => reader.read()).toThrow(/EBADF|bad file descriptor/i);
  });

  // BUG (server/src/media/framebuffer.ts:44-47): the constructor opens the file and then lets
  // parseXwdHeader throw without closing the fd, leaking one descriptor per rejected file.
  it('does not leak a file descriptor when the header is rejected', () => {
    const file = path.join(tmp, 'garbage');
    fs.writeFileSync(file, Buffer.alloc(500, 0x41));
    const before = fs.readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 5; i++) expect(() => new FramebufferReader(file)).toThrow();
    const after = fs.readdirSync('/proc/self/fd').length;
    expect(after).toBe(before);
  });
});
