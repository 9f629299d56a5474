import { describe, expect, it } from 'vitest';
import {
  codecLabel,
  orderCodecPreferences,
  parseCodecChoice,
  supportsCodec,
  type CodecCapability,
} from './codecPreferences.ts';

// Shaped like Chromium's RTCRtpReceiver.getCapabilities('video').codecs.
const caps: CodecCapability[] = [
  { mimeType: 'video/VP8', clockRate: 90000 },
  { mimeType: 'video/rtx', clockRate: 90000 },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0' },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  },
  { mimeType: 'video/AV1', clockRate: 90000 },
  { mimeType: 'video/red', clockRate: 90000 },
  { mimeType: 'video/ulpfec', clockRate: 90000 },
  { mimeType: 'video/flexfec-03', clockRate: 90000, sdpFmtpLine: 'repair-window=10000000' },
];

const describeCodec = (c: CodecCapability) =>
  `${c.mimeType}${c.sdpFmtpLine ? ` ${/profile-level-id=(\w+)/.exec(c.sdpFmtpLine)?.[1] ?? ''}/${/packetization-mode=(\d)/.exec(c.sdpFmtpLine)?.[1] ?? ''}` : ''}`.trim();

describe('orderCodecPreferences', () => {
  it('puts H.264 first, constrained baseline with packetization-mode=1 leading', () => {
    const ordered = orderCodecPreferences(caps, 'h264');
    expect(ordered.map(describeCodec)).toEqual([
      'video/H264 42e01f/1',
      'video/H264 42e01f/0',
      'video/H264 42001f/1',
      'video/H264 64001f/1',
      'video/VP8',
      'video/VP9 /',
      'video/AV1',
      'video/rtx',
      'video/red',
      'video/ulpfec',
      'video/flexfec-03 /',
    ]);
  });

  it('puts VP8 first and keeps the other picture codecs in browser order', () => {
    const ordered = orderCodecPreferences(caps, 'vp8');
    expect(ordered.map((c) => c.mimeType)).toEqual([
      'video/VP8',
      'video/VP9',
      'video/H264',
      'video/H264',
      'video/H264',
      'video/H264',
      'video/AV1',
      'video/rtx',
      'video/red',
      'video/ulpfec',
      'video/flexfec-03',
    ]);
  });

  it('keeps rtx/red/fec after every picture codec and never adds or drops entries', () => {
    for (const choice of ['h264', 'vp8', null] as const) {
      const ordered = orderCodecPreferences(caps, choice);
      expect(ordered).toHaveLength(caps.length);
      expect(new Set(ordered)).toEqual(new Set(caps));
      const firstAux = ordered.findIndex((c) => /rtx|red|ulpfec|flexfec/i.test(c.mimeType));
      expect(ordered.slice(firstAux).every((c) => /rtx|red|ulpfec|flexfec/i.test(c.mimeType))).toBe(true);
    }
  });

  it('returns the same objects (as setCodecPreferences requires capability entries)', () => {
    const ordered = orderCodecPreferences(caps, 'h264');
    for (const c of ordered) expect(caps).toContain(c);
  });

  it('keeps the browser order when the chosen codec is not available', () => {
    const noH264 = caps.filter((c) => c.mimeType !== 'video/H264');
    expect(supportsCodec(noH264, 'h264')).toBe(false);
    expect(orderCodecPreferences(noH264, 'h264').map((c) => c.mimeType)).toEqual([
      'video/VP8',
      'video/VP9',
      'video/AV1',
      'video/rtx',
      'video/red',
      'video/ulpfec',
      'video/flexfec-03',
    ]);
  });

  it('matches mime types case-insensitively', () => {
    const lower = [
      { mimeType: 'video/vp8', clockRate: 90000 },
      { mimeType: 'video/h264', clockRate: 90000, sdpFmtpLine: 'packetization-mode=1;profile-level-id=42e01f' },
    ];
    expect(orderCodecPreferences(lower, 'h264')[0]!.mimeType).toBe('video/h264');
    expect(supportsCodec(lower, 'vp8')).toBe(true);
  });
});

describe('parseCodecChoice / codecLabel', () => {
  it('accepts h264 and vp8 only', () => {
    expect(parseCodecChoice('h264')).toBe('h264');
    expect(parseCodecChoice('VP8')).toBe('vp8');
    expect(parseCodecChoice('vp9')).toBeNull();
    expect(parseCodecChoice('')).toBeNull();
    expect(parseCodecChoice(null)).toBeNull();
  });

  it('labels mime types', () => {
    expect(codecLabel('video/H264')).toBe('H264');
    expect(codecLabel(null)).toBeNull();
  });
});
