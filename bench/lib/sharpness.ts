import fs from 'node:fs';
import path from 'node:path';

/**
 * Helpers of bench/sharpness.ts: luma and PSNR (the same functions run in the viewer page,
 * injected with `toString()`, so they take no closures and no imports), the framebuffer
 * reference, the text PDF it pages through, and how turns are summarised.
 */

/**
 * Luma (BT.601 weights, full range, rounded to 0..255) of every pixel of an RGBA buffer
 * (canvas getImageData). Self-contained: injected into the viewer page.
 */
export function lumaOfRgba(rgba: ArrayLike<number>): Uint8Array {
  const n = Math.floor(rgba.length / 4);
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[i] = Math.round((rgba[j]! * 299 + rgba[j + 1]! * 587 + rgba[j + 2]! * 114) / 1000);
  }
  return out;
}

/** The highest PSNR reported: identical pictures would otherwise be infinite. */
export const PSNR_CAP_DB = 99;

/**
 * Peak signal-to-noise ratio of two equally long 8-bit planes, in dB (capped at PSNR_CAP_DB).
 * Self-contained: injected into the viewer page.
 */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`psnr: planes of ${a.length} and ${b.length} values`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  const mse = sum / a.length;
  return mse === 0 ? 99 : Math.min(99, 10 * Math.log10((255 * 255) / mse));
}

/**
 * Luma of the top-left `width`x`height` of a bgr0 frame (Xvfb's screen file: B, G, R, unused
 * per pixel, `bytesPerLine` per row), with the same weights and rounding as lumaOfRgba.
 */
export function lumaOfBgr0(frame: Buffer, bytesPerLine: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    let j = y * bytesPerLine;
    for (let x = 0, i = y * width; x < width; x++, i++, j += 4) {
      out[i] = Math.round((frame[j + 2]! * 299 + frame[j + 1]! * 587 + frame[j]! * 114) / 1000);
    }
  }
  return out;
}

/** The session's screen file under a server's RUNTIME_DIR (`…/<session id>/fb/Xvfb_screen0`). */
export function findSessionFramebuffer(runtimeDir: string, sessionId: string): string {
  const usual = path.join(runtimeDir, 'sessions', sessionId, 'fb', 'Xvfb_screen0');
  if (fs.existsSync(usual)) return usual;
  const entries = fs.readdirSync(runtimeDir, { recursive: true, encoding: 'utf8' });
  const rel = entries.find(
    (e) => path.basename(e) === 'Xvfb_screen0' && e.split(path.sep).slice(-3, -2)[0] === sessionId,
  );
  if (!rel) throw new Error(`no framebuffer file of session ${sessionId} under ${runtimeDir}`);
  return path.join(runtimeDir, rel);
}

/** A sample of the decoded video, ms after the key press, scored against the still framebuffer. */
export interface ScoredSample {
  t: number;
  /** Luma PSNR in dB; null if no decoded picture was there to sample. */
  psnr: number | null;
  /** The decoded picture's intrinsic size (the reference's when not scaled by the controller). */
  width: number;
  height: number;
}

/**
 * PSNR of the picture on screen `atMs` after the key press: the last sample taken at or before
 * it (a sample up to `slackMs` late still counts: timer jitter); null if there is none.
 */
export function psnrAt(samples: readonly ScoredSample[], atMs: number, slackMs = 30): number | null {
  let best: ScoredSample | undefined;
  for (const s of samples) if (s.t <= atMs + slackMs && (!best || s.t > best.t)) best = s;
  return best?.psnr ?? null;
}

/** The first sample time at which the picture reached `db`; null if it did not. */
export function timeToReach(samples: readonly ScoredSample[], db: number): number | null {
  const s = [...samples].sort((a, b) => a.t - b.t).find((x) => x.psnr !== null && x.psnr >= db);
  return s ? s.t : null;
}

/**
 * Median where null means "more than the window" (sorted last): a turn that never got there
 * still counts, and the median is null ("not reached") when more than half did not.
 */
export function medianNotReached(values: ReadonlyArray<number | null>): number | null {
  if (values.length === 0) return null;
  const v = values.map((x) => x ?? Infinity).sort((a, b) => a - b);
  const mid = (v.length - 1) / 2;
  const m = (v[Math.floor(mid)]! + v[Math.ceil(mid)]!) / 2;
  return Number.isFinite(m) ? m : null;
}

const WORDS = (
  'the of and to in is that for it as with was on be by this are from at or an which have not ' +
  'stream frame encoder bitrate link picture session display viewer sandbox server client page ' +
  'document sharp text quality network packet buffer rate control keyframe latency pixel screen ' +
  'measure result median turn second target path browser decoder refine converge still motion'
).split(' ');

/**
 * A PDF of `pages` pages of body text as a report or paper has it: a heading (Helvetica-Bold
 * 18 pt) and about fifty lines of 10 pt Times-Roman in paragraphs, different words on every
 * page (a fixed pseudo-random sequence, so every run pages through the same text).
 */
export function writeTextPdf(file: string, pages: number): void {
  let seed = 13;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>',
  ];
  const kids: string[] = [];
  for (let p = 0; p < pages; p++) {
    const lines: string[] = [`BT /F2 18 Tf 72 730 Td (${p + 1}. Section ${p + 1} of the sample report) Tj ET`];
    let y = 700;
    for (let l = 0; y > 80; l++) {
      const paragraphEnd = l % 9 === 8;
      let line = '';
      while (line.length < (paragraphEnd ? 40 : 92)) line += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
      lines.push(`BT /F1 10 Tf 72 ${y} Td (${line.trim()}) Tj ET`);
      y -= paragraphEnd ? 22 : 12;
    }
    const content = lines.join('\n');
    const contentId = objects.length + 1;
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    const pageId = objects.length + 1;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentId} 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>`,
    );
    kids.push(`${pageId} 0 R`);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
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
