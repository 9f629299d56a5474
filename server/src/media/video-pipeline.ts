import dgram from 'node:dgram';
import { Encoder, type VideoCodec } from './encoder.ts';
import type { WatermarkImage, WatermarkSource } from './watermark-images.ts';
import { scaledSize, type Encoding } from '../congestion/encoding-ladder.ts';

export interface PipelineOptions {
  ffmpegPath: string;
  codec: VideoCodec;
  framerate: number;
  bitrateKbps: number;
  keyframeIntervalS: number;
  /** Xvfb's screen file: where each frame is, its size and stride (see `resize`). */
  framebuffer: { path: string; offset: number; length: number; width: number; height: number; bytesPerLine?: number };
  /** The session's watermark, laid over every frame; encoders for a size start once it is drawn for it. */
  watermark?: WatermarkSource | undefined;
  /**
   * The session's video clock (90 kHz): each frame is stamped with it at the moment it was
   * grabbed, which is what the viewer lines the sound up against: the RTP timestamp of a moment
   * of `performance.now()` (webrtc/sender-report-clock.ts makes one).
   */
  clock: (ms: number) => number;
  /**
   * After the picture has been still this long (and sharpened), its encoders are stopped: an
   * idle session then costs no encoder memory or CPU. The next change, input (`wake`) or
   * keyframe request starts a fresh one, whose first frame is a keyframe. 0: never.
   */
  idleStopMs: number;
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
  /** Frames re-encoded unchanged to sharpen a still picture (the top-off). */
  framesRefined: number;
  /** Encoder changes asked for by the congestion controller. */
  reconfigurations: number;
  /** Times the encoders were stopped on a still picture, and started again. */
  idleStops: number;
  wakes: number;
  /** Viewers' picture-loss requests left unserved while stopped (see `pictureLost`). */
  idleLossRequests: number;
}

/** After this long without a change the last frame is sent again (loss recovery, keepalive). */
const REFRESH_MS = 1000;
/** Picture-loss requests closer together than this share one keyframe. */
const KEYFRAME_DEBOUNCE_MS = 250;
/** A new encoder that has not sent its first packet after this long takes over anyway. */
const INCOMING_TIMEOUT_MS = 5000;
/** The picture counts as still when it has not changed for this long. */
const STILL_MS = 300;
/** After a switch, the next warm spare is started this much later. */
const SPARE_DELAY_MS = 500;
/**
 * The warm spare serves keyframe requests and settings changes, which come while the picture
 * moves or a viewer joins; on a picture still this long it is stopped (≈ 25 MiB each), and made
 * again with the next change.
 */
const SPARE_IDLE_MS = 10_000;
/**
 * Top-off: after the picture stops changing, the same frame is encoded again at the frame rate
 * for up to this long. Each pass spends the bits the rate allows on what is still blurred, so
 * text sharpens at the pace the path carries; it stops early once a pass is only a few bytes
 * (nothing left to improve).
 */
