/**
 * The watermark's design, as pure functions: what a stamp says, where the stamps go, and the
 * subtitle document (ASS) libass draws them from. Drawing them (once per picture size, with
 * FFmpeg) is `watermark-images.ts`; laying the picture over each frame is the encoder's.
 *
 * A stamp is a small block of text (who is watching, the session, when it started), faint and
 * rising at STAMP_ANGLE_DEG. Stamps sit on a staggered lattice spaced so that every quarter of the
 * picture (any window of half its width and half its height, wherever it is cut out or
 * photographed) holds at least one whole stamp, and no wider: a line of text under a stamp is
 * crossed only over a short, slanted stretch, never covered along its length.
 */

export type WatermarkDensity = 'sparse' | 'normal' | 'dense';

/** How the owner set a share's watermark (bounds in protocol/src/shares.ts). */
export interface WatermarkStyle {
  density: WatermarkDensity;
  /** 0..1: how much a stamp's pixels replace the picture's. */
  opacity: number;
}

/** Stamps rise by this much (counter-clockwise on screen): they cross a text line, never run along it. */
export const STAMP_ANGLE_DEG = 30;
const COS = Math.cos((STAMP_ANGLE_DEG * Math.PI) / 180);
const SIN = Math.sin((STAMP_ANGLE_DEG * Math.PI) / 180);

/** A label line is at most this wide (a CJK character counts two) and the label at most two lines. */
export const LABEL_LINE_UNITS = 24;
const LABEL_LINES = 2;

/** Room between stamps for each density: the lattice's spacing as a share of the widest allowed. */
const SPACING: Record<WatermarkDensity, number> = { sparse: 1, normal: 0.7, dense: 0.5 };
/** A stamp takes at most this share of a quarter's width and height; the rest is the lattice's room. */
const FIT = 0.75;
const MIN_FONT_PX = 6;

/**
 * The label as a stamp may show it: no control or format characters (no line breaks, no bidi
 * overrides), none of the characters ASS gives a meaning (`{…}` overrides, `\N` escapes), one
 * space between words. The label is someone's name or e-mail address: hostile input.
 */
