import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  coversEveryQuarter,
  filterValue,
  layoutStamps,
  measureCanvas,
  measureDocument,
  metricsFromInk,
  stampDocument,
  type StampLayout,
  type StampMetrics,
  type WatermarkStyle,
} from './watermark.ts';

/** A drawn watermark: raw yuva420p (one frame) for a captured region of `width`x`height`. */
export interface WatermarkImage {
  file: string;
  width: number;
  height: number;
}

/**
 * What the video pipeline asks of a session's watermark: its picture for a captured size, and
 * letting go of one no new encoder will read (encoders that opened it keep what they read).
 */
export interface WatermarkSource {
  imageFor(width: number, height: number): Promise<WatermarkImage>;
  release(image: WatermarkImage): void;
}

export interface WatermarkImagesOptions {
  ffmpegPath: string;
  /** The session folder (not mounted into the sandbox: the app cannot touch what is drawn); one instance per folder. */
  dir: string;
  /** The stamp's lines (stampLines). */
  lines: string[];
  style: WatermarkStyle;
}

const RENDER_TIMEOUT_MS = 15_000;

/**
 * A session's watermark pictures, drawn by FFmpeg's libass (font fallback through fontconfig, so
 * CJK and Arabic labels are drawn with Noto; Arabic is shaped) once per captured size and kept
 * in the session folder as raw yuva420p, which an encoder reads as its first input when it starts:
 * nothing is drawn or decoded on a keyframe's path, and a still screen costs nothing more.
 * The text is measured once (it decides how large the stamps are); the stamps' positions come
 * from `layoutStamps`. Any failure rejects: the pipeline then ends the session (fail closed).
 */
export class WatermarkImages implements WatermarkSource {
  private readonly opts: WatermarkImagesOptions;
  private metrics: Promise<StampMetrics> | undefined;
  private readonly images = new Map<string, Promise<WatermarkImage>>();
  /** The drawn ones among them (what `release` may let go of). */
  private readonly drawn = new Map<string, WatermarkImage>();
  private draws = 0;

  constructor(opts: WatermarkImagesOptions) {
    this.opts = opts;
  }

  /**
   * New words for the stamps (someone started or stopped watching): every size is drawn again
   * when next asked. Pictures already handed out stay until the pipeline lets go of them.
   */
  setLines(lines: string[]): void {
    this.opts.lines = lines;
    this.metrics = undefined;
    this.images.clear();
    this.drawn.clear();
  }

  imageFor(width: number, height: number): Promise<WatermarkImage> {
    const key = `${width}x${height}`;
    let image = this.images.get(key);
    if (!image) {
      const drawing = this.draw(width, height);
      image = drawing;
      this.images.set(key, drawing);
      void drawing.then(
        (img) => {
          if (this.images.get(key) === drawing) this.drawn.set(key, img);
        },
        () => {
          // Asked again, it is tried again (the caller has the rejection).
          if (this.images.get(key) === drawing) this.images.delete(key);
        },
      );
    }
    return image;
  }

  /** No new encoder will read it (the picture has another size now): its file goes; asked again, it is drawn again. */
  release(image: WatermarkImage): void {
    const key = `${image.width}x${image.height}`;
    if (this.drawn.get(key)?.file === image.file) {
      this.drawn.delete(key);
      this.images.delete(key);
    }
    void fs.promises.rm(image.file, { force: true }).catch(() => {});
  }

  private measure(): Promise<StampMetrics> {
    this.metrics ??= (async () => {
      const canvas = measureCanvas(this.opts.lines);
      const doc = path.join(this.opts.dir, 'watermark-measure.ass');
      await fs.promises.writeFile(doc, measureDocument(this.opts.lines), { mode: 0o600 });
      const gray = await runFfmpeg(this.opts.ffmpegPath, [
        '-f',
        'lavfi',
        '-i',
        `color=c=black:s=${canvas.width}x${canvas.height}:r=1:d=1,format=rgb24,ass=filename=${filterValue(doc)}`,
        '-frames:v',
        '1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        'pipe:1',
      ]);
      if (gray.length !== canvas.width * canvas.height)
        throw new Error(`measuring the watermark gave ${gray.length} bytes`);
      return metricsFromInk(gray, canvas);
    })();
    return this.metrics;
  }

  /** Where the stamps of a picture of this size go (measuring the text first, once). */
  async layout(width: number, height: number): Promise<StampLayout> {
    return layoutStamps({ width, height }, this.opts.style.density, await this.measure());
  }

  private async draw(width: number, height: number): Promise<WatermarkImage> {
    const size = { width, height };
    const layout = await this.layout(width, height);
    if (!coversEveryQuarter(size, layout)) {
      throw new Error(`the watermark cannot cover every quarter of ${width}x${height} (label too long?)`);
    }
    // Each drawing its own name: letting go of an earlier one never removes a later one's file.
    const base = path.join(this.opts.dir, `watermark-${width}x${height}-${++this.draws}`);
    await fs.promises.writeFile(`${base}.ass`, stampDocument(size, layout, this.opts.lines), { mode: 0o600 });
    // Drawn opaque, then the whole picture's alpha scaled: libass's own transparency would be
    // applied twice to the alpha plane of a transparent canvas.
    const opacity = Math.min(1, Math.max(0, this.opts.style.opacity)).toFixed(3);
    await runFfmpeg(this.opts.ffmpegPath, [
      '-f',
      'lavfi',
      '-i',
      `color=c=white@0:s=${width}x${height}:r=1:d=1,format=rgba,ass=filename=${filterValue(`${base}.ass`)}:alpha=1,colorchannelmixer=aa=${opacity}`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuva420p',
      '-y',
      `${base}.tmp`,
    ]);
    await fs.promises.chmod(`${base}.tmp`, 0o600);
    await fs.promises.rename(`${base}.tmp`, `${base}.yuva`);
    return { file: `${base}.yuva`, width, height };
  }
}

/** Runs FFmpeg to completion; its stdout, or a rejection with the tail of its stderr. */
function runFfmpeg(ffmpegPath: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), RENDER_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      err = (err + d).slice(-1000);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg ${signal ?? `exit ${code}`}: ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}
