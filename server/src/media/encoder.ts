import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WatermarkImage } from './watermark-images.ts';
import { GrabTimes } from './grab-times.ts';

export type VideoCodec = 'h264' | 'vp8';

export const FRAME_PUMP = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../native/build/vitrine-frame-pump',
);

export interface EncoderSettings {
  ffmpegPath: string;
  codec: VideoCodec;
  width: number;
  height: number;
  bitrateKbps: number;
  keyframeIntervalS: number;
  framerate: number;
  rtpPort: number;
  /**
   * Where the frames are: Xvfb's screen file, byte offset and size of one bgr0 frame. With
   * `bytesPerLine` (the screen's stride), only the top-left `width`x`height` of a wider or
   * taller screen is captured (a picture that follows a viewer smaller than the display).
   */
  framebuffer: { path: string; offset: number; length: number; bytesPerLine?: number | undefined };
  /** Encoded at this size when smaller than the captured one (the congestion controller's choice). */
  scaledTo?: { width: number; height: number } | undefined;
  /**
   * Laid over every frame: the session's watermark drawn for the captured size (raw yuva420p,
   * watermark-images.ts), scaled with the picture when it is sent smaller.
   */
  watermark?: WatermarkImage | undefined;
}

/**
 * One FFmpeg process that encodes raw bgr0 frames and sends RTP to the server's loopback port.
 * Frames reach it through the native frame pump (native/vitrine-frame-pump.c), which maps the
 * framebuffer file and writes a frame into FFmpeg's pipe each time it is asked, so the server
 * never copies pixels. FFmpeg cannot be told to emit a keyframe mid-stream, but the first frame
 * a new encoder sees is always one: picture-loss requests are served by switching to a warm
 * spare encoder (see VideoPipeline).
 */
export class Encoder {
  readonly ssrc = randomInt(1, 2 ** 31 - 1);
  readonly process: ChildProcess;
  private pending: Array<() => void> = [];
  private exited = false;
  private stderrTail = '';
  private readonly grabs: GrabTimes;
  readonly exit: Promise<{ code: number | null; signal: string | null; stderr: string }>;

