import type fs from 'node:fs';
import zlib from 'node:zlib';

// The text of a zipped office document (Word/PowerPoint/Excel XML, OpenDocument), read with
// node:zlib alone: only the parts that hold the words, each bounded. Enough to tell cheaply
// whether a document may contain a word before it is laid out into pages by LibreOffice.

/** The parts holding a document's words. */
const TEXT_PARTS =
  /^(word\/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml|ppt\/(slides\/slide\d+|notesSlides\/notesSlide\d+)\.xml|xl\/(sharedStrings|worksheets\/sheet\d+)\.xml|content\.xml|styles\.xml)$/;
/** A part is inflated to at most this much (a zip bomb stops here). */
const MAX_PART_BYTES = 16 * 1024 * 1024;
/** All parts together. */
const MAX_TEXT_BYTES = 48 * 1024 * 1024;
/** A central directory larger than this is not read (100,000s of entries: not an office document). */
const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024;

interface Part {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

async function readAt(fh: fs.promises.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The central directory's entries; throws on anything that is not a plain (non-Zip64) zip. */
async function parts(fh: fs.promises.FileHandle, size: number): Promise<Part[]> {
  const tailLength = Math.min(size, 22 + 65_535);
  const tail = await readAt(fh, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file');
  const count = tail.readUInt16LE(eocd + 10);
  const dirSize = tail.readUInt32LE(eocd + 12);
  const dirOffset = tail.readUInt32LE(eocd + 16);
  if (dirSize > MAX_DIRECTORY_BYTES || dirOffset + dirSize > size) throw new Error('bad zip directory');
  const dir = await readAt(fh, dirOffset, dirSize);
  const out: Part[] = [];
  let p = 0;
  for (let i = 0; i < count && p + 46 <= dir.length; i++) {
    if (dir.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip entry');
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    out.push({
      method: dir.readUInt16LE(p + 10),
      compressedSize: dir.readUInt32LE(p + 20),
      size: dir.readUInt32LE(p + 24),
      name: dir.toString('utf8', p + 46, p + 46 + nameLength),
      localOffset: dir.readUInt32LE(p + 42),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

async function inflatePart(fh: fs.promises.FileHandle, part: Part, fileSize: number): Promise<Buffer> {
  const header = await readAt(fh, part.localOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw new Error('bad zip entry');
  const start = part.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + part.compressedSize > fileSize || part.compressedSize > MAX_PART_BYTES) throw new Error('bad zip entry');
  const data = await readAt(fh, start, part.compressedSize);
  if (part.method === 0) return data;
  if (part.method !== 8) throw new Error('unsupported compression');
  return new Promise((resolve, reject) =>
    zlib.inflateRaw(data, { maxOutputLength: MAX_PART_BYTES }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

/**
 * The words of an office document's XML parts, as plain text (paragraphs on lines of their own).
 * Throws if the file is not a readable zip.
 */
export async function zippedDocumentText(fh: fs.promises.FileHandle, size: number): Promise<string> {
  const wanted = (await parts(fh, size)).filter((p) => TEXT_PARTS.test(p.name));
  let total = 0;
  const texts: string[] = [];
  for (const part of wanted) {
    if (total > MAX_TEXT_BYTES) break;
    const xml = await inflatePart(fh, part, size);
    total += xml.length;
    texts.push(xmlText(xml.toString('utf8')));
  }
  return texts.join('\n');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The character data of an XML document: tags dropped (a word split over several runs joins up
 * again), paragraph, line and cell ends as line breaks, tabs and ODF spaces as spaces.
 */
export function xmlText(xml: string): string {
  return xml
    .replace(/<\/(w:p|a:p|text:p|text:h|si|c|table:table-cell)>|<(w:br|a:br|text:line-break)\b[^>]*>/g, '\n')
    .replace(/<(w:tab|text:tab|text:s)\b[^>]*>/g, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (m, e: string) => {
      if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    });
}
