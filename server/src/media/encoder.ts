import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';

export type VideoCodec = 'h264' | 'vp8';

export interface EncoderSettings {
  ffmpegPath: string;
  codec: VideoCodec;
  width: number;
  height: number;
  bitrateKbps: number;
  keyframeIntervalS: number;
  framerate: number;
  rtpPort: number;
}

/**
 * One FFmpeg process that reads raw bgr0 frames on stdin and sends RTP to the server's
 * loopback port. FFmpeg cannot be told to emit a keyframe mid-stream, but the first frame a
 * new encoder sees is always one: a picture-loss request is served by switching to a warm
 * spare encoder (see VideoEncoderPool).
 */
export class Encoder {
  readonly ssrc = randomInt(1, 2 ** 31 - 1);
  readonly process: ChildProcess;
  private busy = 0;
  private exited = false;
  private stderrTail = '';
  readonly exit: Promise<{ code: number | null; signal: string | null; stderr: string }>;

  constructor(s: EncoderSettings) {
    const args = [
      '-hide_banner',
      '-nostats',
      '-loglevel',
      'error',
      // The nominal rate only steers rate control: frames arrive when the screen changes and
      // passthrough keeps FFmpeg from duplicating them (constant-rate mode grows latency).
      // Real-time RTP timestamps are written by the pipeline on arrival.
      '-f',
      'rawvideo',
      '-pix_fmt',
      'bgr0',
      '-video_size',
      `${s.width}x${s.height}`,
      '-framerate',
      String(s.framerate),
      '-i',
      'pipe:0',
      '-fps_mode',
      'passthrough',
      '-pix_fmt',
      'yuv420p',
      ...codecArgs(s),
      '-force_key_frames',
      `expr:gte(t,n_forced*${s.keyframeIntervalS})`,
      '-an',
      '-f',
      'rtp',
      '-ssrc',
      String(this.ssrc),
      '-payload_type',
      '96',
      `rtp://127.0.0.1:${s.rtpPort}?pkt_size=1200`,
    ];
    // setpriv: if the server dies (even by SIGKILL) the kernel kills the encoder too.
    this.process = spawn('setpriv', ['--pdeathsig', 'KILL', '--', s.ffmpegPath, ...args], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.process.stdin!.on('error', () => {});
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

  /** True while a previous frame is still in the pipe: the caller coalesces instead of queueing. */
  get congested(): boolean {
    return this.busy > 0;
  }

  write(frame: Buffer, done: () => void): void {
    if (this.exited) return;
    this.busy++;
    this.process.stdin!.write(frame, () => {
      this.busy--;
      done();
    });
  }

  stop(): void {
    if (this.exited) return;
    this.process.stdin!.destroy();
    this.process.kill('SIGKILL');
  }
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
      '-b:v',
      rate,
      '-maxrate',
      rate,
      '-bufsize',
      `${Math.round(s.bitrateKbps / 2)}k`,
      // One thread up to 720p: measured 21.6 % vs 23.6 % of a core at 720p30, for ~1 ms more
      // encode time; larger frames need the second thread to keep latency down.
      '-g',
      '100000',
      '-bf',
      '0',
      '-threads',
      s.width * s.height > 1280 * 720 ? '2' : '1',
    ];
  }
  return [
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-lag-in-frames',
    '0',
    '-error-resilient',
    '1',
    '-auto-alt-ref',
    '0',
    '-b:v',
    rate,
    '-maxrate',
    rate,
    '-g',
    '100000',
    '-threads',
    '2',
    '-static-thresh',
    '100',
  ];
}
