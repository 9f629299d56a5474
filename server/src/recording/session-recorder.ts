import { AccessUnitAssembler, type AccessUnit } from './h264-access-units.ts';
import { TransportStreamWriter } from './mpeg-ts.ts';
import { SegmentFile, type FinishedSegment } from './segment-file.ts';

/** What a session's runtime feeds a recording: the packets it sends and what happened, timed. */
export interface RecordingSink {
  /** One outgoing video RTP packet, exactly as every viewer gets it (before per-peer headers). */
  video(packet: Buffer): void;
  /** Nobody watches any more: the encoder stops; the next video is a new run that starts with a keyframe. */
  videoStopped(): void;
  /** Something to show beside the picture on replay (input, a claim, who joined, who took control). */
  event(kind: RecordedEventKind, data: Record<string, unknown>): void;
  /** Finishes the segment being written; resolves once every segment is on the trail. */
  stop(): Promise<RecordingTotals>;
}

export type RecordedEventKind = 'input' | 'claim' | 'viewer' | 'control';

export interface RecordingTotals {
  segments: number;
  bytes: number;
  /** Frames that arrived damaged and were left out (0 on the in-process path). */
  dropped: number;
}

export interface RecorderOptions {
  /** Its own folder, outside every sandbox, made by the caller. */
  dir: string;
  /** The session's video clock (what packets are stamped with) at a moment of `performance.now()`. */
  clock: (ms: number) => number;
  /** Segments are cut at the first picture after this long (a crash loses at most one). */
  segmentMs: number;
  /** Each finished segment, in order: its hashes go on the trail (recording-service.ts). */
  finished(segment: FinishedSegment): Promise<void>;
  /** Writing failed (disk full, budget): the session must not go on unrecorded. */
  failed(reason: string): void;
  /** Bytes written so far may not exceed this (the owner's recording budget left). */
  maxBytes: number;
}

const RATE = 90;

/**
 * Records a session's encoded stream as it is sent (watermark and all, no second encode) into
 * MPEG-TS segments of a few seconds, with the session's events beside each. A new clip (a run
 * decodable on its own) starts at a keyframe whenever the picture size changes or the stream
 * restarts; segments inside a clip are cut at any picture.
 */
export class SessionRecorder implements RecordingSink {
  private readonly opts: RecorderOptions;
  private readonly assembler = new AccessUnitAssembler();
  private readonly ts = new TransportStreamWriter();
  private readonly wall0 = Date.now();
  private readonly pts0: number;
  private lastPts: number;
  private segment: SegmentFile | undefined;
  private index = 0;
  private clip = -1;
  private clipSps: Buffer | undefined;
  /** A new clip must start: at the next keyframe (pictures before it cannot be decoded alone). */
  private needClip = true;
  private pendingEvents: string[] = [];
  private finishing: Promise<void> = Promise.resolve();
  private readonly totals: RecordingTotals = { segments: 0, bytes: 0, dropped: 0 };
  private broken = false;
  private stopped = false;

  constructor(opts: RecorderOptions) {
    this.opts = opts;
    this.pts0 = opts.clock(performance.now());
    this.lastPts = this.pts0;
  }

  video(packet: Buffer): void {
    if (this.stopped || this.broken) return;
    for (const unit of this.assembler.push(packet)) this.picture(unit);
  }

  videoStopped(): void {
    this.assembler.reset();
    this.needClip = true;
    this.cut();
  }

  event(kind: RecordedEventKind, data: Record<string, unknown>): void {
    if (this.stopped) return;
    const line = JSON.stringify({ ...data, at: Date.now(), kind });
    if (this.segment) this.segment.event(line);
    else this.pendingEvents.push(line);
  }

  async stop(): Promise<RecordingTotals> {
    if (!this.stopped) {
      this.stopped = true;
      this.cut();
    }
    await this.finishing;
    this.totals.dropped = this.assembler.dropped;
    return { ...this.totals };
  }

  private picture(unit: AccessUnit): void {
    const pts = this.unwrap(unit.rtpTimestamp);
    const newSize = unit.sps !== undefined && this.clipSps !== undefined && !unit.sps.equals(this.clipSps);
    if (this.needClip || newSize) {
      if (!unit.keyframe) return; // undecodable without what came before: wait for the keyframe
      this.needClip = false;
      this.clip++;
      this.clipSps = unit.sps;
      this.cut();
    } else if (this.segment && (pts - this.segment.startPts) / RATE >= this.opts.segmentMs) {
      this.cut();
    }
    if (!this.segment && !this.open(pts)) return;
    const seg = this.segment!;
    try {
      if (this.totals.bytes + seg.bytes > this.opts.maxBytes) throw new Error('the recording budget is used up');
      seg.write(this.ts.picture(unit.annexB, pts, unit.keyframe));
    } catch (err) {
      this.fail((err as Error).message);
      return;
    }
    if (seg.pictures === 0) seg.keyframe = unit.keyframe;
    seg.pictures++;
    seg.endedAt = this.wallOf(pts);
  }

  private open(pts: number): boolean {
    try {
      const seg = new SegmentFile(this.opts.dir, this.index++, this.clip);
      seg.startPts = pts;
      seg.startedAt = this.wallOf(pts);
      seg.write(this.ts.tables());
      for (const line of this.pendingEvents) seg.event(line);
      this.pendingEvents = [];
      this.segment = seg;
      return true;
    } catch (err) {
      this.fail((err as Error).message);
      return false;
    }
  }

  /** The segment being written is finished: hashed, on disk, then handed on (in order). */
  private cut(): void {
    const seg = this.segment;
    if (!seg) return;
    this.segment = undefined;
    this.totals.segments++;
    this.totals.bytes += seg.bytes;
    this.finishing = this.finishing
      .then(() => seg.finish())
      .then((done) => this.opts.finished(done))
      .catch((err: Error) => this.fail(err.message));
  }

  private fail(reason: string): void {
    if (this.broken) return;
    this.broken = true;
    this.segment?.abandon();
    this.segment = undefined;
    this.opts.failed(reason);
  }

  /** RTP timestamps wrap every 13 hours; the recording's run on. */
  private unwrap(ts: number): number {
    this.lastPts += ((ts - this.lastPts) | 0) as number;
    return this.lastPts;
  }

  private wallOf(pts: number): number {
    return Math.round(this.wall0 + (pts - this.pts0) / RATE);
  }
}
