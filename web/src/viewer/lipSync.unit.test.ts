import { describe, expect, it } from 'vitest';
import { LipSyncController, lipSyncSample, type LipSyncSample } from './lipSync.ts';

/** Readings 250 ms apart: both tracks moving, the picture held back by `holdingMs`. */
function readings(offsets: Array<number | undefined>, holdingMs = 150, from = 0): LipSyncSample[] {
  return offsets.map((offset, i) => {
    const n = from + i;
    return {
      audioPlayout: 1_000_000 + n * 250,
      videoPlayout: offset === undefined ? undefined : 1_000_000 + n * 250 + offset,
      framesDecoded: n * 8,
      audioPackets: n * 12,
      videoTargetSum: (n * 8 * holdingMs) / 1000,
      videoEmitted: n * 8,
    };
  });
}

function feed(c: LipSyncController, samples: LipSyncSample[]): Array<number | null | undefined> {
  return samples.map((s) => c.update(s));
}

describe('LipSyncController', () => {
  it('holds the picture back by most of a late sound, from what holds it back now', () => {
    const c = new LipSyncController();
    // The first reading only starts the deltas; three offsets of ~100 ms (median 100) make a step.
    const out = feed(c, readings([undefined, 90, 100, 130]));
    expect(out.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(out[3]).toBe(150 + 70);
    expect(c.target).toBe(220);
  });

  it('waits for the browser to ramp after a step before measuring again', () => {
    const c = new LipSyncController();
    feed(c, readings([undefined, 100, 100, 100]));
    // Four readings are ignored, then three more are needed: the eighth reading after the step acts.
    const after = feed(c, readings([100, 100, 100, 100, 100, 100, 100], 220, 4));
    expect(after.slice(0, 6).every((v) => v === undefined)).toBe(true);
    expect(after[6]).toBe(220 + 70);
  });

  it('leaves small gaps to the browser and waits until both tracks have a playout time', () => {
    const c = new LipSyncController();
    expect(feed(c, readings([undefined, 10, -12, 14, undefined, undefined]))).toEqual(Array(6).fill(undefined));
    expect(c.target).toBeNull();
  });

  it('lets a picture that is behind the sound come forward, never below zero', () => {
    const c = new LipSyncController();
    feed(c, readings([undefined, 100, 100, 100]));
    const back = feed(c, readings([0, 0, 0, 0, -200, -200, -200], 220, 4));
    expect(back[6]).toBe(220 - 140);
    // Already at the browser's own (zero): a picture behind stays there, nothing to give back.
    const fresh = new LipSyncController();
    expect(feed(fresh, readings([undefined, -200, -200, -200], 100))[3]).toBeUndefined();
    expect(fresh.target).toBeNull();
  });

  it('gives the picture back to the browser once the sound stops', () => {
    const c = new LipSyncController();
    const playing = readings([undefined, 100, 100, 100]);
    feed(c, playing);
    expect(c.target).toBe(220);
    const last = playing.at(-1)!;
    const quiet = Array.from({ length: 8 }, (_, i) => ({ ...last, framesDecoded: last.framesDecoded + (i + 1) * 8 }));
    const out = feed(c, quiet);
    expect(out.slice(0, 7).every((v) => v === undefined)).toBe(true);
    expect(out[7]).toBeNull();
    expect(c.target).toBeNull();
  });

  it('does nothing while the picture stands still (a still frame has no fresh playout time)', () => {
    const c = new LipSyncController();
    const still = readings([undefined, 100, 100, 100, 100]).map((s) => ({ ...s, framesDecoded: 0, videoEmitted: 0 }));
    expect(feed(c, still).every((v) => v === undefined)).toBe(true);
  });
});

describe('lipSyncSample', () => {
  it('reads both inbound tracks of a stats report', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['a', { type: 'inbound-rtp', kind: 'audio', estimatedPlayoutTimestamp: 5000, packetsReceived: 480 }],
      [
        'v',
        {
          type: 'inbound-rtp',
          kind: 'video',
          estimatedPlayoutTimestamp: 5040,
          framesDecoded: 30,
          jitterBufferTargetDelay: 4.5,
          jitterBufferEmittedCount: 30,
        },
      ],
      ['o', { type: 'outbound-rtp', kind: 'video' }],
    ]);
    expect(lipSyncSample(report as unknown as RTCStatsReport)).toEqual({
      audioPlayout: 5000,
      videoPlayout: 5040,
      framesDecoded: 30,
      audioPackets: 480,
      videoTargetSum: 4.5,
      videoEmitted: 30,
    });
  });

  it('is null without sound', () => {
    const report = new Map([['v', { type: 'inbound-rtp', kind: 'video' }]]);
    expect(lipSyncSample(report as unknown as RTCStatsReport)).toBeNull();
  });
});
