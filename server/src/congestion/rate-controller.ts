import type { NetworkLimit } from '@vitrine/protocol';
import type { PacketFate } from './delivery.ts';

/**
 * A sender-side congestion controller for one viewer: from packet fates (sent when, arrived
 * when, or lost) it estimates queueing delay, loss and the rate the path delivers, and sets the
 * target bitrate the encoder must hold. Pure: time comes in with each call.
 *
 * Rules (after Google congestion control and Selkies' lessons, simplified):
 * - Queueing delay is the one-way delay above its minimum over the last 30 s. A tbf or router
 *   queue that fills shows up here before anything is lost.
 * - Sustained queueing or heavy loss: back off to 85 % of what the path delivered, then wait for
 *   the queue to drain before deciding again.
 * - Random loss alone (a few %) is repaired by NACK retransmission: hold, do not back off.
 * - Clear path and the encoder uses its target: grow, slowly just after a back-off (the capacity
 *   is near), fast otherwise. A static screen sends little: that says nothing about the path,
 *   so the target neither grows nor shrinks (application-limited).
 */

export interface RateLimits {
  minKbps: number;
  maxKbps: number;
}

/** Why the target is below the maximum (the wire's vocabulary: the viewer is told). */
export type CongestionCause = NetworkLimit;

export interface RateState {
  targetKbps: number;
  /** Why the target is below the maximum, when it is. */
  cause: CongestionCause | null;
  queueDelayMs: number;
  lossFraction: number;
  /** What the path delivered in the last interval, when measurable. */
  receiveKbps: number | undefined;
  /** What the encoder sent in the last interval. */
  sentKbps: number;
}

/** Decisions are taken on this many milliseconds of feedback. */
export const TICK_MS = 250;
/** The lowest one-way delay over this long is the path without queueing (a standing queue must not become it). */
const BASE_WINDOW_MS = 30_000;
/** Above this, queueing for two ticks in a row (or once above SEVERE_DELAY_MS) is congestion. */
const OVERUSE_DELAY_MS = 50;
const SEVERE_DELAY_MS = 250;
/** Below this, the path is clear. Between the two: hold. */
const CLEAR_DELAY_MS = 20;
const HEAVY_LOSS = 0.1;
/** How many of a tick's last received packets say whether a queue had formed by its end. */
const END_PACKETS = 3;
const LIGHT_LOSS = 0.02;
/**
 * After a back-off the queue built before it still has to drain: within this long, back off
 * again only if queueing keeps growing or more is sent than the path delivers, and then by at
 * most half.
 */
const DRAIN_MS = 4000;
const MAX_BACKOFF = 0.5;
/**
 * Growth per tick: cautious near the rate the path delivered at the last back-off (its capacity
 * then), fast below it and, once past it, fast again (the path may have grown: a cap lifted).
 * That memory fades after CAPACITY_MEMORY_MS without congestion.
 */
const SLOW_GROWTH = 1.03;
const FAST_GROWTH = 1.22;
const NEAR_CAPACITY = [0.9, 1.15] as const;
const CAPACITY_MEMORY_MS = 10_000;
/**
 * The encoder counts as using its target when it sends at least this share of it. Light
 * content (a blinking cursor, a clock) sends far less: no growth, no decline.
 */
const IN_USE = 0.3;

export class RateController {
  private readonly limits: RateLimits;
  private target: number;
  private cause: CongestionCause | null = null;
  private pending: PacketFate[] = [];
  private tickStart: number | undefined;
  /** Minimum one-way delay per tick over the base window: [tick start, min delay]. */
  private readonly minima: Array<[number, number]> = [];
  private lastBackoff = -Infinity;
  private delayAtBackoff = 0;
  private capacityKbps: number | undefined;
  private overuseTicks = 0;
  private last: RateState;

  constructor(limits: RateLimits) {
    this.limits = limits;
    this.target = limits.maxKbps;
    this.last = {
      targetKbps: this.target,
      cause: null,
      queueDelayMs: 0,
      lossFraction: 0,
      receiveKbps: undefined,
      sentKbps: 0,
    };
  }

  get state(): RateState {
    return this.last;
  }

  /** Feeds the fates one feedback message reported; returns the new state once per tick. */
  onFeedback(fates: readonly PacketFate[], nowMs: number): RateState | undefined {
    this.tickStart ??= nowMs;
    for (const f of fates) this.pending.push(f);
    if (nowMs - this.tickStart < TICK_MS) return undefined;
    const elapsed = nowMs - this.tickStart;
    this.tickStart = nowMs;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return undefined;
    this.last = this.decide(batch, nowMs, elapsed);
    return this.last;
  }

