import { describe, expect, it } from 'vitest';
import { linearRtpClock, ntpFromUnixMs, pinSenderReports } from './sender-report-clock.ts';

describe('sender reports', () => {
  it('NTP keeps the fraction of the second', () => {
    const ntp = ntpFromUnixMs(1_700_000_000_500);
    expect(Number(ntp >> 32n)).toBe(1_700_000_000 + 2_208_988_800);
    expect(Number(ntp & 0xffffffffn)).toBe(2 ** 31);
  });

  it('a linear clock runs with performance.now() from its base, and wraps at 32 bits', () => {
    const clock = linearRtpClock(90000, 1000);
    expect(clock(0)).toBe(1000);
    expect(clock(100)).toBe(1000 + 9000);
    expect(linearRtpClock(90000, 2 ** 32 - 10)(1)).toBe(80);
  });

  it("pins werift's report fields to the wall clock and the track's clock", () => {
    const sender: Record<string, unknown> = { ntpTimestamp: 0n, rtpTimestamp: 0 };
    pinSenderReports(sender, (ms) => Math.round(ms * 48));
    sender.ntpTimestamp = 5n; // werift assigns on every packet: ignored
    const before = ntpFromUnixMs(performance.timeOrigin + performance.now());
    const ntp = sender.ntpTimestamp as bigint;
    const rtp = sender.rtpTimestamp as number;
    expect(ntp >= before).toBe(true);
    expect(Math.abs(rtp - performance.now() * 48)).toBeLessThan(48 * 50);
  });
});
