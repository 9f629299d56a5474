import type { NetworkLimit } from '@vitrine/protocol';
import type { PacketFate } from './delivery.ts';
import { encodingFor, SCALES, worthReconfiguring, type Encoding } from './encoding-ladder.ts';
import { RateController, type RateLimits, type RateState } from './rate-controller.ts';

/** What the viewer is told when the network changes the stream. */
export interface QualityNotice {
  cause: NetworkLimit | null;
  targetKbps: number;
  framerate: number;
  scale: number;
}

export interface AdaptationDeps {
  limits: RateLimits;
  maxFramerate: number;
  now: () => number;
  /** Switch the encoder to this (a new encoder: it costs a keyframe). */
  apply(encoding: Encoding): void;
  /** Tell the viewer (only when something it would show changed). */
  announce(notice: QualityNotice): void;
  /** Every decision, for debugging (LOG_LEVEL=trace). */
  trace?(state: RateState, encoding: Encoding): void;
}

/**
 * Busy content (a video, fast scrolling) may not fit a low target even at the encoder's coarsest
 * quantiser: it then sends well above the target. Sustained for this many ticks (away from an
 * encoder change) while the network limits the stream, the resolution steps down, until the
 * network no longer limits it.
 */
const OVERSHOOT = 1.3;
const OVERSHOOT_TICKS = 8;
const SETTLE_MS = 1500;

/**
 * One viewer's stream adaptation: feedback → rate controller → encoding ladder → encoder,
 * changing the encoder only when the difference is worth a keyframe.
 */
export class StreamAdaptation {
  private readonly deps: AdaptationDeps;
  private readonly controller: RateController;
  private current: Encoding;
  private lastChange = -Infinity;
  private lastNotice: QualityNotice | undefined;
  private scaleCap = 1;
  private overshootTicks = 0;

  constructor(deps: AdaptationDeps) {
    this.deps = deps;
    this.controller = new RateController(deps.limits);
    this.current = encodingFor(deps.limits.maxKbps, deps.maxFramerate);
  }

  get encoding(): Encoding {
    return this.current;
  }

  get rate(): RateState {
    return this.controller.state;
  }

  onDelivery(fates: readonly PacketFate[]): void {
    const now = this.deps.now();
    const state = this.controller.onFeedback(fates, now);
    if (!state) return;
    this.deps.trace?.(state, this.current);
    // The cap stays while the network limits the stream; once it no longer does, it goes.
    if (state.cause === null) this.scaleCap = 1;
    else this.watchOvershoot(state.sentKbps, now);
    const next = encodingFor(state.targetKbps, this.deps.maxFramerate, this.scaleCap);
    if (worthReconfiguring(this.current, next, now - this.lastChange)) {
      this.current = next;
      this.lastChange = now;
      this.deps.apply(next);
    }
    this.notify(state);
  }

  private watchOvershoot(sentKbps: number, now: number): void {
    const settled = now - this.lastChange >= SETTLE_MS;
    this.overshootTicks = settled && sentKbps > OVERSHOOT * this.current.bitrateKbps ? this.overshootTicks + 1 : 0;
    if (this.overshootTicks < OVERSHOOT_TICKS) return;
    this.overshootTicks = 0;
    const smaller = SCALES.find((s) => s < this.current.scale);
    if (smaller === undefined) return;
    this.scaleCap = smaller;
  }

  private notify(state: RateState): void {
    const e = this.current;
    const notice: QualityNotice = {
      cause: state.cause,
      targetKbps: e.bitrateKbps,
      framerate: e.framerate,
      scale: e.scale,
    };
    const last = this.lastNotice;
    if (last && last.cause === notice.cause && last.targetKbps === notice.targetKbps) return;
    this.lastNotice = notice;
    this.deps.announce(notice);
  }
}
