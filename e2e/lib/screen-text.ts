import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Reading text off the streamed picture as a person would: the frame Chromium decoded, saved as
 * a PNG, read by tesseract (English), and scored against the text that was put on the screen.
 */

export interface Frame {
  file: string;
  width: number;
  height: number;
}

/** The decoded frame shown now at its full size (drawn from the viewer's video element), as a PNG file. */
export async function grabFrame(page: Page, file: string): Promise<Frame> {
  const { url, width, height } = await page.evaluate(() => {
    const video = (window as any).__vitrine.video as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    return { url: canvas.toDataURL('image/png'), width: canvas.width, height: canvas.height };
  });
  fs.writeFileSync(file, Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
  return { file, width, height };
}

/** The luma of a PNG, full size, row by row. */
export function luma(file: string): Buffer {
  return execFileSync('ffmpeg', ['-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);
}

export interface OcrOptions {
  /** An FFmpeg filter applied first (screen text is small for tesseract: doubling helps); none by default. */
  filter?: string;
  /** tesseract's page segmentation mode (3: automatic, 6: one block of text, 11: sparse text). */
  psm?: number;
  /** Words with their boxes (tesseract's TSV) instead of plain text. */
  tsv?: boolean;
}

/** Doubles the picture's size, the way screen text reads best. */
export const DOUBLE = 'scale=iw*2:ih*2:flags=lanczos';

/** What tesseract reads in a picture file (English). */
export function ocr(file: string, { filter, psm = 3, tsv = false }: OcrOptions = {}): string {
  // The filtered picture is tesseract's input only: made in a folder of its own, removed after.
  const work = filter ? fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-ocr-')) : null;
  try {
    const input = work ? path.join(work, 'input.png') : file;
    if (filter) execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', file, '-vf', filter, input]);
    return execFileSync('tesseract', [input, 'stdout', '-l', 'eng', '--psm', String(psm), ...(tsv ? ['tsv'] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      // One thread: on two busy cores tesseract's threads only wait for each other (3× slower).
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    });
  } finally {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }
}

export interface Word {
  text: string;
  /** Which line of the page OCR put it on ("block.paragraph.line"). */
  line: string;
  x: number;
  y: number;
  right: number;
  bottom: number;
}

/**
 * The words OCR reads (the picture enlarged `scale` times first: small screen text reads better
 * doubled), each with its line and its box in the picture's pixels.
 */
export function ocrWords(file: string, scale = 2): Word[] {
  const filter = scale === 2 ? DOUBLE : scale === 1 ? undefined : `scale=iw*${scale}:ih*${scale}:flags=lanczos`;
  return ocr(file, { ...(filter ? { filter } : {}), psm: 6, tsv: true })
    .split('\n')
    .slice(1)
    .map((row) => row.split('\t'))
    .filter((c) => c[0] === '5' && c[11])
    .map(([, , block, par, line, , left, top, width, height, , text]) => ({
      text: text!,
      line: `${block}.${par}.${line}`,
      x: Number(left) / scale,
      y: Number(top) / scale,
      right: (Number(left) + Number(width)) / scale,
      bottom: (Number(top) + Number(height)) / scale,
    }));
}

export interface Area {
  x: number;
  y: number;
  right: number;
  bottom: number;
}

/**
 * Where a document's text is on the screen: the boxes of the words read that are words of the
 * document, together, with a margin. The rest of the screen (the viewer's buttons, thumbnails) is
 * no part of the document's legibility. Throws when too few of its words were read to tell.
 */
export function documentArea(words: Word[], truth: string[]): Area {
  const known = new Set(
    truth
      .join(' ')
      .split(/[\s,]+/)
      .filter((w) => w.length >= 3),
  );
  const mine = words.filter((w) => w.text.split(',').some((part) => known.has(part.replace(/[.:]$/, ''))));
  if (mine.length <= truth.length) {
    throw new Error(`the document was not found on the screen (${mine.length} of its words read)`);
  }
  return {
    x: Math.min(...mine.map((w) => w.x)) - 12,
    y: Math.min(...mine.map((w) => w.y)) - 12,
    right: Math.max(...mine.map((w) => w.right)) + 12,
    bottom: Math.max(...mine.map((w) => w.bottom)) + 12,
  };
}

/** The lines read inside an area (words whose centre is in it), in reading order. */
export function linesIn(words: Word[], area: Area): string {
  const lines = new Map<string, string[]>();
  for (const w of words) {
    const [cx, cy] = [(w.x + w.right) / 2, (w.y + w.bottom) / 2];
    if (cx < area.x || cx > area.right || cy < area.y || cy > area.bottom) continue;
    lines.set(w.line, [...(lines.get(w.line) ?? []), w.text]);
  }
  return [...lines.values()].map((l) => l.join(' ')).join('\n');
}

/** Character-level edit distance. */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** Text without its whitespace (OCR spaces monospace text its own way). */
export const bare = (s: string) => s.replace(/\s+/g, '');

/**
 * The characters of a document OCR recovered: for each of its lines, the line's length less its
 * edit distance to the closest line read (whitespace left out). What else is on the screen (the
 * viewer's own buttons) neither helps nor hurts.
 */
export function recovered(read: string, truth: string[]): number {
  const lines = read.split('\n').map(bare).filter(Boolean);
  return truth
    .map(bare)
    .reduce((sum, t) => sum + t.length - Math.min(t.length, ...lines.map((l) => distance(l, t))), 0);
}

/** How many characters a document has, as `recovered` counts them. */
export const characters = (truth: string[]) => bare(truth.join('')).length;

/**
 * How much of a document shown on the screen OCR reads: the frame's words in the document's own
 * area, scored against its lines. `read` is what was read there, for a message.
 */
export function readDocument(
  file: string,
  truth: string[],
  scale = 2,
): { recovered: number; total: number; read: string } {
  const words = ocrWords(file, scale);
  const read = linesIn(words, documentArea(words, truth));
  return { recovered: recovered(read, truth), total: characters(truth), read };
}

/** A word read that is the expected one but for at most `slack` characters. */
export const readAs = (read: string, word: string, slack: number) =>
  read.split(/\s+/).some((w) => w.length >= word.length - slack && distance(w, word) <= slack);

export interface StampReading {
  /** Lumas below it are ink (the faint stamps of a weaker watermark need a higher one). */
  threshold?: number;
  /**
   * How many times the quarter is enlarged, tried in turn (about 40 px letters read best). OCR
   * takes a letter for a digit at one scale that it reads right at another (e.g. "9c1aa420" read
   * "9c1820420" at 3×, "9c1a3420" at 2×), so a quarter is read again at the next scale until
   * `enough` says what was read will do (without it, the first scale only).
   */
  enlarge?: number[];
  enough?: (read: string) => boolean;
}

/**
 * What OCR reads of the watermark's stamps in each quarter of a frame (top left, top right,
 * bottom left, bottom right): the quarter cut out alone, its stamps turned level, enlarged and
 * made black on white; the reads at each scale tried, joined.
 */
export function stampsByQuarter(
  frame: Frame,
  { threshold = 225, enlarge = [3, 2, 4], enough = () => true }: StampReading = {},
): string[] {
  const [w2, h2] = [Math.floor(frame.width / 2), Math.floor(frame.height / 2)];
  const level = (times: number) =>
    [
      'rotate=PI/6:c=white:ow=hypot(iw\\,ih):oh=ow',
      `scale=iw*${times}:ih*${times}:flags=lanczos`,
      `lutyuv=y=if(lt(val\\,${threshold})\\,0\\,255)`,
    ].join(',');
  const quarters = [
    [0, 0],
    [w2, 0],
    [0, h2],
    [w2, h2],
  ] as const;
  return quarters.map(([x, y]) => {
    let read = '';
    for (const times of enlarge) {
      read += `${ocr(frame.file, { filter: `crop=${w2}:${h2}:${x}:${y},${level(times)}`, psm: 11 })}\n`;
      if (enough(read)) break;
    }
    return read;
  });
}