export function cleanLabel(label: string): string {
  return label
    .replace(/[{}\\]|(?!\s)[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Width units of a character: two for East Asian wide ones (CJK, kana, Hangul, full-width forms). */
function units(ch: string): number {
  return /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\u3000-\u303f\uff00-\uffef]/u.test(ch) ? 2 : 1;
}

/**
 * A clean label in at most two lines of LABEL_LINE_UNITS: broken at a space, before an `@` or
 * after `.`, `-` or `_` when one is in the second half of the line, else anywhere; what does not
 * fit ends in an ellipsis.
 */
export function wrapLabel(clean: string): string[] {
  const lines: string[] = [];
  let rest = [...clean];
  while (rest.length > 0 && lines.length < LABEL_LINES) {
    let width = 0;
    let end = 0;
    while (end < rest.length && width + units(rest[end]!) <= LABEL_LINE_UNITS) width += units(rest[end++]!);
    if (end === rest.length) {
      lines.push(rest.join('').trim());
      rest = [];
      break;
    }
    // The best break in the second half of the line: a space, else before the "@" (an address
    // keeps its domain whole), else after a dot, dash or underscore.
    let cut = end;
    let best = 0;
    for (let i = end; i > end / 2; i--) {
      const before = rest[i - 1]!;
      const at = rest[i]!;
      const rank = at === ' ' ? 3 : at === '@' ? 2 : before === '.' || before === '-' || before === '_' ? 1 : 0;
      if (rank > best) [cut, best] = [i, rank];
    }
    lines.push(rest.slice(0, cut).join('').trim());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest.shift();
  }
  if (rest.length > 0) {
    const last = [...lines.pop()!];
    let width = last.reduce((n, ch) => n + units(ch), 0);
    while (width + 1 > LABEL_LINE_UNITS) width -= units(last.pop()!);
    lines.push(`${last.join('').trimEnd()}…`);
  }
  return lines;
}

/** `2025-06-01 14:03 UTC`. */
export function formatStampTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * What each stamp says, line by line: who (the label, wrapped), the session (its id's first
 * eight characters) and when it started. The time is the session's start, not a running clock:
 * a still picture then stays still (nothing to re-encode) and the stamps are drawn only once.
 */
export function stampLines(label: string, sessionId: string, startedAt: Date, watchers: string[] = []): string[] {
  const who = wrapLabel(cleanLabel(label));
  const session = sessionId.replace(/[^0-9a-f]/gi, '').slice(0, 8);
  return [...(who.length > 0 ? who : ['?']), ...watchedBy(watchers), `session ${session}`, formatStampTime(startedAt)];
}

/**
 * One stream serves the client and whoever watches it live, so its stamps name them all: a
 * picture taken from either screen says who was looking. One line, within the label's width.
 */
function watchedBy(watchers: string[]): string[] {
  const names = [...new Set(watchers.map(cleanLabel).filter(Boolean))];
  if (names.length === 0) return [];
  const [line] = wrapLabel(`+ ${names.join(', ')}`);
  return line ? [line] : [];
}

/**
 * The ink of a stamp's text block (unrotated, without outline) around the point it is centred
 * on, in pixels per pixel of font size; measured once per session (the font depends on the label).
 */
export interface StampMetrics {
  halfWidth: number;
  halfHeight: number;
}

export interface StampLayout {
  fontSize: number;
  /** The light outline around the dark letters, in pixels (thin: 1, or 2 for large type). */
  outline: number;
  /** Half the rotated stamp's extent: a stamp centred on (x, y) lies within x ± halfX, y ± halfY. */
  halfX: number;
  halfY: number;
  /** The centre of every stamp (integers), all inside the picture. */
  stamps: Array<{ x: number; y: number }>;
}

/** The type size a picture of this size would like: ~20 px at 1920x1080, 13 at 1280x720, 27 at 2560x1440. */
export function preferredFontSize(width: number, height: number): number {
  return Math.min(28, Math.max(10, Math.round(Math.sqrt(width * height) / 72)));
}

/** Where a stamp of this type size reaches, rotated: its outline and a margin for hinting included. */
export function stampExtent(
  metrics: StampMetrics,
  fontSize: number,
): { outline: number; halfX: number; halfY: number } {
  const outline = fontSize >= 24 ? 2 : 1;
  const hw = metrics.halfWidth * fontSize * 1.03 + outline + 1;
  const hh = metrics.halfHeight * fontSize * 1.03 + outline + 1;
  return { outline, halfX: Math.ceil(hw * COS + hh * SIN), halfY: Math.ceil(hw * SIN + hh * COS) };
}

/**
 * The stamps of a picture. With `A`x`B` a quarter (half the width by half the height), a stamp
 * lies wholly inside a quarter window at (x0, y0) when its centre is within an inner window of
 * a = A − 2·halfX by b = B − 2·halfY. Rows `py` apart, each shifted by half the column spacing
 * `px` from the one before: any b tall window holds two consecutive rows (py ≤ b/2 − 1), whose
 * stamps together are px/2 apart (px ≤ 2·(a − 1)), so any a×b window holds a centre, with a pixel
 * to spare for rounding. Denser settings only shrink the spacing. The type is the picture's
 * preferred size, smaller if a stamp would not leave the lattice room (a long label, a small picture).
 */
export function layoutStamps(
  size: { width: number; height: number },
  density: WatermarkDensity,
  metrics: StampMetrics,
): StampLayout {
  const { width: W, height: H } = size;
  const A = Math.floor(W / 2);
  const B = Math.floor(H / 2);
  let fontSize = preferredFontSize(W, H);
  let extent = stampExtent(metrics, fontSize);
  while (fontSize > MIN_FONT_PX && (2 * extent.halfX > FIT * A || 2 * extent.halfY > FIT * B)) {
    extent = stampExtent(metrics, --fontSize);
  }
  const a = Math.max(4, A - 2 * extent.halfX);
  const b = Math.max(4, B - 2 * extent.halfY);
  const px = Math.max(4, 2 * (a - 1) * SPACING[density]);
  const py = Math.max(2, (b / 2 - 1) * SPACING[density]);
  const stamps: Array<{ x: number; y: number }> = [];
  const rows = Math.ceil(H / 2 / py);
  for (let j = -rows; j <= rows; j++) {
    const y = Math.round(H / 2 + j * py);
    if (y < 0 || y > H) continue;
    const shift = (Math.abs(j) % 2) * (px / 2);
    const cols = Math.ceil(W / 2 / px) + 1;
    for (let i = -cols; i <= cols; i++) {
      const x = Math.round(W / 2 + shift + i * px);
      if (x >= 0 && x <= W) stamps.push({ x, y });
    }
  }
  return { fontSize, ...extent, stamps };
}

/**
 * Whether every quarter window (`floor(W/2)`x`floor(H/2)` at any whole-pixel position) holds a
 * whole stamp. Each stamp covers the window positions it fits in (a rectangle of them); the
 * positions are marked, then counted. Used by the tests and as a guard before drawing.
 */
export function coversEveryQuarter(size: { width: number; height: number }, layout: StampLayout): boolean {
  const A = Math.floor(size.width / 2);
  const B = Math.floor(size.height / 2);
  const nx = size.width - A + 1;
  const ny = size.height - B + 1;
  const covered = new Uint8Array(nx * ny);
  for (const s of layout.stamps) {
    const x0 = Math.max(0, s.x + layout.halfX - A);
    const x1 = Math.min(nx - 1, s.x - layout.halfX);
    const y0 = Math.max(0, s.y + layout.halfY - B);
    const y1 = Math.min(ny - 1, s.y - layout.halfY);
    for (let y = y0; y <= y1; y++) covered.fill(1, y * nx + x0, y * nx + x1 + 1);
  }
  return covered.every((c) => c === 1);
}

/**
 * Dark letters with a thin light outline, so a stamp shows on light and dark pictures alike;
 * bold, because faint thin strokes are what a video encoder smooths away first. ASS colours are
 * &HAABBGGRR: opaque here; the opacity is applied to the drawn picture as a whole.
 */
const INK = '&H00303030';
const OUTLINE = '&H00F0F0F0';
export const STAMP_FONT = 'Noto Sans';

function document(
  size: { width: number; height: number },
  style: { fontSize: number; outline: number; angle: number; alignment: number },
  events: string[],
): string {
  return [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${size.width}`,
    `PlayResY: ${size.height}`,
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: None',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: Stamp,${STAMP_FONT},${style.fontSize},${INK},&HFF000000,${OUTLINE},&HFF000000,-1,0,0,0,100,100,0,${style.angle},1,${style.outline},0,${style.alignment},0,0,0,1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...events,
    '',
  ].join('\n');
}

/** The text of one ASS event: lines already clean (cleanLabel), joined by ASS line breaks. */
function eventText(lines: string[]): string {
  return lines.map(cleanLabel).join('\\N');
}

/** The stamps of a layout as an ASS document for a picture of `size` (drawn centred, rotated). */
export function stampDocument(size: { width: number; height: number }, layout: StampLayout, lines: string[]): string {
  const text = eventText(lines);
  return document(
    size,
    { fontSize: layout.fontSize, outline: layout.outline, angle: STAMP_ANGLE_DEG, alignment: 5 },
    layout.stamps.map((s) => `Dialogue: 0,0:00:00.00,0:01:00.00,Stamp,,0,0,0,,{\\pos(${s.x},${s.y})}${text}`),
  );
}

/** Where one stamp is measured: unrotated, no outline, centred on a canvas wide enough for any label. */
export const MEASURE_FONT_PX = 64;
export function measureCanvas(lines: string[]): { width: number; height: number } {
  return { width: (LABEL_LINE_UNITS + 4) * MEASURE_FONT_PX, height: (lines.length + 2) * 2 * MEASURE_FONT_PX };
}

export function measureDocument(lines: string[]): string {
  const size = measureCanvas(lines);
  return document(size, { fontSize: MEASURE_FONT_PX, outline: 0, angle: 0, alignment: 5 }, [
    `Dialogue: 0,0:00:00.00,0:01:00.00,Stamp,,0,0,0,,{\\pos(${size.width / 2},${size.height / 2})}${eventText(lines)}`,
  ]);
}

/**
 * The metrics from a measuring canvas's grey plane (measureCanvas size, ink > 0): the ink's
 * furthest reach from the centre, each way, per pixel of font size. Throws when nothing was drawn.
 */
export function metricsFromInk(gray: Uint8Array, size: { width: number; height: number }): StampMetrics {
  let left = size.width;
  let right = -1;
  let top = size.height;
  let bottom = -1;
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      if (gray[y * size.width + x]! <= 8) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  if (right < 0) throw new Error('the watermark text drew nothing (no font?)');
  const cx = size.width / 2;
  const cy = size.height / 2;
  return {
    halfWidth: Math.max(cx - left, right + 1 - cx) / MEASURE_FONT_PX,
    halfHeight: Math.max(cy - top, bottom + 1 - cy) / MEASURE_FONT_PX,
  };
}

/**
 * A value for an option of a filter inside an FFmpeg filter graph, escaped twice: for the
 * option parser (`\`, `'`, `:`), then for the graph parser (`\`, `'`, `[`, `]`, `,`, `;`).
 * Whitespace at either end would be trimmed by the parser: refused.
 */
export function filterValue(value: string): string {
  if (value !== value.trim() || value === '') throw new Error('a filter value may not start or end with whitespace');
  const option = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}
