/**
 * Lines the picture up with the sound faster than the browser does by itself.
 *
 * Chrome lines up the tracks of one stream from the sender reports, but it corrects an eighth of
 * the gap a second (webrtc's StreamSynchronization): a beep that starts 250 ms after its flash
 * (a loaded machine: the sound's path is longer then) is still 100 ms late 7 s later. Chrome also
 * says, for each track, which instant of the sender's clock is playing now
 * (`estimatedPlayoutTimestamp`): the picture minus the sound is the offset itself. While both
 * move, the picture's jitter-buffer target is set to what holds it back now plus that offset
 * (Chrome ramps its delay there, ≤ 100 ms a second). When the sound stops, the target is cleared and the
 * picture renders at once again (typing and scrolling stay as fast as without sound).
 */

/** One reading of both tracks (from getStats). */
export interface LipSyncSample {
  /** The sender-clock instant playing now (ms), or undefined before the browser knows it. */
  videoPlayout: number | undefined;
  audioPlayout: number | undefined;
  /** Frames decoded and sound packets received so far: whether each track is moving (the server
   * sends sound only while the app plays some). */
  framesDecoded: number;
  audioPackets: number;
  /**
   * The picture's jitter-buffer target summed over its frames (s), and how many frames: between
   * two readings, the delay the browser holds the picture back by now (the server's floor, its
   * own sync and ours, whichever is largest).
   */
  videoTargetSum: number;
  videoEmitted: number;
}

/** Readings whose median is acted on (a frame-granular clock jitters by ±1 frame). */
const WINDOW = 3;
/** Gaps below this are left to the browser (its own threshold is 30 ms). */
const DEAD_BAND_MS = 15;
/**
 * The share of the gap closed per step: the browser's own sync closes some of it at the same
 * time, and a full step overshot (+94 ms corrected to −87 ms in one run).
 */
const GAIN = 0.7;
/** The largest step at once, and the target's bounds. */
const MAX_STEP_MS = 300;
const MAX_TARGET_MS = 1000;
/** After a step, wait this many readings for the browser to ramp its delay before measuring again. */
const SETTLE_READINGS = 4;
/** The sound counts as stopped after this many readings without new samples. */
const QUIET_READINGS = 8;

export class LipSyncController {
  #target: number | null = null;
  #offsets: number[] = [];
  #settle = 0;
  #quiet = QUIET_READINGS;
  #last: LipSyncSample | null = null;

  /** The picture's jitter-buffer target now (ms), or null: the browser's own. */
  get target(): number | null {
    return this.#target;
  }

  /** Takes a reading; returns the new target when it changed (null: cleared), else undefined. */
  update(s: LipSyncSample): number | null | undefined {
    const last = this.#last;
    this.#last = s;
    if (!last) return undefined;
    const sound = s.audioPackets > last.audioPackets;
    const picture = s.framesDecoded > last.framesDecoded;
    this.#quiet = sound ? 0 : this.#quiet + 1;
    if (this.#quiet >= QUIET_READINGS) {
      this.#offsets = [];
      if (this.#target === null) return undefined;
      this.#target = null;
      return null;
    }
    if (this.#settle > 0) {
      this.#settle--;
      return undefined;
    }
    if (!sound || !picture || s.videoPlayout === undefined || s.audioPlayout === undefined) return undefined;
    this.#offsets.push(s.videoPlayout - s.audioPlayout);
    if (this.#offsets.length < WINDOW) return undefined;
    const offset = median(this.#offsets);
    this.#offsets = [];
    if (Math.abs(offset) < DEAD_BAND_MS) return undefined;
    const frames = s.videoEmitted - last.videoEmitted;
    if (frames <= 0) return undefined;
    const holding = ((s.videoTargetSum - last.videoTargetSum) / frames) * 1000;
    const step = Math.max(-MAX_STEP_MS, Math.min(MAX_STEP_MS, offset * GAIN));
    const next = Math.round(Math.max(0, Math.min(MAX_TARGET_MS, holding + step)));
    if (next === (this.#target ?? 0)) return undefined;
    this.#target = next;
    this.#settle = SETTLE_READINGS;
    return next;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** How often both tracks are read while the connection has sound. */
export const LIP_SYNC_INTERVAL_MS = 250;

/** Reads both tracks from a stats report (the inbound audio and video streams). */
export function lipSyncSample(report: RTCStatsReport): LipSyncSample | null {
  let video: Record<string, unknown> | undefined;
  let audio: Record<string, unknown> | undefined;
  report.forEach((s: Record<string, unknown>) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') video = s;
    else if (s.kind === 'audio') audio = s;
  });
  if (!video || !audio) return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    videoPlayout: num(video.estimatedPlayoutTimestamp),
    audioPlayout: num(audio.estimatedPlayoutTimestamp),
    framesDecoded: num(video.framesDecoded) ?? 0,
    audioPackets: num(audio.packetsReceived) ?? 0,
    videoTargetSum: num(video.jitterBufferTargetDelay) ?? 0,
    videoEmitted: num(video.jitterBufferEmittedCount) ?? 0,
  };
}

/**
 * Runs the controller on a connection until the returned function is called. The video
 * receiver's `jitterBufferTarget` (Chrome ≥ 114; elsewhere nothing is done) carries the result.
 */
export function keepLipSync(pc: RTCPeerConnection): () => void {
  const receiver = pc.getReceivers().find((r) => r.track.kind === 'video') as
    (RTCRtpReceiver & { jitterBufferTarget?: number | null }) | undefined;
  if (!receiver || !('jitterBufferTarget' in receiver)) return () => {};
  const controller = new LipSyncController();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    pc.getStats()
      .then((report) => {
        const sample = lipSyncSample(report);
        if (!sample) return;
        const target = controller.update(sample);
        if (target !== undefined) receiver.jitterBufferTarget = target;
      })
      .catch(() => {
        // The connection is closing: the next reading (if any) tries again.
      })
      .finally(() => (busy = false));
  }, LIP_SYNC_INTERVAL_MS);
  return () => clearInterval(timer);
}
