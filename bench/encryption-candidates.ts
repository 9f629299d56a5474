/**
 * What encrypting owners' files at rest costs (issue 18): a 1 GiB 1080p H.264 MP4 (first frame,
 * seek to the middle, sequential read) and a folder of 5,000 small files (readdir + lstat of
 * each), on plain ext4, fscrypt (ext4 `encrypt` loop image, v2 policy), gocryptfs (FUSE), and
 * ext4 on a loop image without encryption (to tell the loop device's cost from the encryption's).
 * Cold = after dropping the kernel's caches; warm = the same again right after.
 *
 *   node bench/encryption-candidates.ts [--runs 7] [--files 5000] [--video FILE] [--out FILE]
 *
 * Needs root (loop mounts, drop_caches), gocryptfs (+ fuse3) and `make -C native`
 * (native/build/vitrine-fscrypt). Writes bench/ENCRYPTION-CANDIDATES.md; everything it makes
 * lives in one temporary folder, unmounted and removed at the end, on error and on a signal.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import * as read from './lib/cold-read.ts';
import * as mounts from './lib/encryption-mounts.ts';
import type { Candidate, CandidateKey } from './lib/encryption-mounts.ts';
import * as report from './lib/encryption-report.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    files: { type: 'string', default: '5000' },
    video: { type: 'string' },
    out: { type: 'string', default: path.join(REPO, 'bench', 'ENCRYPTION-CANDIDATES.md') },
  },
});
const RUNS = Number(values.runs);
const FILES = Number(values.files);
if (!(RUNS >= 1) || !(FILES >= 1)) throw new Error('--runs and --files must be positive numbers');
const HELPER = path.join(REPO, 'native', 'build', 'vitrine-fscrypt');
const VIDEO_BYTES = 2 ** 30;
// Keyframe every 2 s (as web video); the moov box stays at the end (no +faststart), as in many
// camera and download files, so the first frame needs a read at the far end of the file.
const VIDEO_ARGS = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-b:v', '60M', '-pix_fmt', 'yuv420p'];

if (process.getuid?.() !== 0) throw new Error('run as root: loop mounts and drop_caches need it');
if (!fs.existsSync(HELPER)) throw new Error(`${HELPER} is missing: make -C native`);
mounts.run('gocryptfs', ['-version']);
// Other jobs share this machine: the bench and what it starts (FFmpeg, the gocryptfs daemon)
// run at the highest priority, so that their timings wait less for others' CPU time.
os.setPriority(-20);

const cleanup = new mounts.Cleanup();
const started = Date.now();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-bench-encryption-'));
cleanup.push(`remove ${work}`, () => fs.rmSync(work, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    for (const failure of cleanup.runAll()) console.error(`cleanup failed: ${failure}`);
    process.exit(128 + os.constants.signals[signal]);
  });
}

function makeVideo(file: string): void {
  const t = performance.now();
  console.log(`making a ${VIDEO_BYTES / 2 ** 30} GiB 1080p H.264 video (testsrc2, 60 Mbit/s target) …`);
  execFileSync('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30'],
    ...['-t', '3600', '-fs', String(VIDEO_BYTES), ...VIDEO_ARGS, file],
  ]);
  console.log(`(made in ${((performance.now() - t) / 1000).toFixed(0)} s)`);
}

/** One cold and one warm reading of every metric on one candidate. */
async function measure(c: Candidate, middle: number, clip: string, into: report.Samples): Promise<void> {
  const video = path.join(c.dir, 'video.mp4');
  const listing = path.join(c.dir, 'listing');
  const cold = () => {
    read.dropCaches();
    read.warmFfmpeg(clip);
  };
  cold();
  into.firstFrameCold.push(read.firstFrameMs(video));
  into.firstFrameWarm.push(read.firstFrameMs(video));
  cold();
  into.seekCold.push(read.seekMs(video, middle));
  into.seekWarm.push(read.seekMs(video, middle));
  cold();
  into.readCold.push(read.sequentialMBps(video));
  cold();
  into.listCold.push(await read.listingMs(listing, FILES));
  into.listWarm.push(await read.listingMs(listing, FILES));
}

