import { RateLimiter } from '../input/rate-limiter.ts';
import type { Clock } from './lifecycle.ts';

/** Why the person is not with the session. */
export type AwayReason = 'hidden' | 'idle';

export type AttentionChange = { present: true } | { present: false; why: AwayReason };

/**
 * Whether the person is with a session, for reading time (never for enforcement): present while a
 * viewer is attached, its page is visible, and they touched it within `idleAfterMs`. Reports only
 * changes while a viewer is attached; a viewer leaving is already on the trail as
 * `session.peer-disconnected`, so it is not repeated here. The idle time counts as present up to
 * `idleAfterMs` after the last input: reading a page needs no input, and that is what the threshold
 * allows for.
 */
export class Attention {
  private attached = false;
  private visible = true;
  private idle = false;
  private lastPresent: boolean | null = null;
  private timer: unknown = null;
  private readonly idleAfterMs: number;
  private readonly report: (change: AttentionChange) => void;
  private readonly clock: Clock;
  /**
   * Each change of a tab's visibility goes on the trail: a viewer toggling it in a loop would flood
   * it. Past a burst of 20, one every 2 s is taken; the rest are ignored (which only makes the
   * toggling viewer's own reading time less exact).
   */
  private readonly visibilityChanges: RateLimiter;

  constructor(idleAfterMs: number, report: (change: AttentionChange) => void, clock: Clock) {
    this.idleAfterMs = idleAfterMs;
    this.report = report;
    this.clock = clock;
    this.visibilityChanges = new RateLimiter(0.5, 20, () => clock.now());
  }

  /** A new viewer tab bound to the session: visible until it says otherwise. */
  viewerBound(): void {
    this.visible = true;
  }

  /**
   * The viewer's media connected (on the trail as `session.peer-connected`, which means present):
   * active from now (connecting is an act of the person); away at once if its tab is hidden.
   */
  viewerAttached(): void {
    this.attached = true;
    this.lastPresent = true;
    this.touched();
  }

  viewerGone(): void {
    this.attached = false;
    this.lastPresent = null;
    this.stopTimer();
  }

  /** The viewer's page became visible or hidden (also before its media connected). */
  visibility(visible: boolean): void {
    if (visible === this.visible || !this.visibilityChanges.take()) return;
    this.visible = visible;
    if (!this.attached) return;
    // Coming back to the tab is an act of the person, like an input.
    if (visible) this.touched();
    else this.emit();
  }

  /** An input reached the app. */
  touched(): void {
    if (!this.attached) return;
    this.idle = false;
    this.stopTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.idle = true;
      this.emit();
    }, this.idleAfterMs);
    this.emit();
  }

  ended(): void {
    this.attached = false;
    this.stopTimer();
  }

  private emit(): void {
    if (!this.attached) return;
    const present = this.visible && !this.idle;
    if (present === this.lastPresent) return;
    this.lastPresent = present;
    this.report(present ? { present: true } : { present: false, why: this.visible ? 'idle' : 'hidden' });
  }

  private stopTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
