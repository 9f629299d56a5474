/**
 * Timed reads for bench/encryption-candidates.ts: FFmpeg's first frame and a seek, a folder
 * listing as a file manager makes it, and a sequential read; "cold" after dropping the kernel's
 * caches.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Writes dirty pages, then drops the page cache, dentries and inodes of every file system. */
export function dropCaches(): void {
  execFileSync('sync');
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
}

const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';

/** Wall time of one FFmpeg run, in ms; throws with FFmpeg's message when it fails. */
function timeFfmpeg(args: string[]): number {
  const t = performance.now();
  const done = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', ...args], { encoding: 'utf8', timeout: 120_000 });
  const ms = performance.now() - t;
  if (done.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${done.error?.message ?? done.stderr.trim()}`);
  return ms;
}

/** Decoding the first video frame, as a player opening the file does. */
export function firstFrameMs(file: string): number {
  return timeFfmpeg(['-i', file, '-frames:v', '1', '-f', 'null', '-']);
}

/** Seeking (input seek) to `seconds` and decoding one frame there. */
export function seekMs(file: string, seconds: number): number {
  return timeFfmpeg(['-ss', seconds.toFixed(3), '-i', file, '-frames:v', '1', '-f', 'null', '-']);
}

/**
 * After dropCaches, FFmpeg's own binary and libraries would be read from disk too, the same cost
 * on every candidate: decoding a small clip on plain ext4 brings them back, so that a cold
 * measurement reads only the candidate's file from disk.
 */
export function warmFfmpeg(clip: string): void {
  firstFrameMs(clip);
}

/** A 1-second 1080p H.264 clip for warmFfmpeg. */
export function writeWarmUpClip(file: string): void {
  execFileSync(FFMPEG, [
    ...['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-t', '1'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file],
  ]);
}

/** Duration of a media file in seconds (ffprobe). */
export function durationSeconds(file: string): number {
  const probe = process.env.FFPROBE_PATH ?? 'ffprobe';
  const out = execFileSync(probe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  });
  const seconds = Number(out.trim());
  if (!(seconds > 0)) throw new Error(`ffprobe gave no duration for ${file}: "${out.trim()}"`);
  return seconds;
}

/**
 * A listing as Vitrine's storage (OwnerStorage.list) and a file manager make it: the names, then
 * lstat of every entry, all in flight at once. Returns ms; throws unless `expected` entries came.
 */
export async function listingMs(dir: string, expected: number): Promise<number> {
  const t = performance.now();
  const names = await fs.promises.readdir(dir);
  const stats = await Promise.all(names.map((name) => fs.promises.lstat(path.join(dir, name))));
  const ms = performance.now() - t;
  if (stats.length !== expected) throw new Error(`${dir}: listed ${stats.length} entries, expected ${expected}`);
  return ms;
}

const CHUNK = 1 << 20;

/** Reads the whole file start to end in 1 MiB reads; returns MB/s (10^6 bytes). */
export function sequentialMBps(file: string): number {
  const buffer = Buffer.allocUnsafe(CHUNK);
  const fd = fs.openSync(file, 'r');
  let bytes = 0;
  const t = performance.now();
  try {
    for (let n = fs.readSync(fd, buffer, 0, CHUNK, null); n > 0; n = fs.readSync(fd, buffer, 0, CHUNK, null))
      bytes += n;
  } finally {
    fs.closeSync(fd);
  }
  return bytes / 1e6 / ((performance.now() - t) / 1000);
}