function machineLine(): string {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  const ram = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${os.availableParallelism()} CPU(s), ${cpu}, ${ram} GiB RAM, ${os.type()} ${os.release()}`;
}

/** The kernel's implementation of fscrypt's contents cipher (the highest-priority xts(aes)). */
function kernelXtsDriver(): string {
  const blocks = fs.readFileSync('/proc/crypto', 'utf8').split('\n\n');
  const field = (block: string, name: string) => new RegExp(`^${name}\\s*: (.*)$`, 'm').exec(block)?.[1] ?? '';
  const xts = blocks.filter((b) => field(b, 'name') === 'xts(aes)');
  xts.sort((a, b) => Number(field(b, 'priority')) - Number(field(a, 'priority')));
  return xts[0] ? field(xts[0], 'driver') : 'none';
}

function softwareLine(): string {
  const ffmpeg = /ffmpeg version (\S+)/.exec(mounts.run('ffmpeg', ['-version']))?.[1] ?? 'unknown';
  const gocryptfs = mounts.run('gocryptfs', ['-version']).split(';')[0]!.trim();
  // Which AES-GCM implementation gocryptfs picks here, and how fast it is on this CPU.
  const gcm = /^AES-GCM-256-\S+\s+[\d.]+ MB\/s\s+\(selected.*$/m.exec(mounts.run('gocryptfs', ['-speed']))?.[0];
  const speed = gcm ? ` (\`gocryptfs -speed\`: ${gcm.replace(/\s+/g, ' ')})` : '';
  return `Node ${process.version}, FFmpeg ${ffmpeg}, ${gocryptfs}${speed}, kernel xts(aes) = \`${kernelXtsDriver()}\``;
}

const loads = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ');

try {
  const loadAtStart = loads();
  console.log(`${machineLine()}; load ${loadAtStart}; ${RUNS} runs; ${work}`);
  const video = values.video ? path.resolve(values.video) : path.join(work, 'source.mp4');
  if (!values.video) makeVideo(video);
  const clip = path.join(work, 'warm-up.mp4');
  read.writeWarmUpClip(clip);
  const middle = read.durationSeconds(video) / 2;

  const candidates = [
    mounts.plainExt4(work),
    mounts.loopExt4(work, cleanup),
    mounts.fscrypt(work, HELPER, cleanup),
    mounts.gocryptfs(work, cleanup),
  ];
  const samples = new Map<CandidateKey, report.Samples>(candidates.map((c) => [c.key, report.emptySamples()]));
  for (const c of candidates) {
    const t = performance.now();
    fs.copyFileSync(video, path.join(c.dir, 'video.mp4'));
    mounts.writeSmallFiles(path.join(c.dir, 'listing'), FILES);
    console.log(`(${c.label}: video and ${FILES} files written in ${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }

  for (let runIndex = 0; runIndex < RUNS; runIndex++) {
    // A different candidate first in each run, so that drift on the machine spreads over all.
    const order = candidates.map((_, i) => candidates[(i + runIndex) % candidates.length]!);
    for (const c of order) await measure(c, middle, clip, samples.get(c.key)!);
    console.log(`run ${runIndex + 1}/${RUNS} done (load ${loads()})`);
  }

  const results = report.resultsTable(candidates, samples);
  const overheads = report.overheadTable(candidates, samples);
  console.log(`\n${results}\n\n${overheads}\n`);
  const size = fs.statSync(video).size;
  const markdown = report.renderReport({
    date: new Date(started),
    elapsedS: (Date.now() - started) / 1000,
    command: `node bench/encryption-candidates.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: `${machineLine()}; load average (1/5/15 min) ${loadAtStart} at start, ${loads()} at end`,
    software: softwareLine(),
    results,
    overheads,
    findings: report.findings(samples, kernelXtsDriver()),
    method: [
      `**Video:** ${(size / 2 ** 20).toFixed(0)} MiB, ${(middle * 2).toFixed(0)} s of 1920x1080 30 fps H.264 made by FFmpeg (\`testsrc2\`, \`${VIDEO_ARGS.join(' ')}\`), moov at the end (no faststart), copied into each candidate.`,
      `**First frame:** wall time of \`ffmpeg -v error -i video.mp4 -frames:v 1 -f null -\` (process start included, the same on all). **Seek:** the same with \`-ss ${middle.toFixed(1)}\` (the middle) before \`-i\`. **Sequential read:** the whole file in 1 MiB \`read\`s from Node.`,
      `**Listing:** a folder of ${FILES} files of 1 KiB: \`readdir\`, then \`lstat\` of every entry all in flight (Node's thread pool), as \`OwnerStorage.list\` does.`,
      '**Cold:** `sync; echo 3 > /proc/sys/vm/drop_caches` (page cache, dentries, inodes; for the loop candidates also the image file under them), then a 1 s 1080p clip on plain ext4 decoded once so that FFmpeg itself is back in memory; only the candidate\'s files are read from disk. **Warm:** the same measurement again right after the cold one. The disk is a virtio disk of a VM: "cold" reads may still hit the host\'s cache.',
      '**Candidates:** plain ext4 = a folder on the root file system; loop image = a sparse 4 GiB image on that file system, `mkfs.ext4 -q [-O encrypt]`, `mount -o loop` (buffered loop I/O); fscrypt = a folder with a v2 policy under a random 64-byte key added by `native/build/vitrine-fscrypt` (AES-256-XTS contents, AES-256-CTS names); gocryptfs = `gocryptfs -init` defaults (AES-256-GCM, encrypted names, 4 KiB blocks), its cipher folder on the root file system.',
      `**Priority:** the bench runs at nice −20, and so do FFmpeg and the gocryptfs daemon it starts; the kernel's loop and fscrypt workers keep their own. **Runs:** ${RUNS}, each measuring every candidate once, a different candidate first each run; median and p95 over the runs (for MB/s the p5, the slow end).`,
    ],
  });
  // Formatted as the repository's check (`prettier --check .`) wants it, ready to commit.
  const style = (await prettier.resolveConfig(values.out)) ?? {};
  fs.writeFileSync(values.out, await prettier.format(markdown, { ...style, filepath: values.out }));
  console.log(`wrote ${values.out}`);
} finally {
  for (const failure of cleanup.runAll()) console.error(`cleanup failed: ${failure}`);
}
