import { describe, expect, it } from 'vitest';
import {
  clipRanges,
  currentEventIndex,
  fractionOf,
  positionAt,
  replayTimeline,
  wallAt,
  wallAtFraction,
} from './replayTime.ts';

const T0 = Date.parse('2025-03-12T12:00:00.000Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

// 0–10 s clip 0, a gap, 20–30 s clip 1 (recording from 0 to 32 s).
const recording = {
  startedAt: iso(0),
  endedAt: iso(32),
  clips: [
    { clip: 1, startedAt: iso(20), endedAt: iso(30) },
    { clip: 0, startedAt: iso(0), endedAt: iso(10) },
  ],
  events: [{ at: iso(2) }, { at: iso(15) }, { at: iso(25) }],
};
const tl = replayTimeline(recording);

describe('replay time line', () => {
  it('spans the recording, its clips in order', () => {
    expect(tl.start).toBe(T0);
    expect(tl.end).toBe(T0 + 32_000);
    expect(tl.clips.map((c) => c.clip)).toEqual([0, 1]);
  });

  it('widens to events outside the recorded span', () => {
    const wider = replayTimeline({ ...recording, events: [{ at: iso(-3) }, { at: iso(40) }] });
    expect([wider.start, wider.end]).toEqual([T0 - 3000, T0 + 40_000]);
    expect(replayTimeline({ ...recording, endedAt: null }).end).toBe(T0 + 30_000);
  });

  it('finds the clip and offset of a wall instant; gaps go to the next clip', () => {
    expect(positionAt(tl, T0 + 4_500)).toEqual({ index: 0, offset: 4.5 });
    expect(positionAt(tl, T0 + 10_000)).toEqual({ index: 0, offset: 10 });
    expect(positionAt(tl, T0 + 15_000)).toEqual({ index: 1, offset: 0 });
    expect(positionAt(tl, T0 + 21_250)).toEqual({ index: 1, offset: 1.25 });
    expect(positionAt(tl, T0 - 1_000)).toEqual({ index: 0, offset: 0 });
    // After the last clip: its end.
    expect(positionAt(tl, T0 + 31_000)).toEqual({ index: 1, offset: 10 });
    expect(positionAt(replayTimeline({ ...recording, clips: [] }), T0)).toBeNull();
  });

  it('maps a clip position back to the wall clock, held inside the clip', () => {
    expect(wallAt(tl, 1, 2.5)).toBe(T0 + 22_500);
    expect(wallAt(tl, 0, 0)).toBe(T0);
    expect(wallAt(tl, 0, 10.2)).toBe(T0 + 10_000);
    expect(wallAt(tl, 0, -1)).toBe(T0);
    expect(wallAt(tl, 5, 1)).toBe(tl.start);
    // Round trip.
    const p = positionAt(tl, T0 + 27_000)!;
    expect(wallAt(tl, p.index, p.offset)).toBe(T0 + 27_000);
  });

  it('places instants and clips on the bar', () => {
    expect(fractionOf(tl, T0 + 16_000)).toBe(0.5);
    expect(fractionOf(tl, T0 - 5_000)).toBe(0);
    expect(fractionOf(tl, T0 + 99_000)).toBe(1);
    expect(wallAtFraction(tl, 0.75)).toBe(T0 + 24_000);
    expect(wallAtFraction(tl, 2)).toBe(T0 + 32_000);
    expect(clipRanges(tl)).toEqual([
      { clip: 0, left: 0, width: 10 / 32 },
      { clip: 1, left: 20 / 32, width: 10 / 32 },
    ]);
    const empty = replayTimeline({ startedAt: iso(0), endedAt: null, clips: [], events: [] });
    expect(fractionOf(empty, T0 + 1)).toBe(0);
  });

  it('knows which event playback has reached', () => {
    const { events } = recording;
    expect(currentEventIndex(events, T0 + 1_000)).toBe(-1);
    expect(currentEventIndex(events, T0 + 2_000)).toBe(0);
    expect(currentEventIndex(events, T0 + 14_999)).toBe(0);
    expect(currentEventIndex(events, T0 + 20_000)).toBe(1);
    expect(currentEventIndex(events, T0 + 60_000)).toBe(2);
    expect(currentEventIndex([], T0)).toBe(-1);
  });
});
