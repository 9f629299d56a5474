import type { SessionEndReason, SessionState } from '@vitrine/protocol';
import type { LifecycleRules } from '../launch/plan.ts';

export type { LifecycleRules } from '../launch/plan.ts';

/**
 * The rules of a session's life, with no I/O: states, the grace period after a viewer leaves,
 * the idle warning and end, the time-limit warning and end. Time comes from an injected clock
 * and activity is pushed in (`touch`), so every rule is unit-tested with a fake clock.
 */

export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

export type LifecycleEvent =
  | { type: 'state'; state: SessionState }
  | { type: 'warning'; reason: 'idle timeout' | 'time limit'; secondsLeft: number }
  /** The rules say the session must end now; the owner of the runtime ends it and reports `ended`. */
  | { type: 'end'; reason: Extract<SessionEndReason, 'peer gone' | 'idle timeout' | 'time limit'> };

type Timer = 'grace' | 'idle' | 'deadline';

export class SessionLifecycle {
  private current: SessionState = 'starting';
  private readonly rules: LifecycleRules;
  private readonly clock: Clock;
  private readonly emit: (event: LifecycleEvent) => void;
  private readonly createdAt: number;
  private lastActivity: number;
  private idleWarned = false;
  private readonly timers = new Map<Timer, unknown>();

  constructor(rules: LifecycleRules, emit: (event: LifecycleEvent) => void, clock: Clock = systemClock) {
    this.rules = rules;
    this.clock = clock;
    this.emit = emit;
    this.createdAt = clock.now();
    this.lastActivity = this.createdAt;
    // Both limits run from creation: a session that never starts streaming still ends.
    this.armIdle();
    this.armDeadline();
  }

  get state(): SessionState {
    return this.current;
  }

  /** The sandbox and display are up: waiting for a viewer, who has the grace period to come. */
  started(): void {
    if (this.current !== 'starting') return;
    this.setState('ready');
    this.armGrace();
  }

  /** A viewer's signaling arrived (first open or a reload within grace): nobody is "gone" now. */
  viewerAttached(): void {
    if (this.current === 'ended') return;
    this.cancel('grace');
  }

  /** A viewer's media connection is up. */
  viewerConnected(): void {
    if (this.current === 'ended' || this.current === 'starting') return;
    this.cancel('grace');
    this.setState('streaming');
  }

  /** The viewer went away (closed, reloaded, lost): the grace period starts. */
  viewerGone(): void {
    if (this.current !== 'streaming' && this.current !== 'ready') return;
    this.setState('ready');
    this.armGrace();
  }

  /** Someone used the session (input arrived): the idle clock restarts. Cheap: called per input event. */
  touch(): void {
    if (this.current === 'ended') return;
    this.lastActivity = this.clock.now();
    // The pending idle timer re-checks lazily when it fires; only a given warning needs undoing now.
    if (this.idleWarned) {
      this.idleWarned = false;
      this.armIdle();
    }
  }

  /** The session ended (for any reason, by the rules or not): every timer stops. Idempotent. */
  ended(): void {
    if (this.current === 'ended') return;
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
    this.setState('ended');
  }

  /** Milliseconds since the session was created. */
  age(): number {
    return this.clock.now() - this.createdAt;
  }

  private lead(limitMs: number): number {
    return Math.min(this.rules.warningLeadMs, limitMs / 2);
  }

  private setState(state: SessionState): void {
    this.current = state;
    this.emit({ type: 'state', state });
  }

  private schedule(timer: Timer, atMs: number, run: () => void): void {
    this.cancel(timer);
    // An observer may end the session while being told something; nothing is armed after that.
    if (this.current === 'ended') return;
    this.timers.set(
      timer,
      this.clock.setTimeout(
        () => {
          this.timers.delete(timer);
          if (this.current !== 'ended') run();
        },
        Math.max(0, atMs - this.clock.now()),
      ),
    );
  }

  private cancel(timer: Timer): void {
    const t = this.timers.get(timer);
    if (t === undefined) return;
    this.clock.clearTimeout(t);
    this.timers.delete(timer);
  }

  private armGrace(): void {
    this.schedule('grace', this.clock.now() + this.rules.graceMs, () =>
      this.emit({ type: 'end', reason: 'peer gone' }),
    );
  }

  /** One timer for the idle rule: due at the warning (or at the end once warned); re-checks on firing. */
  private armIdle(): void {
    const limit = this.rules.idleTimeoutMs;
    const warnAt = this.lastActivity + limit - this.lead(limit);
    const endAt = this.lastActivity + limit;
    this.schedule('idle', this.idleWarned ? endAt : warnAt, () => this.checkIdle());
  }

  private checkIdle(): void {
    const limit = this.rules.idleTimeoutMs;
    const idle = this.clock.now() - this.lastActivity;
    if (idle >= limit) {
      this.emit({ type: 'end', reason: 'idle timeout' });
      return;
    }
    if (!this.idleWarned && idle >= limit - this.lead(limit)) {
      this.idleWarned = true;
      this.emit({ type: 'warning', reason: 'idle timeout', secondsLeft: Math.ceil((limit - idle) / 1000) });
    }
    // Touched since this timer was set (or just warned): wait for the next due moment.
    this.armIdle();
  }

  private armDeadline(): void {
    const limit = this.rules.maxDurationMs;
    if (limit === null) return;
    const lead = this.lead(limit);
    this.schedule('deadline', this.createdAt + limit - lead, () => {
      this.emit({ type: 'warning', reason: 'time limit', secondsLeft: Math.round(lead / 1000) });
      this.schedule('deadline', this.createdAt + limit, () => this.emit({ type: 'end', reason: 'time limit' }));
    });
  }
}
