import dgram from 'node:dgram';
import { Encoder, type VideoCodec } from './encoder.ts';

export interface PipelineOptions {
  ffmpegPath: string;
  codec: VideoCodec;
  framerate: number;
  bitrateKbps: number;
  keyframeIntervalS: number;
  /** Xvfb's screen file: where each frame is, and its size. */
  framebuffer: { path: string; offset: number; length: number; width: number; height: number };
  watermark?: { textFile: string } | undefined;
  /** Receives each outgoing RTP packet with sequence number and timestamp already continuous. */
  onRtp: (packet: Buffer) => void;
  onFatal: (reason: string) => void;
  log: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
}

export interface PipelineStats {
  framesEncoded: number;
  framesSkipped: number;
  keyframeRequests: number;
  encoderRestarts: number;
  rtpPackets: number;
  rtpBytes: number;
}

/** After this long without a change the last frame is sent again (loss recovery, keepalive). */
const REFRESH_MS = 1000;
/** Picture-loss requests closer together than this share one keyframe. */
const KEYFRAME_DEBOUNCE_MS = 250;

/**
 * Damage-driven capture: a frame is taken from Xvfb's framebuffer and encoded only when the
 * screen changed, at most `framerate` times a second, never queueing behind a busy encoder.
 * The first change after a quiet period is grabbed at once, so it adds no latency.
 */
export class VideoPipeline {
  readonly stats: PipelineStats = {
    framesEncoded: 0,
    framesSkipped: 0,
    keyframeRequests: 0,
    encoderRestarts: 0,
    rtpPackets: 0,
    rtpBytes: 0,
  };
  private readonly opts: PipelineOptions;
  private readonly interval: number;
  private socket: dgram.Socket | undefined;
  private port = 0;
  private active: Encoder | undefined;
  private spare: Encoder | undefined;
  private dirty = false;
  private lastGrab = 0;
  private grabTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastKeyframeSwitch = 0;
  private keyframeTimer: NodeJS.Timeout | undefined;
  private unexpectedExits = 0;
  private stopped = false;
  // RTP rewriting so that encoder switches are invisible to the receiver.
  private seq = Math.floor(Math.random() * 0xffff);
  private lastSourceTs = -1;
  private lastSourceSsrc = 0;
  private outTs = Math.floor(Math.random() * 0x7fffffff);
  private lastOutAt = performance.now();

  constructor(opts: PipelineOptions) {
    this.opts = opts;
    this.interval = 1000 / opts.framerate;
  }

  async start(): Promise<void> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onPacket(msg, rinfo.address));
    socket.on('error', (err) => this.opts.log.warn({ err: err.message }, 'rtp socket error'));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.port = socket.address().port;
    this.active = this.spawnEncoder();
    this.spare = this.spawnEncoder();
    this.grab();
  }

  /** Called on every X DAMAGE notification. */
  onScreenChanged(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.grabTimer) return;
    const wait = this.lastGrab + this.interval - performance.now();
    if (wait <= 0) this.grab();
    else this.grabTimer = setTimeout(() => this.grab(), wait);
  }

  /** Serve a PLI/FIR: the next picture the viewer gets is a keyframe. */
  requestKeyframe(): void {
    if (this.stopped) return;
    this.stats.keyframeRequests++;
    if (this.keyframeTimer) return;
    const wait = this.lastKeyframeSwitch + KEYFRAME_DEBOUNCE_MS - performance.now();
    this.keyframeTimer = setTimeout(
      () => {
        this.keyframeTimer = undefined;
        this.switchEncoder();
      },
      Math.max(0, wait),
    );
  }

  /** Stops capture and kills both encoders; resolves when they have exited. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.grabTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.keyframeTimer);
    const encoders = [this.active, this.spare].filter((e): e is Encoder => !!e);
    for (const e of encoders) e.stop();
    if (this.socket) {
      this.socket.close();
      this.socket = undefined;
    }
    return Promise.all(encoders.map((e) => e.exit)).then(() => {});
  }

  get processes(): number[] {
    return [this.active, this.spare].flatMap((e) => e?.pids ?? []);
  }

  private switchEncoder(): void {
    if (this.stopped) return;
    this.lastKeyframeSwitch = performance.now();
    const old = this.active;
    this.active = this.spare?.alive ? this.spare : this.spawnEncoder();
    this.spare = this.spawnEncoder();
    old?.stop();
    this.dirty = true;
    clearTimeout(this.grabTimer);
    this.grabTimer = undefined;
    this.grab();
  }

  private grab(): void {
    this.grabTimer = undefined;
    if (this.stopped || !this.active) return;
    if (this.active.congested) {
      // Encoder still busy with the previous frame: remember the change, retry when it drains.
      this.dirty = true;
      this.stats.framesSkipped++;
      return;
    }
    this.dirty = false;
    this.lastGrab = performance.now();
    const encoder = this.active;
    encoder.encodeCurrentFrame(() => {
      if (encoder === this.active && this.dirty && !this.grabTimer) this.onScreenChanged();
    });
    this.stats.framesEncoded++;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.grab(), REFRESH_MS);
  }

  private spawnEncoder(): Encoder {
    const encoder = new Encoder({
      ffmpegPath: this.opts.ffmpegPath,
      codec: this.opts.codec,
      width: this.opts.framebuffer.width,
      height: this.opts.framebuffer.height,
      bitrateKbps: this.opts.bitrateKbps,
      keyframeIntervalS: this.opts.keyframeIntervalS,
      framerate: this.opts.framerate,
      rtpPort: this.port,
      framebuffer: this.opts.framebuffer,
      watermark: this.opts.watermark,
    });
    void encoder.exit.then(({ code, signal, stderr }) => {
      if (this.stopped || (encoder !== this.active && encoder !== this.spare)) return;
      this.unexpectedExits++;
      this.opts.log.warn({ code, signal, stderr: stderr.slice(-500) }, 'encoder exited unexpectedly');
      if (this.unexpectedExits > 1) {
        this.opts.onFatal(`encoder failed: ${stderr.trim().split('\n').pop() ?? `exit ${code ?? signal}`}`);
        return;
      }
      this.stats.encoderRestarts++;
      if (encoder === this.spare) this.spare = this.spawnEncoder();
      else this.switchEncoder();
    });
    return encoder;
  }

  private onPacket(msg: Buffer, from: string): void {
    if (from !== '127.0.0.1' || msg.length < 12 || this.stopped) return;
    const ssrc = msg.readUInt32BE(8);
    if (ssrc !== this.active?.ssrc) return; // a replaced encoder's tail, or a stranger
    // A new source timestamp starts a new frame: stamp it with the real elapsed time, so the
    // receiver's jitter estimate sees the true capture rhythm across encoder switches.
    const ts = msg.readUInt32BE(4);
    if (ts !== this.lastSourceTs || ssrc !== this.lastSourceSsrc) {
      const now = performance.now();
      this.outTs = (this.outTs + Math.max(1, Math.round((now - this.lastOutAt) * 90))) >>> 0;
      this.lastOutAt = now;
      this.lastSourceTs = ts;
      this.lastSourceSsrc = ssrc;
    }
    this.seq = (this.seq + 1) & 0xffff;
    msg.writeUInt16BE(this.seq, 2);
    msg.writeUInt32BE(this.outTs, 4);
    this.stats.rtpPackets++;
    this.stats.rtpBytes += msg.length;
    this.opts.onRtp(msg);
  }
}
