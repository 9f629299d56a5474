import dgram from 'node:dgram';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { AudioTimeline } from './audio-timeline.ts';
import { OPUS_FRAME_SAMPLES, OpusEncoder } from './opus-encoder.ts';
import { SinkPipe } from './sink-pipe.ts';
import { AUDIO_FORMAT, BYTES_PER_FRAME, sinkPipe } from './sound-server.ts';

export interface AudioPipelineOptions {
  ffmpegPath: string;
  sessionDir: string;
  bitrateKbps: number;
  /**
   * After this long without sound the encoder stops (an idle session keeps no FFmpeg); the next
   * input (`wake`) or sound starts it again. 0: it runs while a viewer is there.
   */
  idleStopMs: number;
  /** Each outgoing Opus RTP packet, sequence numbers continuous and timestamps on the session's clock. */
  onRtp: (packet: Buffer) => void;
  log: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
}

export interface AudioStats {
  /** Sound reached us in the last moment. */
  playing: boolean;
  encoderStarts: number;
  rtpPackets: number;
  rtpBytes: number;
  /** PCM thrown away because the encoder fell behind by more than MAX_BACKLOG_MS. */
  bytesDropped: number;
}

/** How long the sound server may take to make its pipe, and how often it is looked for. */
const SINK_WAIT_MS = 15_000;
const SINK_POLL_MS = 50;
/** `playing` (in stats) turns false after this long without sound. */
const IDLE_MS = 1000;
/**
 * Exact silence is encoded for this long, then skipped. A paused or closed player lets the sink
 * suspend (nothing is written at all); this is for a player that keeps an idle stream open. Quiet
 * moments inside a film stay in the stream: a gap would start a new talkspurt each time, and the
 * viewer's jitter buffer re-learns its delay at each one (measured: lip sync off by 100–500 ms).
 */
const SILENCE_KEPT_MS = 3000;
/** The encoder may lag this far behind; beyond it PCM is dropped (a sandbox writing faster than real time). */
const MAX_BACKLOG_MS = 500;
/** Encoders that die on their own this often in a minute: sound is given up for the session. */
const MAX_FAILURES_PER_MINUTE = 5;
/**
 * A sample reaches the pipe about this long before the app counts it as heard: the sink reports
 * 10–16 ms of latency while playing (`pactl list sinks`), less the 6.5 ms (312 samples) by which
 * Opus's look-ahead delays what the viewer decodes.
 */
export const HEARD_AFTER_MS = 7;

const BYTES_PER_MS = (AUDIO_FORMAT.rate * BYTES_PER_FRAME) / 1000;

/**
 * A session's sound, from the sink's pipe to RTP: the pipe is read for the session's whole life
 * (the sink must never block), an Opus encoder runs only while there is sound and a viewer, and
 * its packets are re-stamped on the session's clock (audio-timeline.ts) so the viewer can line
 * them up with the video.
 */
export class AudioPipeline {
  readonly stats: AudioStats = { playing: false, encoderStarts: 0, rtpPackets: 0, rtpBytes: 0, bytesDropped: 0 };
  /** The session's 48 kHz clock: sender reports pair it with the wall clock. */
  readonly timeline = new AudioTimeline(AUDIO_FORMAT.rate, randomInt(0, 2 ** 32 - 1), HEARD_AFTER_MS);
  private readonly opts: AudioPipelineOptions;
  private pipe: SinkPipe | undefined;
  private socket: dgram.Socket | undefined;
  private port = 0;
  private encoder: OpusEncoder | undefined;
  private stopping: Array<Promise<unknown>> = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private silentSince: number | undefined;
  /** Bytes of an incomplete sample frame, kept for the next chunk (channels stay aligned). */
  private partial: Buffer = Buffer.alloc(0);
  private failures: number[] = [];
  private firstSourceTs: number | undefined;
  private previousFrame: number | undefined;
  private seq = randomInt(0, 0xffff);
  private stopped = false;
  private listening = false;
  /** When sound last came (or the encoder started): the idle stop counts from it. */
  private lastSoundAt = 0;
  private idleStopTimer: NodeJS.Timeout | undefined;