  private decide(batch: PacketFate[], now: number, elapsedMs: number): RateState {
    const received = batch.filter((f) => f.receivedAtMs !== undefined);
    const lossFraction = batch.length >= 10 ? (batch.length - received.length) / batch.length : 0;
    const delays = received.map((f) => f.receivedAtMs! - f.sentAtMs);
    const queueDelayMs = delays.length > 0 ? this.queueDelay(delays, now) : 0;
    const receiveKbps = rateOf(received.map((f) => [f.receivedAtMs!, f.size]));
    // Over the span the packets were sent in (feedback delayed by a queue reports more than one
    // tick's worth at once), and at least the tick.
    const sentSpan = Math.max(...batch.map((f) => f.sentAtMs)) - Math.min(...batch.map((f) => f.sentAtMs));
    const sentKbps = (batch.reduce((s, f) => s + f.size, 0) * 8) / Math.max(elapsedMs, sentSpan, TICK_MS);

    const delayed = queueDelayMs > OVERUSE_DELAY_MS;
    this.overuseTicks = delayed ? this.overuseTicks + 1 : 0;
    const congested = this.overuseTicks >= 2 || queueDelayMs > SEVERE_DELAY_MS || lossFraction > HEAVY_LOSS;
    if (congested) {
      // The queue can only drain while less is sent than the path delivers.
      const overfeeding = receiveKbps !== undefined && sentKbps > receiveKbps * 1.1;
      const draining = now - this.lastBackoff < DRAIN_MS && queueDelayMs <= this.delayAtBackoff * 1.1 && !overfeeding;
      if (!draining) {
        const delivered = receiveKbps ?? this.target * 0.7;
        // While the queue of the last back-off drains, what arrives says little: at most halve.
        const floor = now - this.lastBackoff < DRAIN_MS ? this.target * MAX_BACKOFF : 0;
        this.target = this.clamp(Math.max(floor, Math.min(this.target, delivered * 0.85)));
        this.lastBackoff = now;
        this.delayAtBackoff = queueDelayMs;
        if (receiveKbps !== undefined) this.capacityKbps = receiveKbps;
        // Drops with a queue behind them are a full path, not a lossy one. The tick's lowest delay
        // can predate the queue (a cap that began within the tick): its last packets say whether
        // one had formed by its end.
        const queued = delayed || this.queueAtEnd(received) > OVERUSE_DELAY_MS;
        this.cause = lossFraction > HEAVY_LOSS && !queued ? 'loss' : 'bandwidth';
      }
    } else if (queueDelayMs < CLEAR_DELAY_MS && lossFraction <= LIGHT_LOSS && sentKbps >= IN_USE * this.target) {
      const growth = this.nearCapacity(now) ? SLOW_GROWTH : FAST_GROWTH;
      this.target = this.clamp(this.target * growth);
      if (this.target >= this.limits.maxKbps) this.cause = null;
    }
    return {
      targetKbps: Math.round(this.target),
      cause: this.target < this.limits.maxKbps ? (this.cause ?? 'bandwidth') : null,
      queueDelayMs: Math.round(queueDelayMs),
      lossFraction,
      receiveKbps: receiveKbps === undefined ? undefined : Math.round(receiveKbps),
      sentKbps: Math.round(sentKbps),
    };
  }

  private nearCapacity(now: number): boolean {
    const c = this.capacityKbps;
    if (c === undefined || now - this.lastBackoff > CAPACITY_MEMORY_MS) return false;
    return this.target >= NEAR_CAPACITY[0] * c && this.target <= NEAR_CAPACITY[1] * c;
  }

  /**
   * The lowest one-way delay of this tick above the lowest of the base window. The lowest, not
   * the median: a frame leaves in one burst and on a slow link its own packets queue behind each
   * other (a 12 KB frame spreads over 190 ms at 500 kbit/s), which says nothing about congestion;
   * a queue that stands between frames delays even the first packet of each.
   */
  private queueDelay(delays: number[], now: number): number {
    const lowest = Math.min(...delays);
    this.minima.push([now, lowest]);
    while (this.minima.length > 0 && now - this.minima[0]![0] > BASE_WINDOW_MS) this.minima.shift();
    return Math.max(0, lowest - this.baseDelay());
  }

  /** The path's delay without queueing: the lowest one-way delay of the base window. */
  private baseDelay(): number {
    return Math.min(...this.minima.map(([, d]) => d));
  }

  /** The queue a tick's last received packets (by send time) met, above the base delay. */
  private queueAtEnd(received: PacketFate[]): number {
    if (received.length === 0 || this.minima.length === 0) return 0;
    const bySend = [...received].sort((a, b) => a.sentAtMs - b.sentAtMs);
    const tail = bySend.slice(-END_PACKETS);
    const lowest = Math.min(...tail.map((f) => f.receivedAtMs! - f.sentAtMs));
    return Math.max(0, lowest - this.baseDelay());
  }

  private clamp(kbps: number): number {
    return Math.max(this.limits.minKbps, Math.min(this.limits.maxKbps, kbps));
  }
}

/** kbit/s over the span of the samples' times, when the span is long enough to mean something. */
function rateOf(samples: Array<[atMs: number, bytes: number]>): number | undefined {
  if (samples.length < 5) return undefined;
  let first = Infinity;
  let lastAt = -Infinity;
  let bytes = 0;
  for (const [at, size] of samples) {
    first = Math.min(first, at);
    lastAt = Math.max(lastAt, at);
    bytes += size;
  }
  const span = lastAt - first;
  return span >= 50 ? (bytes * 8) / span : undefined;
}