const TOP_OFF_MS = 1500;
const CONVERGED_FRAME_BYTES = 600;

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
    framesRefined: 0,
    reconfigurations: 0,
    idleStops: 0,
    wakes: 0,
    idleLossRequests: 0,
  };
  private readonly opts: PipelineOptions;
  private interval: number;
  private encoding: Encoding;
  private switchTimer: NodeJS.Timeout | undefined;
  private spareTimer: NodeJS.Timeout | undefined;
  /** A new encoder warming up on the current frame (a settings change); see changeEncoderSoon. */
  private incoming: Encoder | undefined;
  /** A change of settings that waits for the picture to move (see reconfigure). */
  private deferred: Encoding | undefined;
  private refineSpacing = 1;
  private lastChangeAt = 0;
  /** Until when a still picture is refined; bytes the last encoded frame came to. */
  private topOffUntil = 0;
  private lastFrameBytes = Infinity;
  /** The captured region, from the screen's top-left corner, and the watermark drawn for it. */
  private size: { width: number; height: number };
  private watermark: WatermarkImage | undefined;
  /** The region asked for last (captured once its watermark is drawn). */
  private wanted: { width: number; height: number };
  private socket: dgram.Socket | undefined;
  private port = 0;
  private active: Encoder | undefined;
  private spare: Encoder | undefined;
  private dirty = false;
  /** Encoders stopped on a still picture (see `idleStopMs`): the next change starts one. */
  private idle = false;
  /**
   * A woken encoder's first frame is a keyframe under the rate cap, blurrier than the picture
   * the viewer has: it is topped off like a change, even when nothing changed.
   */
  private topOffNext = false;
  /** The warm spare was stopped because the picture stayed still: the next change makes one. */
  private spareStoppedForStill = false;
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
  private outTs: number | undefined;

  constructor(opts: PipelineOptions) {
    this.opts = opts;
    this.interval = 1000 / opts.framerate;
    this.size = { width: opts.framebuffer.width, height: opts.framebuffer.height };
    this.wanted = { ...this.size };
    this.encoding = { bitrateKbps: opts.bitrateKbps, framerate: opts.framerate, scale: 1 };
  }

  async start(): Promise<void> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onPacket(msg, rinfo.address));
    socket.on('error', (err) => this.opts.log.warn({ err: err.message }, 'rtp socket error'));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.port = socket.address().port;
    const source = this.opts.watermark;
    if (source && !this.watermark) {
      // Never a frame without it: the first encoders wait for the first drawing.
      const { width, height } = this.wanted;
      const image = await source.imageFor(width, height);
      if (this.stopped) return;
      if (!this.watermark) this.capture(width, height, image);
    }
    this.active = this.spawnEncoder();
    this.scheduleSpare();
    // The picture is new to the viewer: the idle stop counts from here, not from the app's last draw.
    this.lastChangeAt = performance.now();
    this.grab();
  }

  /**
   * Input arrived: the app may be about to draw. A stopped encoder starts now, while the input
   * travels through the app, so the change it draws finds it (nearly) ready.
   */
  wake(): void {
    if (this.stopped || !this.idle) return;
    this.idle = false;
    this.stats.wakes++;
    this.active = this.spawnEncoder();
    this.topOffNext = true;
    this.lastKeyframeSwitch = performance.now();
    this.lastChangeAt = performance.now();
    this.scheduleRefresh(REFRESH_MS);
  }

  /** Called on every X DAMAGE notification. */
  onScreenChanged(): void {
    if (this.stopped) return;
    this.wake();
    this.lastChangeAt = performance.now();
    // Only a spare stopped for a still picture is made again here: the others are replaced when
    // an encoder takes over (promote, switchEncoder), and one more FFmpeg starting while the next
    // encoder warms up slows it down on a loaded machine.
    if (this.spareStoppedForStill) {
      this.spareStoppedForStill = false;
      this.scheduleSpare();
    }
    if (this.deferred) {
      const encoding = this.deferred;
      this.deferred = undefined;
      this.apply(encoding);
    }
    this.scheduleGrab();
  }

  /** Grab the screen as soon as the frame rate allows. */
  private scheduleGrab(): void {
    this.dirty = true;
    if (this.grabTimer) return;
    const wait = this.lastGrab + this.interval - performance.now();
    if (wait <= 0) this.grab();
    else this.grabTimer = setTimeout(() => this.grab(), wait);
  }

  /**
   * A viewer's picture-loss request (PLI/FIR). While the encoders are stopped for a still
   * picture it is not served: browsers ask for a keyframe when no frame has come for 3 s
   * (WebRTC's frame-buffer timeout), which is what stopping looks like, and the viewer already
   * has the picture (stopping waits until it is sharpened, then only repeats it). Loss while
   * the picture moves, and a viewer joining (`requestKeyframe`), are served as always.
   */
  pictureLost(): void {
    if (this.stopped) return;
    if (this.idle) {
      this.stats.idleLossRequests++;
      return;
    }
    this.requestKeyframe();
  }

  /** Serve a PLI/FIR or a new viewer: the next picture the viewer gets is a keyframe. */
  requestKeyframe(): void {
    if (this.stopped) return;
    this.stats.keyframeRequests++;
    if (this.idle) {
      // A fresh encoder's first frame is the keyframe.
      this.wake();
      this.dirty = true;
      this.grab();
      return;
    }
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

  /**
   * Captures only the top-left `width`x`height` of the screen from now on (the app's window
   * follows the viewer): the spare, made for the old size, is replaced by one at the new size,
   * which takes over once warm; its first frame is the keyframe the new resolution needs.
   */
  resize(width: number, height: number): void {
    if (this.stopped) return;
    const fb = this.opts.framebuffer;
    if (width > fb.width || height > fb.height) throw new Error(`${width}x${height} exceeds the screen`);
    this.wanted = { width, height };
    const source = this.opts.watermark;
    if (!source) {
      this.capture(width, height, undefined);
      return;
    }
    // The old size goes on until the watermark for the new one is drawn (once per size).
    void source.imageFor(width, height).then(
      (image) => {
        if (this.stopped || this.wanted.width !== width || this.wanted.height !== height) {
          if (image !== this.watermark) source.release(image);
          return;
        }
        this.capture(width, height, image);
      },
      (err: Error) => {
        if (!this.stopped) this.opts.onFatal(`watermark: ${err.message}`);
      },
    );
  }

  /** The watermark's words changed (its source draws anew): the picture gets the new stamps, via a fresh encoder. */
  refreshWatermark(): void {
    if (this.stopped || !this.opts.watermark) return;
    this.resize(this.wanted.width, this.wanted.height);
  }

  /** New encoders capture this region (with this watermark) from now on. */
  private capture(width: number, height: number, watermark: WatermarkImage | undefined): void {
    if (width === this.size.width && height === this.size.height && watermark === this.watermark) return;
    const old = this.watermark;
    this.size = { width, height };
    this.watermark = watermark;
    // Encoders that read it keep what they read; no new one will.
    if (old && old !== watermark) this.opts.watermark?.release(old);
    // Stopped on a still picture: the viewer gets the new size or stamps now, from a fresh encoder.
    if (this.idle) {
      this.requestKeyframe();
      return;
    }
    if (!this.active) return; // not started: the first encoder gets them
    this.changeEncoderSoon();
  }

  get currentEncoding(): Encoding {
    return this.encoding;
  }

  /**
   * The congestion controller's new bitrate, frame rate or scale. A fresh encoder is started
   * with them and takes over once warm (its first frame is a keyframe, at the new size).
   */
  reconfigure(encoding: Encoding): void {
    if (this.stopped) return;
    // A new encoder starts with a keyframe at its rate-control cap: on a still picture that would
    // throw away the sharpness the top-off built. So while the picture is still the change waits
    // for it to move, and a lower target is honoured meanwhile by spacing the top-off passes
    // (each is about one frame's share of the encoder's rate).
    const still = performance.now() - this.lastChangeAt > STILL_MS;
    if (this.active && still) {
      this.deferred = encoding;
      this.refineSpacing = Math.max(1, this.encoding.bitrateKbps / encoding.bitrateKbps);
      return;
    }
    this.deferred = undefined;
    this.apply(encoding);
  }

  private apply(encoding: Encoding): void {
    this.refineSpacing = 1;
    this.encoding = encoding;
    this.interval = 1000 / encoding.framerate;
    this.stats.reconfigurations++;
    if (!this.active) return; // not started or idle: the next encoder gets it
    this.changeEncoderSoon();
  }

  /**
   * A new encoder with the current settings is given the current frame at once, and takes over
   * with its first packet: that packet starts the keyframe a change needs, and until then the
   * old encoder keeps the picture going, however long the new one takes to start (seconds on a
   * loaded machine). The spare, made with the old settings, is replaced too.
   */
  private changeEncoderSoon(): void {
    this.spare?.stop();
    this.spare = undefined;
    this.incoming?.stop();
    const next = this.spawnEncoder();
    this.incoming = next;
    next.encodeCurrentFrame(() => {});
    clearTimeout(this.switchTimer);
    this.switchTimer = setTimeout(() => {
      // It never spoke: it died or is starved. Take it anyway (or a fresh one) rather than wait.
      this.switchTimer = undefined;
      if (this.incoming !== next) return;
      if (next.alive) this.promote(next);
      else {
        this.incoming = undefined;
        this.switchEncoder();
      }
    }, INCOMING_TIMEOUT_MS);
  }

  private promote(next: Encoder): void {
    this.incoming = undefined;
    clearTimeout(this.switchTimer);
    this.switchTimer = undefined;
    const old = this.active;
    this.active = next;
    old?.stop();
    this.lastKeyframeSwitch = performance.now();
    this.scheduleSpare();
    // Whatever changed after the frame it started with, and the top-off of what did not.
    this.scheduleGrab();
  }

  /** The next spare starts a little later: two encoders starting at once slow the new one down. */
  private scheduleSpare(): void {
    clearTimeout(this.spareTimer);
    this.spareTimer = setTimeout(() => {
      this.spareTimer = undefined;
      if (!this.stopped && !this.idle && !this.spare) this.spare = this.spawnEncoder();
    }, SPARE_DELAY_MS);
  }

  /** Stops capture and kills both encoders; resolves when they have exited. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.grabTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.keyframeTimer);
    clearTimeout(this.switchTimer);
    clearTimeout(this.spareTimer);
    const encoders = [this.active, this.spare, this.incoming].filter((e): e is Encoder => !!e);
    for (const e of encoders) e.stop();
    if (this.socket) {
      this.socket.close();
      this.socket = undefined;
    }
    return Promise.all(encoders.map((e) => e.exit)).then(() => {});
  }

  get processes(): number[] {
    return [this.active, this.spare, this.incoming].flatMap((e) => e?.pids ?? []);
  }

  private switchEncoder(): void {
    if (this.stopped) return;
    this.lastKeyframeSwitch = performance.now();
    const old = this.active;
    this.active = this.spare?.alive ? this.spare : this.spawnEncoder();
    this.spare = undefined;
    old?.stop();
    this.scheduleSpare();
    this.dirty = true;
    clearTimeout(this.grabTimer);
    this.grabTimer = undefined;
    this.grab();
  }

  /** `changed`: the screen changed since the last frame (false for refinement and keep-alive). */
  private grab(changedForSure = true): void {
    this.grabTimer = undefined;
    if (this.stopped || !this.active) return;
    const changed = changedForSure || this.dirty;
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
      if (encoder === this.active && this.dirty && !this.grabTimer) this.scheduleGrab();
    });
    this.stats.framesEncoded++;
    const fresh = changed || this.topOffNext;
    this.topOffNext = false;
    if (fresh) this.topOffUntil = this.lastGrab + TOP_OFF_MS;
    else if (this.lastGrab < this.topOffUntil) this.stats.framesRefined++;
    this.scheduleRefresh(this.nextRefreshMs(fresh));
  }

  private scheduleRefresh(ms: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), ms);
  }

  /** Nothing changed for a while: send the picture again, or stop the encoders of a still one. */
  private refresh(): void {
    this.refreshTimer = undefined;
    const stillFor = performance.now() - this.lastChangeAt;
    if (this.spare && stillFor >= SPARE_IDLE_MS && !this.incoming) {
      this.spare.stop();
      this.spare = undefined;
      this.spareStoppedForStill = true;
    }
    const idleStop = this.opts.idleStopMs;
    const sharpened = this.topOffUntil === 0;
    if (idleStop > 0 && stillFor >= idleStop && sharpened && !this.incoming) {
      this.stopForIdle();
      return;
    }
    this.grab(false);
  }

  private stopForIdle(): void {
    this.idle = true;
    // A keyframe or spare on its way would start an encoder for nobody.
    clearTimeout(this.spareTimer);
    this.spareTimer = undefined;
    clearTimeout(this.keyframeTimer);
    this.keyframeTimer = undefined;
    this.stats.idleStops++;
    this.active?.stop();
    this.active = undefined;
    this.spare?.stop();
    this.spare = undefined;
    this.spareStoppedForStill = true;
  }

  /** Soon while a still picture is being topped off; otherwise the slow keep-alive refresh. */
  private nextRefreshMs(changed: boolean): number {
    const refining = performance.now() < this.topOffUntil;
    if (refining && (changed || this.lastFrameBytes > CONVERGED_FRAME_BYTES)) return this.interval * this.refineSpacing;
    this.topOffUntil = 0;
    return REFRESH_MS;
  }

  private spawnEncoder(): Encoder {
    const encoder = new Encoder({
      ffmpegPath: this.opts.ffmpegPath,
      codec: this.opts.codec,
      width: this.size.width,
      height: this.size.height,
      scaledTo:
        this.encoding.scale === 1 ? undefined : scaledSize(this.size.width, this.size.height, this.encoding.scale),
      bitrateKbps: this.encoding.bitrateKbps,
      keyframeIntervalS: this.opts.keyframeIntervalS,
      framerate: this.encoding.framerate,
      rtpPort: this.port,
      framebuffer: this.opts.framebuffer,
      watermark: this.watermark,
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
    if (this.incoming && ssrc === this.incoming.ssrc) this.promote(this.incoming);
    if (ssrc !== this.active?.ssrc) return; // a replaced encoder's tail, or a stranger
    // A new source timestamp starts a new frame: it is stamped with the moment it was grabbed,
    // so the viewer sees the true capture rhythm (its jitter estimate) and lines the sound up
    // with the picture as it was on screen, not as late as the encoder finished it.
    const ts = msg.readUInt32BE(4);
    if (ts !== this.lastSourceTs || ssrc !== this.lastSourceSsrc) {
      let out = this.opts.clock(this.active.grabbedAt(ts) ?? performance.now());
      // Never backwards: a new encoder's first frame can be older than the old one's last.
      if (this.outTs !== undefined && ((out - this.outTs) | 0) <= 0) out = (this.outTs + 1) >>> 0;
      this.outTs = out;
      this.lastSourceTs = ts;
      this.lastSourceSsrc = ssrc;
      this.lastFrameBytes = 0;
    }
    this.lastFrameBytes += msg.length;
    this.seq = (this.seq + 1) & 0xffff;
    msg.writeUInt16BE(this.seq, 2);
    msg.writeUInt32BE(this.outTs!, 4);
    this.stats.rtpPackets++;
    this.stats.rtpBytes += msg.length;
    this.opts.onRtp(msg);
  }
}
