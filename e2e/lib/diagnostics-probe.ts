/**
 * Decoder for the frames drawn by the diagnostics app (apps/diagnostics).
 *
 * The app draws 64 bits as a grid of 2 rows x 32 columns of 24 px square
 * blocks at (16,16) display pixels; bit i (0 = most significant) is at row
 * i/32, column i%32; 1 = white, 0 = black. Bytes, most significant first:
 *   0..5  wall-clock milliseconds since the Unix epoch (48 bits), read right
 *         before the frame was drawn
 *   6     toggle counter (ButtonPress + KeyPress events so far, mod 256)
 *   7     check byte = byte0 ^ ... ^ byte6 ^ 0xA5
 * The toggle area x=64..544, y=160..520 is colour A = rgb(0,200,0) after an
 * even number of input events and colour B = rgb(200,0,200) after an odd one.
 *
 * Keep in sync with apps/diagnostics/src/diagnostics.c.
 */

export const DIAGNOSTICS_LAYOUT = {
  grid: { x: 16, y: 16, block: 24, cols: 32, rows: 2, border: 4 },
  toggle: { x0: 64, y0: 160, x1: 544, y1: 520 },
  toggleColorA: [0, 200, 0],
  toggleColorB: [200, 0, 200],
  checkXor: 0xa5,
} as const;

export interface DiagnosticsFrame {
  /** Wall-clock ms since the Unix epoch read just before the frame was drawn. */
  timestampMs: number;
  /** ButtonPress + KeyPress events seen by the app so far, mod 256. */
  toggles: number;
  /** Colour of the toggle area, or null if it matches neither colour. */
  toggleColor: 'a' | 'b' | null;
}

/**
 * Decodes one RGBA frame (display pixels, row-major, 4 bytes per pixel).
 * Returns null if the frame is too small or the check byte does not match.
 *
 * SELF-CONTAINED on purpose: it references nothing outside its own body, so
 * tests can inject it into a browser page (page.evaluate / fn.toString()).
 * Do not move the constants out of the function.
 */
export function decodeDiagnosticsFrame(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
): DiagnosticsFrame | null {
  const GRID_X = 16;
  const GRID_Y = 16;
  const BLOCK = 24;
  const COLS = 32;
  const ROWS = 2;
  const SAMPLE = 8; // side of the averaged square at each block's centre
  const TOGGLE_X0 = 64;
  const TOGGLE_Y0 = 160;
  const TOGGLE_X1 = 544;
  const TOGGLE_Y1 = 520;
  const TOGGLE_SAMPLE = 16;
  const COLOR_A = [0, 200, 0];
  const COLOR_B = [200, 0, 200];
  const MAX_COLOR_DISTANCE = 150; // A and B are ~346 apart
  const CHECK_XOR = 0xa5;

  if (
    !(width > 0 && height > 0) ||
    width < GRID_X + COLS * BLOCK ||
    height < GRID_Y + ROWS * BLOCK ||
    rgba.length < width * height * 4
  ) {
    return null;
  }

  // Average of an n x n square whose top-left corner is (x0, y0), clipped.
  const average = (x0: number, y0: number, n: number): [number, number, number] => {
    let r = 0;
    let g = 0;
    let b = 0;
    let count = 0;
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + n); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + n); x++) {
        const i = (y * width + x) * 4;
        r += rgba[i] ?? 0;
        g += rgba[i + 1] ?? 0;
        b += rgba[i + 2] ?? 0;
        count++;
      }
    }
    return count === 0 ? [0, 0, 0] : [r / count, g / count, b / count];
  };

  const bytes = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 64; i++) {
    const cx = GRID_X + (i % COLS) * BLOCK + BLOCK / 2;
    const cy = GRID_Y + Math.floor(i / COLS) * BLOCK + BLOCK / 2;
    const [r, g, b] = average(cx - SAMPLE / 2, cy - SAMPLE / 2, SAMPLE);
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    if (luma >= 128) {
      const byteIndex = Math.floor(i / 8);
      bytes[byteIndex] = (bytes[byteIndex] ?? 0) | (0x80 >> (i % 8));
    }
  }

  let check = CHECK_XOR;
  for (let i = 0; i < 7; i++) check ^= bytes[i] ?? 0;
  if (check !== bytes[7]) return null;

  // 48-bit value: too wide for bitwise ops, so accumulate with arithmetic.
  let timestampMs = 0;
  for (let i = 0; i < 6; i++) timestampMs = timestampMs * 256 + (bytes[i] ?? 0);

  let toggleColor: 'a' | 'b' | null = null;
  const tcx = Math.floor((TOGGLE_X0 + TOGGLE_X1) / 2);
  const tcy = Math.floor((TOGGLE_Y0 + TOGGLE_Y1) / 2);
  if (tcx + TOGGLE_SAMPLE / 2 <= width && tcy + TOGGLE_SAMPLE / 2 <= height) {
    const c = average(tcx - TOGGLE_SAMPLE / 2, tcy - TOGGLE_SAMPLE / 2, TOGGLE_SAMPLE);
    const distance = (ref: number[]): number =>
      Math.hypot(c[0] - (ref[0] ?? 0), c[1] - (ref[1] ?? 0), c[2] - (ref[2] ?? 0));
    const da = distance(COLOR_A);
    const db = distance(COLOR_B);
    if (da <= db && da < MAX_COLOR_DISTANCE) toggleColor = 'a';
    else if (db < da && db < MAX_COLOR_DISTANCE) toggleColor = 'b';
  }

  return { timestampMs, toggles: bytes[6] ?? 0, toggleColor };
}