  constructor(opts: AudioPipelineOptions) {
    this.opts = opts;
  }

  /** Opens the RTP socket, and the sink's pipe once the sound server has made it (see openPipe). */
  async start(): Promise<void> {
    const socket = dgram.createSocket({ type: 'udp4' });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onPacket(msg, rinfo.address));
    socket.on('error', (err) => this.opts.log.warn({ err: err.message }, 'audio rtp socket error'));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.port = socket.address().port;
    void this.openPipe();
  }

  /**
   * The sink makes its pipe when the sound server has started, which on a loaded machine can be
   * seconds after the sandbox is ready: the pipe is opened once it is there, without holding up
   * the session. A session whose sound server never makes it goes on without sound.
   */
  private async openPipe(): Promise<void> {
    const deadline = performance.now() + SINK_WAIT_MS;
    for (;;) {
      if (this.stopped) return;
      try {
        this.pipe = SinkPipe.open(
          sinkPipe(this.opts.sessionDir),
          (pcm, at) => this.onPcm(pcm, at),
          (err) => this.opts.log.warn({ err: err.message }, 'sound pipe failed'),
        );
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || performance.now() > deadline) {
          this.opts.log.warn({ err: (err as Error).message }, 'no sound for this session');
          return;
        }
      }
      await new Promise((r) => setTimeout(r, SINK_POLL_MS));
    }
  }

  /**
   * A viewer is there (true) or gone (false). The encoder starts with the first viewer, not with
   * the first sound: FFmpeg takes 0.1–1.5 s to start on a loaded machine, and sound that waits for
   * it would be late or lost. Waiting for input it costs no CPU; it encodes only what is played.
   */
  setListening(listening: boolean): void {
    if (this.stopped || listening === this.listening) return;
    this.listening = listening;
    if (listening) this.startEncoder();
    else this.stopEncoder();
  }

  /**
   * Input arrived: a player may be about to start. An encoder stopped for silence starts now,
   * while the click travels through the app, rather than when the first sound comes.
   */
  wake(): void {
    if (this.stopped || !this.listening || this.encoder?.alive) return;
    this.startEncoder();
  }

  /** Stops the encoder of a viewer's stream that has been silent for `idleStopMs`. */
  private scheduleIdleStop(): void {
    const idleStop = this.opts.idleStopMs;
    if (idleStop <= 0 || this.idleStopTimer) return;
    this.idleStopTimer = setTimeout(() => {
      this.idleStopTimer = undefined;
      if (this.stopped || !this.encoder) return;
      const silentFor = performance.now() - this.lastSoundAt;
      if (silentFor >= idleStop) this.stopEncoder();
      else this.scheduleIdleStop();
    }, idleStop);
    this.idleStopTimer.unref();
  }

  /** The encoder's process (while a viewer is there). */
  get processes(): number[] {
    const pid = this.encoder?.alive ? this.encoder.process.pid : undefined;
    return pid ? [pid] : [];
  }

  private onPcm(chunk: Buffer, at: number): void {
    if (this.stopped) return;
    if (isSilent(chunk)) {
      this.silentSince ??= at;
      if (at - this.silentSince > SILENCE_KEPT_MS) return;
    } else {
      this.silentSince = undefined;
      this.lastSoundAt = performance.now();
    }
    if (!this.listening) return;
    const pcm = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
    const whole = pcm.length - (pcm.length % BYTES_PER_FRAME);
    this.partial = Buffer.from(pcm.subarray(whole));
    if (whole === 0) return;
    const encoder = this.encoder?.alive ? this.encoder : this.startEncoder();
    if (!encoder) return;

    if (encoder.backlog > MAX_BACKLOG_MS * BYTES_PER_MS) {
      this.stats.bytesDropped += whole;
      return;
    }
    const frames = whole / BYTES_PER_FRAME;
    const fill = (OPUS_FRAME_SAMPLES - (this.timeline.frames % OPUS_FRAME_SAMPLES)) % OPUS_FRAME_SAMPLES;
    if (fill > 0 && this.timeline.frames > 0 && this.timeline.startsStretch(frames, at)) {
      // Sound after a pause begins on a packet boundary: the last packet before it is filled with silence.
      this.timeline.pad(fill);
      encoder.write(Buffer.alloc(fill * BYTES_PER_FRAME));
    }
    this.timeline.feed(frames, at);
    encoder.write(pcm.subarray(0, whole));
    this.stats.playing = true;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => (this.stats.playing = false), IDLE_MS);
  }

  private startEncoder(): OpusEncoder | undefined {
    const now = performance.now();
    this.failures = this.failures.filter((t) => now - t < 60_000);
    if (this.failures.length >= MAX_FAILURES_PER_MINUTE) return undefined;
    const encoder = new OpusEncoder({
      ffmpegPath: this.opts.ffmpegPath,
      rtpPort: this.port,
      bitrateKbps: this.opts.bitrateKbps,
      sdpFile: path.join(this.opts.sessionDir, 'opus.sdp'),
    });
    this.encoder = encoder;
    this.lastSoundAt = now;
    this.scheduleIdleStop();
    this.timeline.restart();
    this.firstSourceTs = undefined;
    this.previousFrame = undefined;
    this.stats.encoderStarts++;
    void encoder.exit.then(({ code, signal, stderr }) => {
      if (this.stopped || this.encoder !== encoder) return; // stopped on purpose
      this.failures.push(performance.now());
      this.opts.log.warn({ code, signal, stderr: stderr.slice(-500) }, 'audio encoder exited');
      if (this.failures.length >= MAX_FAILURES_PER_MINUTE) this.opts.log.warn({}, 'sound given up for this session');
    });
    return encoder;
  }

  private stopEncoder(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.idleStopTimer);
    this.idleStopTimer = undefined;
    this.stats.playing = false;
    const encoder = this.encoder;
    if (!encoder) return;
    this.encoder = undefined;
    this.stopping.push(encoder.stop());
  }

  private onPacket(msg: Buffer, from: string): void {
    if (from !== '127.0.0.1' || msg.length < 12 || this.stopped) return;
    const encoder = this.encoder;
    if (!encoder || msg.readUInt32BE(8) !== encoder.ssrc) return;
    const ts = msg.readUInt32BE(4);
    this.firstSourceTs ??= ts;
    const frame = (ts - this.firstSourceTs) >>> 0;
    const stamp = this.timeline.timestampOf(frame, this.previousFrame);
    if (!stamp) return;
    this.previousFrame = frame;
    this.seq = (this.seq + 1) & 0xffff;
    msg.writeUInt16BE(this.seq, 2);
    msg.writeUInt32BE(stamp.timestamp, 4);
    // The marker bit starts a talkspurt: the receiver may adapt its buffer there.
    msg[1] = stamp.first ? msg[1]! | 0x80 : msg[1]! & 0x7f;
    this.stats.rtpPackets++;
    this.stats.rtpBytes += msg.length;
    this.opts.onRtp(msg);
  }

  /** Stops reading and encoding; resolves once the encoder has exited. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopEncoder();
    this.pipe?.close();
    this.socket?.close();
    await Promise.all(this.stopping);
  }
}

/** All samples exactly zero: what the sink writes when nothing plays. */
export function isSilent(pcm: Buffer): boolean {
  for (let i = 0; i < pcm.length; i += ZEROS.length) {
    const part = pcm.subarray(i, i + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}
const ZEROS = Buffer.alloc(16384);
