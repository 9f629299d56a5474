/**
 * When each frame handed to one encoder was grabbed, looked up by the RTP timestamp FFmpeg gives
 * it on the way out. Pure (times are passed in).
 *
 * FFmpeg numbers raw input frames 0, 1, 2… and stamps frame n `first + n·90000/framerate`
 * (checked for libx264 and libvpx). Its random `first` is learnt from the first frame out, which
 * is frame 0 (a keyframe: never dropped). Looking a frame up by its number rather than by order
 * keeps a frame an encoder dropped from shifting every later one.
 */

/** Frames remembered at most (seconds of frames an encoder that stopped answering was given). */
const KEPT = 600;

export class GrabTimes {
  private readonly framerate: number;
  private first: number | undefined;
  /** Grab times of frames `offset`, `offset + 1`, … not yet seen coming out. */
  private times: number[] = [];
  private offset = 0;

  constructor(framerate: number) {
    this.framerate = framerate;
  }

  /** The next frame handed to the encoder was grabbed at `at`. */
  grabbed(at: number): void {
    this.times.push(at);
    if (this.times.length > KEPT) {
      this.times.shift();
      this.offset++;
    }
  }

  /**
   * When the frame FFmpeg stamped `timestamp` was grabbed (undefined for one never handed over);
   * earlier frames are forgotten, as the encoder's output only moves forward.
   */
  of(timestamp: number): number | undefined {
    this.first ??= timestamp;
    const n = Math.round((((timestamp - this.first) >>> 0) * this.framerate) / 90000);
    const i = n - this.offset;
    if (i < 0 || i >= this.times.length) return undefined;
    const at = this.times[i];
    this.times.splice(0, i);
    this.offset = n;
    return at;
  }
}
