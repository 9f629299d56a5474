/**
 * The replay's one time line, pure: a recording is a row of clips on the wall clock (each plays on
 * its own, with gaps between them when nobody watched), and the player needs to go both ways —
 * a wall instant to the clip and offset that show it, and a clip's position back to the wall
 * clock — plus where things sit on the scrub bar and which event playback has reached.
 * Times are milliseconds since the epoch; video positions are seconds, as `<video>` has them.
 */

export interface ClipSpan {
  /** The clip's number in the API (`/clips/<clip>`). */
  clip: number;
  start: number;
  end: number;
}

export interface ReplayTimeline {
  /** The bar's left end: the recording's start, or earlier if something happened before it. */
  start: number;
  end: number;
  /** In time order. */
  clips: ClipSpan[];
}

/** Where a wall instant is played: the clip (its index in `clips`) and the position in it. */
export interface ClipPosition {
  index: number;
  offset: number;
}

interface TimedInput {
  startedAt: string;
  endedAt: string | null;
  clips: readonly { clip: number; startedAt: string; endedAt: string }[];
  events: readonly { at: string }[];
}

const ms = (iso: string) => Date.parse(iso);

/** The recording's clips and the span its bar covers (clips and events all fit on it). */
export function replayTimeline(r: TimedInput): ReplayTimeline {
  const clips = r.clips
    .map((c) => ({ clip: c.clip, start: ms(c.startedAt), end: Math.max(ms(c.startedAt), ms(c.endedAt)) }))
    .filter((c) => Number.isFinite(c.start) && Number.isFinite(c.end))
    .sort((a, b) => a.start - b.start);
  const instants = [
    ms(r.startedAt),
    ...(r.endedAt ? [ms(r.endedAt)] : []),
    ...clips.flatMap((c) => [c.start, c.end]),
    ...r.events.map((e) => ms(e.at)),
  ].filter(Number.isFinite);
  if (instants.length === 0) return { start: 0, end: 0, clips };
  return { start: Math.min(...instants), end: Math.max(...instants), clips };
}

/**
 * The clip and offset that show `wall`. An instant in a gap (or before the first clip) goes to
 * the next clip's start; one after the last clip, to that clip's end. Null when there is no clip.
 */
export function positionAt(tl: ReplayTimeline, wall: number): ClipPosition | null {
  if (tl.clips.length === 0) return null;
  for (let index = 0; index < tl.clips.length; index++) {
    const c = tl.clips[index]!;
    if (wall < c.start) return { index, offset: 0 };
    if (wall <= c.end) return { index, offset: (wall - c.start) / 1000 };
  }
  const index = tl.clips.length - 1;
  const last = tl.clips[index]!;
  return { index, offset: (last.end - last.start) / 1000 };
}

/**
 * The wall instant a clip's position shows: time 0 of a clip is its first frame, at its start.
 * Held inside the clip, since its MP4 can run a few frames past the wall span.
 */
export function wallAt(tl: ReplayTimeline, index: number, offset: number): number {
  const c = tl.clips[index];
  if (!c) return tl.start;
  return Math.min(c.end, c.start + Math.max(0, offset) * 1000);
}

/** Where `wall` sits on the bar, 0–1. */
export function fractionOf(tl: ReplayTimeline, wall: number): number {
  const span = tl.end - tl.start;
  if (!(span > 0)) return 0;
  return Math.min(1, Math.max(0, (wall - tl.start) / span));
}

/** The wall instant at a point of the bar, 0–1. */
export function wallAtFraction(tl: ReplayTimeline, fraction: number): number {
  return tl.start + Math.min(1, Math.max(0, fraction)) * (tl.end - tl.start);
}

/** The clips as bar ranges (fractions); what is not covered is a gap. */
export function clipRanges(tl: ReplayTimeline): { clip: number; left: number; width: number }[] {
  return tl.clips.map((c) => {
    const left = fractionOf(tl, c.start);
    return { clip: c.clip, left, width: fractionOf(tl, c.end) - left };
  });
}

/**
 * The event playback has reached: the last one at or before `wall` (events are in time order),
 * or -1 before the first.
 */
export function currentEventIndex(events: readonly { at: string }[], wall: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms(events[mid]!.at) <= wall) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
