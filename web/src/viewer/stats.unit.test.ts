import { describe, expect, it } from 'vitest';
import { formatBitrate, summarizeStats } from './stats.ts';

const entries = (bytes: number, frames: number, ts: number, fps?: number) => [
  { id: 'T', type: 'transport', selectedCandidatePairId: 'CP' },
  { id: 'CP', type: 'candidate-pair', currentRoundTripTime: 0.012, localCandidateId: 'L' },
  { id: 'L', type: 'local-candidate', candidateType: 'host' },
  { id: 'C', type: 'codec', mimeType: 'video/H264' },
  {
    id: 'IN',
    type: 'inbound-rtp',
    kind: 'video',
    codecId: 'C',
    frameWidth: 1280,
    frameHeight: 720,
    bytesReceived: bytes,
    framesDecoded: frames,
    timestamp: ts,
    jitter: 0.004,
    packetsLost: 2,
    ...(fps === undefined ? {} : { framesPerSecond: fps }),
  },
];

describe('summarizeStats', () => {
  it('reads codec, resolution and ICE round trip', () => {
    const { stats } = summarizeStats(entries(0, 0, 1000), null, 1000);
    expect(stats.codec).toBe('video/H264');
    expect([stats.width, stats.height]).toEqual([1280, 720]);
    expect(stats.iceRttMs).toBeCloseTo(12);
    expect(stats.jitterMs).toBeCloseTo(4);
    expect(stats.candidateType).toBe('host');
    expect(stats.bitrate).toBeNull();
  });

  it('computes bitrate and fps from deltas', () => {
    const first = summarizeStats(entries(1_000_000, 100, 1000), null, 1000);
    const { stats } = summarizeStats(entries(1_250_000, 130, 2000), first.sample, 2000);
    expect(stats.bitrate).toBe(2_000_000);
    expect(stats.fps).toBe(30);
    expect(formatBitrate(stats.bitrate)).toBe('2.0 Mbit/s');
  });

  it('prefers framesPerSecond when the browser reports it', () => {
    const first = summarizeStats(entries(0, 0, 1000), null, 1000);
    expect(summarizeStats(entries(0, 30, 2000, 29.5), first.sample, 2000).stats.fps).toBe(29.5);
  });

  it('copes with an empty report', () => {
    const { stats, sample } = summarizeStats([], null, 0);
    expect(stats.codec).toBeNull();
    expect(sample).toBeNull();
  });
});
