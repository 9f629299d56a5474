import fs from 'node:fs';

export interface FramebufferLayout {
  width: number;
  height: number;
  /** Byte offset of the first pixel in the XWD file. */
  offset: number;
  bytesPerLine: number;
}

/**
 * Parses the XWD header Xvfb writes at the start of its `-fbdir` screen file. The pixel
 * offset depends on the header and colormap sizes, so it is computed, never assumed.
 */
export function parseXwdHeader(header: Buffer): FramebufferLayout {
  if (header.length < 100) throw new Error('XWD header too short');
  // XWD stores its header big-endian; fall back to little-endian if the version is not 7.
  const be = header.readUInt32BE(4) === 7;
  const u32 = (i: number) => (be ? header.readUInt32BE(i * 4) : header.readUInt32LE(i * 4));
  if (u32(1) !== 7) throw new Error('not an XWD version 7 file');
  const headerSize = u32(0);
  const width = u32(4);
  const height = u32(5);
  const bitsPerPixel = u32(11);
  const bytesPerLine = u32(12);
  const ncolors = u32(19);
  if (bitsPerPixel !== 32) throw new Error(`unsupported framebuffer depth: ${bitsPerPixel} bpp (need 32)`);
  if (bytesPerLine !== width * 4)
    throw new Error(`padded framebuffer lines are not supported (${bytesPerLine} for ${width})`);
  return { width, height, offset: headerSize + ncolors * 12, bytesPerLine };
}

/** Where the pixels of a framebuffer file are: enough for the frame pump to map them. */
export function readFramebufferLayout(file: string): FramebufferLayout & { path: string; length: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(4096);
    fs.readSync(fd, header, 0, header.length, 0);
    const layout = parseXwdHeader(header);
    return { ...layout, path: file, length: layout.bytesPerLine * layout.height };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads whole frames (bgr0) from Xvfb's screen file, to inspect what a session shows (the
 * encoder gets its frames from the native pump instead). A small ring of buffers lets a caller
 * keep one frame while reading the next.
 */
export class FramebufferReader {
  readonly layout: FramebufferLayout;
  readonly frameBytes: number;
  private readonly fd: number;
  private readonly ring: Buffer[];
  private next = 0;

  constructor(path: string, ringSize = 3) {
    const { width, height, offset, bytesPerLine, length } = readFramebufferLayout(path);
    this.layout = { width, height, offset, bytesPerLine };
    this.frameBytes = length;
    this.fd = fs.openSync(path, 'r');
    this.ring = Array.from({ length: ringSize }, () => Buffer.allocUnsafe(this.frameBytes));
  }

  read(): Buffer {
    const buf = this.ring[this.next]!;
    this.next = (this.next + 1) % this.ring.length;
    const n = fs.readSync(this.fd, buf, 0, this.frameBytes, this.layout.offset);
    if (n !== this.frameBytes) throw new Error(`short framebuffer read: ${n} of ${this.frameBytes}`);
    return buf;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
