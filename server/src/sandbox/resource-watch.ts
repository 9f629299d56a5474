/**
 * Ends a session that breaks its cgroup's limits, whatever the app does about it. The kernel
 * enforces each limit on its own: on cgroup v1 the OOM killer takes one process (often only
 * Chromium's renderer: the viewer then sees "Aw, Snap!" and the session goes on), the pids limit
 * makes fork fail, the CPU quota throttles. None of that ends the session, so this looks at the
 * group's counters once a second and names the first limit broken. Pure (readings passed in).
 */

/** Why a session is ended for its resources (a subset of the protocol's end reasons). */
export type ResourceBreach =
  | { reason: 'out of memory'; detail: string }
  | { reason: 'process limit'; detail: string }
  | { reason: 'cpu limit'; detail: string };

/** The group's counters, as cgroups.ts reads them. */
export interface ResourceReadings {
  /** Processes the OOM killer took in the group so far. */
  oomKills(): number;
  /** Times a fork or clone failed at the group's pids limit so far. */
  processLimitHits(): number;
  /** CPU time the group used so far, in seconds (undefined when it cannot be read). */
  cpuSeconds(): number | undefined;
}

export interface ResourceWatchLimits {
  memoryBytes: number;
  pids: number;
  /** The CPU quota in cores. */
  cpu: number;
  /**
   * Using at least CPU_ABUSE_SHARE of the quota for this long ends the session (0: never). A
   * quota only throttles: an app that spins forever costs the host its quota for ever.
   */
  cpuAbuseAfterMs: number;
}

/** The share of the CPU quota counted as "all of it" (throttling keeps a spinning app just under). */
export const CPU_ABUSE_SHARE = 0.85;

export class ResourceWatch {
  private readonly readings: ResourceReadings;
  private readonly limits: ResourceWatchLimits;
  private readonly oomBefore: number;
  private readonly hitsBefore: number;
  /** CPU readings over the last cpuAbuseAfterMs (and one before it). */
  private cpu: Array<{ at: number; seconds: number }> = [];

  constructor(readings: ResourceReadings, limits: ResourceWatchLimits) {
    this.readings = readings;
    this.limits = limits;
    // Counters are the group's own, so they start at 0; read anyway, in case the group is reused.
    this.oomBefore = readings.oomKills();
    this.hitsBefore = readings.processLimitHits();
  }

  /** One look at `now` (ms): the first limit broken since the start, or undefined. */
  check(now: number): ResourceBreach | undefined {
    const kills = this.readings.oomKills() - this.oomBefore;
    if (kills > 0) {
      return {
        reason: 'out of memory',
        detail: `${kills} process(es) killed at the memory limit of ${this.limits.memoryBytes} bytes`,
      };
    }
    const hits = this.readings.processLimitHits() - this.hitsBefore;
    if (hits > 0)
      return { reason: 'process limit', detail: `${hits} fork(s) refused at the limit of ${this.limits.pids}` };
    return this.checkCpu(now);
  }

  private checkCpu(now: number): ResourceBreach | undefined {
    const window = this.limits.cpuAbuseAfterMs;
    if (window <= 0) return undefined;
    const seconds = this.readings.cpuSeconds();
    if (seconds === undefined) return undefined;
    this.cpu.push({ at: now, seconds });
    // Keep one reading at or before the window's start, so a full window can be measured.
    while (this.cpu.length > 2 && this.cpu[1]!.at <= now - window) this.cpu.shift();
    const first = this.cpu[0]!;
    const span = now - first.at;
    if (span < window) return undefined;
    const cores = (seconds - first.seconds) / (span / 1000);
    if (cores < CPU_ABUSE_SHARE * this.limits.cpu) return undefined;
    return {
      reason: 'cpu limit',
      detail: `${cores.toFixed(2)} of ${this.limits.cpu} core(s) for ${Math.round(span / 1000)} s`,
    };
  }
}
