import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoFilterArgs, watermarkInputArgs } from '../../src/media/encoder.ts';
import { coversEveryQuarter, stampLines } from '../../src/media/watermark.ts';
import { WatermarkImages, type WatermarkImage } from '../../src/media/watermark-images.ts';

// The watermark as FFmpeg really draws it (libass, Noto fonts) and as the encoder's filter graph
// lays it over a frame: every computed stamp is drawn, nothing is drawn outside them, the
// strength is the one asked for, and hostile file names survive the filter graph's escaping.
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
let tmp: string;

beforeAll(() => {
  // Every character the filter graph gives a meaning, in the session folder's name.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wm it's [a],b;c=d \\e:f-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const lines = stampLines('wanda@example.test', '3f2a1b4c-0000-4000-8000-000000000000', new Date('2025-06-01T14:03Z'));

/** A session folder of its own for each set of pictures (one WatermarkImages per session folder). */
const sessionDir = () => fs.mkdtempSync(path.join(tmp, 'session-'));

/** The alpha plane of a drawn yuva420p picture (Y, U, V, then A). */
function alphaOf(image: WatermarkImage): Uint8Array {
  const bytes = fs.readFileSync(image.file);
  const n = image.width * image.height;
  expect(bytes.length).toBe(n + 2 * (n / 4) + n);
  return bytes.subarray(n + n / 2);
}

describe('drawn watermark', () => {
  for (const [width, height] of [
    [1280, 720],
    [640, 360],
  ] as const) {
    it(`${width}x${height}: every stamp is drawn, nothing outside them, at the strength asked for`, async () => {
      const images = new WatermarkImages({
        ffmpegPath: FFMPEG,
        dir: sessionDir(),
        lines,
        style: { density: 'dense', opacity: 0.2 },
      });
      const image = await images.imageFor(width, height);
      const layout = await images.layout(width, height);
      expect(coversEveryQuarter({ width, height }, layout)).toBe(true);
      const alpha = alphaOf(image);
      const inStamp = (x: number, y: number) =>
        layout.stamps.some((s) => Math.abs(x - s.x) <= layout.halfX && Math.abs(y - s.y) <= layout.halfY);
      let max = 0;
      const inked = new Set<number>();
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const a = alpha[y * width + x]!;
          if (a === 0) continue;
          max = Math.max(max, a);
          expect(inStamp(x, y), `ink at ${x},${y} outside every stamp`).toBe(true);
          layout.stamps.forEach((s, i) => {
            if (Math.abs(x - s.x) <= layout.halfX && Math.abs(y - s.y) <= layout.halfY) inked.add(i);
          });
        }
      }
      expect(inked.size).toBe(layout.stamps.length);
      expect(Math.abs(max - 0.2 * 255)).toBeLessThanOrEqual(2);
    });
  }

  it('draws CJK and Arabic names with a fallback font (different names, different ink)', async () => {
    const ink = async (label: string) => {
      const images = new WatermarkImages({
        ffmpegPath: FFMPEG,
        dir: sessionDir(),
        lines: stampLines(label, 'abcdef12', new Date(0)),
        style: { density: 'sparse', opacity: 0.25 },
      });
      return alphaOf(await images.imageFor(640, 360));
    };
    const [a, b, c] = await Promise.all([ink('王小明'), ink('李大龙'), ink('محمد علي')]);
    expect(a.some((v) => v > 0)).toBe(true);
    // Missing glyphs would all be the same empty box.
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(c.some((v) => v > 0)).toBe(true);
  });

  it('lets go of a picture no encoder will start with, and draws it again when asked', async () => {
    const images = new WatermarkImages({
      ffmpegPath: FFMPEG,
      dir: sessionDir(),
      lines,
      style: { density: 'normal', opacity: 0.12 },
    });
    const first = await images.imageFor(320, 240);
    expect(await images.imageFor(320, 240)).toBe(first);
    images.release(first);
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(first.file)).toBe(false);
    const again = await images.imageFor(320, 240);
    expect(again.file).not.toBe(first.file);
    expect(fs.existsSync(again.file)).toBe(true);
  });
});

describe('encoder filter graph', () => {
  it('lays the stamps over the picture, scaled with it when it is sent smaller', async () => {
    const images = new WatermarkImages({
      ffmpegPath: FFMPEG,
      dir: sessionDir(),
      lines,
      style: { density: 'dense', opacity: 0.25 },
    });
    const [width, height] = [640, 360];
    const image = await images.imageFor(width, height);
    // A white bgr0 frame in, luma out: the stamps darken it where they are, and only there.
    const frame = path.join(tmp, 'frame.bgr0');
    fs.writeFileSync(frame, Buffer.alloc(width * height * 4, 255));
    for (const scaledTo of [undefined, { width: 320, height: 180 }]) {
      const out = scaledTo ?? { width, height };
      const luma = execFileSync(FFMPEG, [
        '-hide_banner',
        '-loglevel',
        'error',
        ...watermarkInputArgs({ watermark: image }),
        '-f',
        'rawvideo',
        '-pix_fmt',
        'bgr0',
        '-video_size',
        `${width}x${height}`,
        '-i',
        frame,
        ...videoFilterArgs({ width, height, scaledTo, watermark: image }),
        '-frames:v',
        '1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        'pipe:1',
      ]);
      expect(luma.length).toBe(out.width * out.height);
      const darker = luma.filter((v) => v < 235).length;
      expect(darker / luma.length, `${out.width}x${out.height}`).toBeGreaterThan(0.005);
      expect(darker / luma.length).toBeLessThan(0.2);
      // Each quarter has some.
      for (const [qx, qy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        let n = 0;
        for (let y = (qy * out.height) / 2; y < ((qy + 1) * out.height) / 2; y++)
          for (let x = (qx * out.width) / 2; x < ((qx + 1) * out.width) / 2; x++)
            if (luma[y * out.width + x]! < 235) n++;
        expect(n, `quarter ${qx},${qy}`).toBeGreaterThan(20);
      }
    }
  });
});
