/**
 * The recorder alone, without a browser or a session: a real H.264 RTP stream is captured once
 * from the real VideoPipeline (frame pump + FFmpeg, as a session runs it) fed with pictures that
 * change every frame, kept in memory, then replayed through `SessionRecorder` as fast as it goes.
 * The process's CPU time around the replay, per second of video replayed, is what recording
 * costs the server: % of one core at the stream's frame rate.
 */
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VideoPipeline } from '../../server/src/media/video-pipeline.ts';
import { SessionRecorder } from '../../server/src/recording/session-recorder.ts';
import { linearRtpClock } from '../../server/src/webrtc/sender-report-clock.ts';
import { median } from './stats.ts';

export interface CapturedStream {
  width: number;
  height: number;
  /** The RTP packets as the pipeline handed them to the viewers (and the recorder), copied. */
  packets: Buffer[];
  bytes: number;
  pictures: number;
  keyframes: number;
  /** First to last packet's RTP timestamp, s: the video's own length. */
  seconds: number;
}

export interface CaptureOptions {
  width: number;
  height: number;
  seconds: number;
  framerate: number;
  bitrateKbps: number;
  keyframeIntervalS: number;
  /** Registers a clean-up step that must run even if the benchmark fails. */
  onCleanup(step: () => Promise<void>): () => void;
}

/**
 * Runs the real pipeline on a picture file that is rewritten with fresh noise (plus a moving
 * band) at the frame rate: every pixel changes, so the encoder spends its whole bitrate, the
 * most the recorder ever has to write for that setting.
 */
export async function captureStream(o: CaptureOptions): Promise<CapturedStream> {
  // The "screen" on a tmpfs, as Xvfb's is (RUNTIME_DIR on /dev/shm).
  const dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'vitrine-oversight-'));
  const unregisterDir = o.onCleanup(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const picture = path.join(dir, 'screen.raw');
  const frame = Buffer.alloc(o.width * o.height * 4);
  const base = Buffer.alloc(frame.length);
  for (let i = 0; i < base.length; i += 4) base[i] = base[i + 1] = (i / 4) & 0xff;
  fs.writeFileSync(picture, base);
  const fd = fs.openSync(picture, 'r+');
  const packets: Buffer[] = [];
  const failures: string[] = [];
  const pipeline = new VideoPipeline({
    ffmpegPath: process.env.FFMPEG_PATH ?? 'ffmpeg',
    idleStopMs: 0,
    codec: 'h264',
    framerate: o.framerate,
    bitrateKbps: o.bitrateKbps,
    keyframeIntervalS: o.keyframeIntervalS,
    framebuffer: { path: picture, offset: 0, length: frame.length, width: o.width, height: o.height },
    clock: linearRtpClock(90000),
    onRtp: (pkt) => packets.push(Buffer.from(pkt)),
    onFatal: (reason) => failures.push(reason),
    log: { warn: () => {}, debug: () => {} },
  });
  const unregisterPipeline = o.onCleanup(() => pipeline.stop());
  try {
    await pipeline.start();
    const started = performance.now();
    for (let n = 0; performance.now() - started < o.seconds * 1000; n++) {
      // Fresh noise in a quarter of the rows, moved every frame, over a gradient.
      const band = Math.floor(o.height / 4);
      const top = (n * 8) % (o.height - band);
      base.copy(frame);
      randomFillSync(frame, top * o.width * 4, band * o.width * 4);
      fs.writeSync(fd, frame, 0, frame.length, 0);
      pipeline.onScreenChanged();
      const next = started + ((n + 1) * 1000) / o.framerate;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    await pipeline.stop();
  } finally {
    fs.closeSync(fd);
    await pipeline.stop();
    unregisterPipeline();
    fs.rmSync(dir, { recursive: true, force: true });
    unregisterDir();
  }
  if (failures.length) throw new Error(`video pipeline failed: ${failures.join('; ')}`);
  if (packets.length === 0) throw new Error('the pipeline sent no packets');
  const stamps = packets.map((p) => p.readUInt32BE(4));
  const pictures = new Set(stamps).size;
  const seconds = (((stamps.at(-1)! - stamps[0]!) >>> 0) / 90000) * (pictures / Math.max(1, pictures - 1));
  return {
    width: o.width,
    height: o.height,
    packets,
    bytes: packets.reduce((n, p) => n + p.length, 0),
    pictures,
    keyframes: countIdr(packets),
    seconds,
  };
}

/** Packets starting an IDR picture (a single NAL, STAP-A or the first FU-A fragment of type 5). */
function countIdr(packets: Buffer[]): number {
  let n = 0;
  for (const p of packets) {
    const nal = p[12]! & 0x1f;
    if (nal === 5 || (nal === 28 && (p[13]! & 0x80) !== 0 && (p[13]! & 0x1f) === 5)) n++;
    else if (nal === 24 && (p[15]! & 0x1f) === 7) n++; // STAP-A of SPS (+PPS): an IDR follows
  }
  return n;
}

export interface ReplayResult {
  /** CPU ms the process spent per second of video recorded, one value per repetition. */
  cpuMsPerVideoSecond: number[];
  /** Median of those: ms per s / 10 = % of one core. */
  percentOfCore: number;
  /** Wall time per second of video (how much faster than real time it went), median. */
  wallMsPerVideoSecond: number;
  bytesWritten: number;
  segments: number;
  dropped: number;
}

/**
 * Replays `stream` `passes` times per repetition, each pass into a new `SessionRecorder` (a new
 * folder under `dir`; a pass is a recording of its own: a recorder expects one continuous
 * sequence), segments cut every `segmentMs` as the server does, stop() awaited (the last
 * segment fsynced and hashed). Everything the recorder does is in the timed region: splitting
 * RTP into access units, MPEG-TS, SHA-256, writes, fsync (on libuv's pool: process CPU).
 */
export async function replayCpu(
  stream: CapturedStream,
  opts: { passes: number; repetitions: number; segmentMs: number; dir: string },
): Promise<ReplayResult> {
  const perRep: number[] = [];
  const wallPerRep: number[] = [];
  let bytesWritten = 0;
  let segments = 0;
  let dropped = 0;
  let folder = 0;
  // One pass untimed first: code paths compiled, files cached.
  for (let rep = -1; rep < opts.repetitions; rep++) {
    const dirs: string[] = [];
    for (let p = 0; p < opts.passes; p++) {
      const d = path.join(opts.dir, `pass-${folder++}`);
      fs.mkdirSync(d);
      dirs.push(d);
    }
    const failures: string[] = [];
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const d of dirs) {
      const recorder = new SessionRecorder({
        dir: d,
        clock: linearRtpClock(90000),
        segmentMs: opts.segmentMs,
        maxBytes: 2 ** 40,
        finished: async () => {},
        failed: (reason) => failures.push(reason),
      });
      for (const pkt of stream.packets) recorder.video(pkt);
      const totals = await recorder.stop();
      if (rep >= 0) {
        bytesWritten += totals.bytes;
        segments += totals.segments;
        dropped += totals.dropped;
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - wall0;
    if (failures.length) throw new Error(`recorder failed: ${failures.join('; ')}`);
    const videoSeconds = stream.seconds * opts.passes;
    if (rep >= 0) {
      perRep.push((cpu.user + cpu.system) / 1000 / videoSeconds);
      wallPerRep.push(wall / videoSeconds);
    }
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
  const med = median(perRep)!;
  return {
    cpuMsPerVideoSecond: perRep,
    percentOfCore: med / 10,
    wallMsPerVideoSecond: median(wallPerRep)!,
    bytesWritten,
    segments,
    dropped,
  };
}
