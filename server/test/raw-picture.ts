import fs from 'node:fs';

/**
 * Writes a `width`x`height` bgr0 picture (what Xvfb's screen file holds) whose colours depend on
 * `shade`, for tests that feed the real frame pump and FFmpeg without a display.
 */
export function paintRawPicture(file: string, width: number, height: number, shade: number): void {
  const frame = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    frame[i * 4] = (x + shade) & 0xff;
    frame[i * 4 + 1] = shade & 0xff;
    frame[i * 4 + 2] = (255 - shade) & 0xff;
  }
  // In place, as Xvfb changes its screen file: truncating it first (writeFileSync) left the frame
  // pump reading past its end for a moment ("region beyond the end of the file", CI).
  const fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w');
  try {
    fs.writeSync(fd, frame, 0, frame.length, 0);
  } finally {
    fs.closeSync(fd);
  }
}
