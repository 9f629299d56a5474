/** What an app did wrong on its control channel, counted rather than logged one line each. */
export interface MisbehaviourCounts {
  /** Connections refused at once: too many too fast, or too many open. */
  refusedConnections: number;
  /** Connections the server closed after ten bad lines. */
  closedConnections: number;
  /** Lines refused: malformed, too long or over the message rate. */
  badLines: number;
}

const NONE: MisbehaviourCounts = { refusedConnections: 0, closedConnections: 0, badLines: 0 };

/**
 * One warning per channel per `everyMs` at most: an app looping on its control socket would
 * otherwise turn every refused connection into log lines (≈ 217,000 in 20 s in the attack of
 * issue 16). The first misbehaviour is logged at once, so an operator sees it start; what follows
 * is counted and written when the period is over, and whatever is left when the channel closes.
 */
export class MisbehaviourSummary {
  private readonly log: { warn(obj: object, msg: string): void };
  private readonly everyMs: number;
  private readonly now: () => number;
  private counts: MisbehaviourCounts = { ...NONE };
  private since: number;
  private lastWarned = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(log: { warn(obj: object, msg: string): void }, everyMs = 60_000, now: () => number = Date.now) {
    this.log = log;
    this.everyMs = everyMs;
    this.now = now;
    this.since = now();
  }

  count(what: keyof MisbehaviourCounts): void {
    this.counts[what]++;
    if (this.timer) return;
    const wait = this.lastWarned + this.everyMs - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait).unref();
  }

  /** Writes what has not been said yet (the channel is closing). */
  close(): void {
    this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!Object.values(this.counts).some((n) => n > 0)) return;
    const t = this.now();
    this.log.warn(
      { ...this.counts, overMs: t - this.since },
      'app control channel misbehaving (counted since the last warning)',
    );
    this.counts = { ...NONE };
    this.since = t;
    this.lastWarned = t;
  }
}
