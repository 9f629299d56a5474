/**
 * What the viewer lines audio and video up by: each track's RTCP sender reports pair an RTP
 * timestamp with a wall-clock (NTP) time, and the browser delays the earlier track until the two
 * agree. werift 0.25 gets both halves wrong for us: its NTP time drops the fraction of the
 * second (it writes the decimal digits of the milliseconds as a 32-bit fraction, so every report
 * is up to a second off, differently per track), and it pairs "now" with the timestamp of the
 * last packet sent, which for a still screen can be seconds old. Here both are computed for the
 * same instant from the track's own clock.
 */

import { randomInt } from 'node:crypto';

/** Seconds from 1900 (NTP's epoch) to 1970. */
const NTP_EPOCH_OFFSET_S = 2_208_988_800;

/** The 64-bit NTP timestamp of a Unix time in milliseconds (fraction of the second included). */
export function ntpFromUnixMs(ms: number): bigint {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.min(0xffffffff, Math.round(((ms - seconds * 1000) / 1000) * 2 ** 32));
  return (BigInt(seconds + NTP_EPOCH_OFFSET_S) << 32n) | BigInt(fraction);
}

/** A track's RTP clock: its timestamp at a moment of `performance.now()`. */
export type RtpClock = (nowMs: number) => number;

/**
 * A clock that runs with `performance.now()` from a random start (as RTP asks): the RTP
 * timestamp of a moment. A session's video frames are stamped with it at the moment they were
 * grabbed (media/video-pipeline.ts), and its sender reports read it, so a frame's timestamp says
 * when its picture was on screen, not when the encoder finished it.
 */
export function linearRtpClock(rate: number, base = randomInt(0, 2 ** 32)): RtpClock {
  return (ms) => (base + Math.round((ms * rate) / 1000)) >>> 0;
}

/**
 * Makes a werift RTCRtpSender's sender reports carry the true wall clock and `clock` at that
 * moment. werift reads `ntpTimestamp` and `rtpTimestamp` when it builds a report and assigns
 * both on every packet; they become getters here (the assignments are ignored).
 */
export function pinSenderReports(sender: object, clock: RtpClock): void {
  Object.defineProperty(sender, 'ntpTimestamp', {
    configurable: true,
    get: () => ntpFromUnixMs(performance.timeOrigin + performance.now()),
    set: () => {},
  });
  Object.defineProperty(sender, 'rtpTimestamp', {
    configurable: true,
    get: () => clock(performance.now()),
    set: () => {},
  });
}
