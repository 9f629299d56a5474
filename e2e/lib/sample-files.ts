import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** Serialises numbered PDF objects (1 = catalog) with a correct cross-reference table. */
function writePdfObjects(file: string, objects: string[]): void {
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  fs.writeFileSync(file, out);
}

/** A one-page PDF with a line of text. */
export function writePdf(file: string, text: string): void {
  const content = `BT /F1 24 Tf 72 700 Td (${text}) Tj ET`;
  writePdfObjects(file, [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/** A w×h RGB gradient PNG. */
export function writePng(file: string, w: number, h: number): void {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) raw.set([x % 256, y % 256, 128], y * (w * 3 + 1) + 1 + x * 3);
  }
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', zlib.deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

/** A short H.264 MP4 test pattern made by FFmpeg. */
export function writeMp4(file: string, seconds = 2): void {
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc=duration=${seconds}:size=640x360:rate=25`,
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    file,
  ]);
}

/** A PNG of one colour (`rgb` as 0xRRGGBB). */
export function writeSolidPng(file: string, rgb: number, width = 320, height = 200): void {
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `color=c=0x${rgb.toString(16).padStart(6, '0')}:size=${width}x${height}`,
    '-frames:v',
    '1',
    file,
  ]);
}

/** A one-page PDF of body text: `lines` from the top, Helvetica at `size` points (ASCII, no parentheses). */
export function writeTextPdf(file: string, lines: string[], size = 12): void {
  const lead = Math.round(size * 1.5);
  const body = lines.map((l, i) => `${i === 0 ? '' : `0 -${lead} Td `}(${l.replace(/[()\\]/g, '')}) Tj`).join('\n');
  const content = `BT /F1 ${size} Tf 72 720 Td\n${body}\nET`;
  writePdfObjects(file, [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/**
 * A PDF of several pages of body text, `pages[i]` the lines of page i + 1 (ASCII, no parentheses),
 * Helvetica at `size` points: text a search finds, page by page.
 */
export function writeTextPdfPages(file: string, pages: string[][], size = 14): void {
  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const kids: string[] = [];
  const lead = Math.round(size * 1.5);
  pages.forEach((lines) => {
    const body = lines.map((l, j) => `${j === 0 ? '' : `0 -${lead} Td `}(${l.replace(/[()\\]/g, '')}) Tj`).join('\n');
    const content = `BT /F1 ${size} Tf 72 720 Td\n${body}\nET`;
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    const contentId = objects.length;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentId} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
    );
    kids.push(`${objects.length} 0 R`);
  });
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages.length} >>`;
  writePdfObjects(file, objects);
}

export function sampleFiles(dir: string): { pdf: string; png: string; mp4: string } {
  const pdf = path.join(dir, 'Contract.pdf');
  const png = path.join(dir, 'Scan.png');
  const mp4 = path.join(dir, 'Walkthrough.mp4');
  writePdf(pdf, 'Vitrine sample contract');
  writePng(png, 320, 200);
  writeMp4(mp4);
  return { pdf, png, mp4 };
}

/** Distinct page colours for a generated PDF, so a test can tell pages apart in the video. */
export const PAGE_COLOURS: Array<[number, number, number]> = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
];

/** A PDF of `pages` pages, each a solid colour (cycling PAGE_COLOURS) with its number written large. */
export function writeColourPdf(file: string, pages: number): void {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>', ''];
  const kids: string[] = [];
  const font = 3;
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>');
  for (let i = 0; i < pages; i++) {
    const [r, g, b] = PAGE_COLOURS[i % PAGE_COLOURS.length]!.map((c) => (c / 255).toFixed(3));
    const content = `${r} ${g} ${b} rg 0 0 612 792 re f 1 1 1 rg BT /F1 200 Tf 150 330 Td (${i + 1}) Tj ET`;
    const contentId = objects.length + 1;
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    const pageId = objects.length + 1;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentId} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`,
    );
    kids.push(`${pageId} 0 R`);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  writePdfObjects(file, objects);
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
}

/**
 * A JPEG stored sideways (left half red, right half blue, 320x160) with EXIF Orientation 6
 * ("rotate 90° clockwise to display"): shown correctly it is 160x320, red on top, blue below.
 */
export function writeRotatedJpeg(file: string): void {
  const raw = file + '.plain.jpg';
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=red:size=160x160,format=yuv420p',
    '-f',
    'lavfi',
    '-i',
    'color=blue:size=160x160',
    '-filter_complex',
    'hstack',
    '-frames:v',
    '1',
    raw,
  ]);
  const jpeg = fs.readFileSync(raw);
  fs.rmSync(raw);
  // APP1 "Exif" with a little-endian TIFF header and one IFD entry: Orientation (0x0112) = 6.
  const tiff = Buffer.from([
    0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  ]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(body.length + 2, 2);
  fs.writeFileSync(file, Buffer.concat([jpeg.subarray(0, 2), app1, body, jpeg.subarray(2)]));
}

export function writeAnimatedGif(file: string): void {
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x120:rate=5', file]);
}

export function writeWebm(file: string, seconds = 4): void {
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc=duration=${seconds}:size=640x360:rate=25`,
    '-c:v',
    'libvpx',
    '-b:v',
    '500k',
    file,
  ]);
}

/** A folder of `count` small text files with varied names, sizes and extensions. */
export function writeManyFiles(dir: string, count: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const exts = ['txt', 'pdf', 'png', 'mp4', 'csv'];
  for (let i = 0; i < count; i++) {
    fs.writeFileSync(path.join(dir, `item-${String(i).padStart(5, '0')}.${exts[i % exts.length]}`), 'x'.repeat(i % 97));
  }
}
