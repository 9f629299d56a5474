/**
 * When each sample was played, and so which RTP timestamp it gets. Pure (times are passed in).
 *
 * The viewer lines audio up with video by the sender reports of each track, which map RTP
 * timestamps to one wall clock (webrtc/sender-report-clock.ts). Video timestamps follow the
 * server's clock (media/video-pipeline.ts); audio timestamps are made to follow it too:
 * `rtpAt(ms)` is one linear clock at 48 kHz, and a sample's timestamp is `rtpAt` of the moment
 * it left the sink. Within a stretch of continuous sound, timestamps advance by exactly one per
 * sample (what the decoder needs); after a pause (the sink suspended, or silence skipped) the
 * next stretch starts where the clock is then.
 */

/**
 * Chunks later than the running sample count says by more than this start a new stretch. Real
 * pauses are longer than half a second (the sink suspends after 1 s without streams, and silence
 * is skipped after SILENCE_KEPT_MS); shorter delays are the sound server or us being late on a
 * loaded machine, and are not pauses in the sound.
 */
export const GAP_MS = 250;
/**
 * Within a stretch, samples that never came (the sound server fell behind on a loaded machine)
 * leave the count short of the clock, and each shortfall under GAP_MS used to stay: one session
 * measured 190 ms, its sound then stamped that much early, and the browser held the picture back
 * by it (the beep 110–230 ms before its flash). A chunk's own lateness says nothing (it is larger,
 * not later); the smallest shortfall over RESYNC_WINDOW_MS of chunks is what the sound really
 * lost, and above RESYNC_MS the count is moved forward to the clock by that much (a new stretch:
 * what the receiver hears as a pause, which it was).
 */
export const RESYNC_MS = 40;
export const RESYNC_WINDOW_MS = 1000;
/** Stretches kept to look packets up in (far more than the encoder ever lags behind). */
const KEPT_STRETCHES = 64;

interface Stretch {
  /** Index (in frames since the encoder started) of its first sample. */
  firstFrame: number;
  /** When its first sample left the sink (ms, the caller's clock). */
  startedAt: number;
  /** RTP timestamp of its first sample. */
  firstTimestamp: number;
}

export class AudioTimeline {
  private readonly rate: number;
  private readonly base: number;
  /** How long after reaching us a sample is heard, as the app playing it counts (see the constructor). */
  private readonly heardAfterMs: number;
  private stretches: Stretch[] = [];
  private fed = 0;
  /** The smallest shortfall (ms) of the chunks since `windowStart`; a resync owed, if any. */
  private shortfall = Infinity;
  private windowStart: number | undefined;
  private owed: number | undefined;

  /**
   * @param rate samples per second (and RTP clock rate)
   * @param base the RTP timestamp at time 0 (random per session, as RTP asks)
   * @param heardAfterMs how long after it reaches us a sample counts as heard for the app that
   *   plays it (the sink's latency, which a player such as Chromium paints its pictures against)
   */
  constructor(rate: number, base: number, heardAfterMs = 0) {
    this.rate = rate;
    this.base = base >>> 0;
    this.heardAfterMs = heardAfterMs;
  }

  /** The RTP timestamp of the clock at `ms` (what a sender report pairs with that moment). */
  rtpAt(ms: number): number {
    return (this.base + Math.round((ms * this.rate) / 1000)) >>> 0;
  }

  /** A new encoder starts counting its samples from 0. */
  restart(): void {
    this.stretches = [];
    this.fed = 0;
    this.resetWindow(undefined);
  }

  private resetWindow(at: number | undefined): void {
    this.shortfall = Infinity;
    this.windowStart = at;
    this.owed = undefined;
  }

  /**
   * `frames` samples (per channel) reached us at `at`. True when they begin a new stretch.
   */
  feed(frames: number, at: number): boolean {
    const { played, end } = this.placing(frames, at);
    const started = this.startsStretch(frames, at);
    if (started) {
      // Never before the end of the previous stretch: timestamps only move forward. A resync
      // moves by the shortfall measured, not by this chunk's (possibly late) arrival.
      const moved = played - end > GAP_MS || this.owed === undefined ? played : Math.min(played, end + this.owed);
      const startedAt = Math.max(moved, end);
      this.stretches.push({ firstFrame: this.fed, startedAt, firstTimestamp: this.rtpAt(startedAt) });
      if (this.stretches.length > KEPT_STRETCHES) this.stretches.shift();
      this.resetWindow(at);
    } else {
      this.shortfall = Math.min(this.shortfall, played - end);
      this.windowStart ??= at;
      if (at - this.windowStart >= RESYNC_WINDOW_MS) {
        const lost = this.shortfall;
        this.resetWindow(at);
        if (lost > RESYNC_MS) this.owed = lost;
      }
    }
    this.fed += frames;
    return started;
  }

  /** Would `frames` read at `at` begin a new stretch (sound after a pause, or a resync owed)? */
  startsStretch(frames: number, at: number): boolean {
    const { played, end } = this.placing(frames, at);
    return this.stretches.length === 0 || played - end > GAP_MS || this.owed !== undefined;
  }

  /**
   * When the chunk's first sample played: the sink writes in real time, so a chunk ends as it
   * reaches us (a larger one means we read late, not that it was written early), and when the
   * running count says the sound fed so far ends. A chunk later than that by more than GAP_MS
   * follows a pause.
   */
  private placing(frames: number, at: number): { played: number; end: number } {
    const last = this.stretches.at(-1);
    const played = at - (frames * 1000) / this.rate + this.heardAfterMs;
    const end = last ? last.startedAt + ((this.fed - last.firstFrame) * 1000) / this.rate : -Infinity;
    return { played, end };
  }

  /** Silence added at the end of the current stretch (to fill the encoder's last packet). */
  pad(frames: number): void {
    this.fed += frames;
  }

  /** Frames handed to the encoder so far. */
  get frames(): number {
    return this.fed;
  }

  /**
   * The RTP timestamp of the encoder's frame `frame` (its first sample's index), and whether it
   * begins a stretch (a talkspurt: RTP's marker bit). Undefined for a frame never fed.
   */
  timestampOf(frame: number, previousFrame: number | undefined): { timestamp: number; first: boolean } | undefined {
    for (let i = this.stretches.length - 1; i >= 0; i--) {
      const s = this.stretches[i]!;
      if (s.firstFrame > frame) continue;
      const first = previousFrame === undefined || previousFrame < s.firstFrame;
      return { timestamp: (s.firstTimestamp + (frame - s.firstFrame)) >>> 0, first };
    }
    return undefined;
  }
}
