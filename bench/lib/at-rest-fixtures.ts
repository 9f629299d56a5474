import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FolderListing } from '@vitrine/protocol';
import { api } from '../../server/test/helpers.ts';
import type { TestUser } from '../../server/test/auth-client.ts';
import { FIRST_COLOUR, SEEK_COLOUR, type Rgb } from './at-rest-session.ts';

/**
 * The files of bench/encryption.ts, made once on the local disk and then uploaded through the
 * API into each server's owner storage (on the encrypted volume when ENCRYPTION=on).
 */

export interface VideoSpec {
  seconds: number;
  /** x264's average bitrate target; testsrc2 with the box comes out at ~70 % of it. */
  bitrateMbps: number;
}

const hex = (rgb: Rgb) => `0x${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

/**
 * 1920x1080 30 fps H.264 of testsrc2 (moving, hard to compress) with a solid box over the middle
 * half: FIRST_COLOUR for the first quarter, SEEK_COLOUR after, so that the first frame and a
 * frame past the middle can be told apart on screen. Keyframes every 2 s (as web video); the
 * moov box stays at the end (no +faststart), as in camera files, so opening it reads the far end.
 */
export function makeVideo(file: string, spec: VideoSpec): void {
  const box = (rgb: Rgb, when: string) =>
    `drawbox=x=iw/4:y=ih/4:w=iw/2:h=ih/2:color=${hex(rgb)}:t=fill:enable='${when}'`;
  const quarter = spec.seconds / 4;
  execFileSync(process.env.FFMPEG_PATH ?? 'ffmpeg', [
    ...['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30'],
    ...[
      '-t',
      String(spec.seconds),
      '-vf',
      `${box(FIRST_COLOUR, `lt(t,${quarter})`)},${box(SEEK_COLOUR, `gte(t,${quarter})`)}`,
    ],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-b:v', `${spec.bitrateMbps}M`, '-pix_fmt', 'yuv420p'],
    file,
  ]);
}

/** Streams a local file into the owner's storage at `rel` (PUT /api/files/content). */
export async function uploadFile(owner: TestUser, rel: string, file: string): Promise<void> {
  const size = fs.statSync(file).size;
  const res = await fetch(`${owner.url}/api/files/content?path=${encodeURIComponent(rel)}`, {
    method: 'PUT',
    headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
    duplex: 'half',
  });
  if (res.status !== 201) throw new Error(`uploading ${rel}: ${res.status} ${await res.text()}`);
}

/** A folder of `count` small files (1 KiB), uploaded `concurrency` at a time. */
export async function uploadManyFiles(owner: TestUser, folder: string, count: number, concurrency = 8) {
  const made = await api(owner, 'POST', '/api/files/folders', { path: folder });
  if (made.status !== 201) throw new Error(`creating ${folder}: ${made.status} ${JSON.stringify(made.body)}`);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const rel = `${folder}/file-${String(i).padStart(5, '0')}.txt`;
      const res = await fetch(`${owner.url}/api/files/content?path=${encodeURIComponent(rel)}`, {
        method: 'PUT',
        headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(1024, 97 + (i % 26)),
      });
      if (res.status !== 201) throw new Error(`uploading ${rel}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** GET /api/files?path=folder, parsed, timed from the request to the parsed answer; ms. */
export async function listingMs(owner: TestUser, folder: string, expected: number): Promise<number> {
  const t = performance.now();
  const res = await api<FolderListing>(owner, 'GET', `/api/files?path=${encodeURIComponent(folder)}`);
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`listing ${folder}: ${res.status} ${JSON.stringify(res.body)}`);
  if (res.body.entries.length !== expected)
    throw new Error(`${folder}: ${res.body.entries.length} entries, expected ${expected}`);
  return ms;
}

/** Where the bench keeps what it makes for one run of it. */
export function workPaths(work: string) {
  return {
    video: path.join(work, 'film-1080p.mp4'),
    warmUpVideo: path.join(work, 'warmup-clip.mp4'),
    pdf: path.join(work, 'report-300-pages.pdf'),
    warmUpPdf: path.join(work, 'warmup-pages.pdf'),
  };
}