  constructor(s: EncoderSettings) {
    this.grabs = new GrabTimes(s.framerate);
    // prettier-ignore
    const args = [
      '-hide_banner', '-nostats', '-loglevel', 'error',
      // The nominal rate only steers rate control: frames arrive when the screen changes and
      // passthrough keeps FFmpeg from duplicating them (constant-rate mode grows latency).
      // Real-time RTP timestamps are written by the pipeline on arrival.
      ...watermarkInputArgs(s),
      '-f', 'rawvideo', '-pix_fmt', 'bgr0', '-video_size', `${s.width}x${s.height}`,
      '-framerate', String(s.framerate), '-i', 'pipe:0',
      '-fps_mode', 'passthrough',
      ...videoFilterArgs(s),
      '-pix_fmt', 'yuv420p',
      ...codecArgs(s),
      '-force_key_frames', `expr:gte(t,n_forced*${s.keyframeIntervalS})`,
      '-an', '-f', 'rtp', '-ssrc', String(this.ssrc), '-payload_type', '96',
      `rtp://127.0.0.1:${s.rtpPort}?pkt_size=1200`,
    ];
    // The pump and FFmpeg both die with their parent (PR_SET_PDEATHSIG), even on kill -9.
    this.process = spawn(FRAME_PUMP, [...pumpArgs(s), '--', s.ffmpegPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.process.stdin!.on('error', () => {});
    // One acknowledgement byte per frame handed to FFmpeg.
    this.process.stdout!.on('data', (acks: Buffer) => {
      for (let i = 0; i < acks.length; i++) this.pending.shift()?.();
    });
    this.process.stderr!.setEncoding('utf8');
    this.process.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-2000);
    });
    this.exit = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        this.exited = true;
        resolve({ code, signal, stderr: this.stderrTail });
      });
      this.process.on('error', (err) => {
        this.exited = true;
        resolve({ code: -1, signal: null, stderr: err.message });
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** True while the previous frame is not yet handed over: the caller coalesces instead of queueing. */
  get congested(): boolean {
    return this.pending.length > 0;
  }

  /** Has the current framebuffer contents encoded as the next frame; `done` once handed over. */
  encodeCurrentFrame(done: () => void): void {
    if (this.exited) return;
    this.pending.push(done);
    this.grabs.grabbed(performance.now());
    this.process.stdin!.write('f');
  }

  /** When the frame FFmpeg sent with this RTP timestamp was grabbed (`performance.now()`). */
  grabbedAt(rtpTimestamp: number): number | undefined {
    return this.grabs.of(rtpTimestamp);
  }

  /** The pump and the FFmpeg it started. */
  get pids(): number[] {
    const pid = this.process.pid;
    if (!pid) return [];
    try {
      const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      return [pid, ...children.split(/\s+/).filter(Boolean).map(Number)];
    } catch {
      return [pid];
    }
  }

  stop(): void {
    if (this.exited) return;
    this.process.stdin!.destroy();
    this.process.kill('SIGKILL');
  }
}

/** What the frame pump copies: the whole frame, or the captured region's rows out of the screen's. */
export function pumpArgs(s: Pick<EncoderSettings, 'width' | 'height' | 'framebuffer'>): string[] {
  const { path, offset, length, bytesPerLine } = s.framebuffer;
  const row = s.width * 4;
  if (bytesPerLine === undefined || (row === bytesPerLine && row * s.height === length)) {
    return [path, String(offset), String(length)];
  }
  if (row > bytesPerLine || s.height * bytesPerLine > length) {
    throw new Error(`a ${s.width}x${s.height} region does not fit the framebuffer`);
  }
  return [path, String(offset), String(bytesPerLine), String(row), String(s.height)];
}

/**
 * The watermark is the first input: FFmpeg opens (and reads) it when it starts, while a warm
 * spare waits for its first frame, so nothing of it is on a keyframe's path. (Opening the pipe
 * first would wait for a frame before reading the rest.)
 */
export function watermarkInputArgs(s: Pick<EncoderSettings, 'watermark'>): string[] {
  if (!s.watermark) return [];
  const { file, width, height } = s.watermark;
  // prettier-ignore
  return ['-f', 'rawvideo', '-pix_fmt', 'yuva420p', '-video_size', `${width}x${height}`, '-i', file];
}

/**
 * Scaling (to the controller's size) first, then the watermark laid over at the size that is
 * sent: the one picture of it (scaled the same way) repeats for every frame. Frames are encoded
 * only when the screen changes, so a still screen costs no more with it.
 */
export function videoFilterArgs(s: Pick<EncoderSettings, 'width' | 'height' | 'scaledTo' | 'watermark'>): string[] {
  const out = s.scaledTo ?? { width: s.width, height: s.height };
  const scale = `scale=${out.width}:${out.height}:flags=bilinear`;
  if (!s.watermark) return s.scaledTo ? ['-vf', scale] : [];
  const wm = s.watermark;
  const chains: string[] = [];
  let picture = '[1:v]';
  let stamps = '[0:v]';
  if (s.scaledTo) {
    chains.push(`[1:v]${scale}[picture]`);
    picture = '[picture]';
  }
  if (wm.width !== out.width || wm.height !== out.height) {
    chains.push(`[0:v]${scale}[stamps]`);
    stamps = '[stamps]';
  }
  chains.push(`${picture}${stamps}overlay=eof_action=repeat:format=yuv420[out]`);
  const graph = chains.join(';');
  return ['-filter_complex', graph, '-map', '[out]'];
}

/**
 * The rate-control buffer: an eighth of a second of the target. It bounds the largest frame
 * (a keyframe, a page turn) to what the path carries in ~125 ms, so one frame can neither
 * congest the path nor look like congestion to the controller (which needs queueing over two
 * 250 ms ticks); the top-off then sharpens the picture at the full rate.
 */
function bufferKbits(s: EncoderSettings): number {
  return Math.max(50, Math.round(s.bitrateKbps / 8));
}

function codecArgs(s: EncoderSettings): string[] {
  const rate = `${s.bitrateKbps}k`;
  if (s.codec === 'h264') {
    return [
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'baseline',
      // Capped quality: CRF 23 (≈ 46 dB on small text) under a VBV cap at the target. A still
      // picture re-encoded (the top-off) improves until it reaches that quality, and then the
      // passes shrink to a few bytes, which is how the pipeline knows it is done; in
      // average-bitrate mode such passes stayed small while the text was still blurred.
      '-crf',
      '23',
      '-maxrate',
      rate,
      '-bufsize',
      `${bufferKbits(s)}k`,
      // One thread up to 720p: measured 21.6 % vs 23.6 % of a core at 720p30, for ~1 ms more
      // encode time; larger frames need the second thread to keep latency down.
      '-g',
      '100000',
      '-bf',
      '0',
      '-threads',
      (s.scaledTo ?? s).width * (s.scaledTo ?? s).height > 1280 * 720 ? '2' : '1',
    ];
  }
  return [
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    // The fastest real-time speed: at 8, busy 720p content took two cores and ran at ≈ 11 fps;
    // at 16 an offline encode of a noisy moving source is ≈ 1.8× faster, still on target.
    '-cpu-used',
    '16',
    '-lag-in-frames',
    '0',
    '-error-resilient',
    '1',
    '-auto-alt-ref',
    '0',
    // Constant bitrate (min = max = target) with the same quarter-second buffer: in its default
    // variable mode libvpx overshot the target twofold on busy content.
    '-b:v',
    rate,
    '-minrate',
    rate,
    '-maxrate',
    rate,
    '-bufsize',
    `${bufferKbits(s)}k`,
    // A keyframe at most three average frames: libvpx's keyframes are otherwise many times
    // larger, and on a slow path each one congested it again (a keyframe storm at 1 Mbit/s).
    '-max-intra-rate',
    '300',
    '-undershoot-pct',
    '95',
    '-overshoot-pct',
    '5',
    '-g',
    '100000',
    '-threads',
    '2',
    '-static-thresh',
    '100',
  ];
}
