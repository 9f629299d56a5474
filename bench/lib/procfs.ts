import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux). */
export const CLK_TCK: number = (() => {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return v > 0 ? v : 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of all threads of `pid`, in clock ticks; null if the process is gone. */
export function cpuTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces), starting at field 3 (state).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // fields 14 (utime) and 15 (stime)
  } catch {
    return null;
  }
}

/** Resident set size in KiB (VmRSS); null if the process is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Proportional set size in KiB (`Pss:` of /proc/<pid>/smaps_rollup): each shared page counts
 * 1/n for each of the n processes mapping it, so sums over processes do not double-count
 * shared libraries or the Xvfb framebuffer as VmRSS sums do. null if the process is gone.
 */
export function pssKiB(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Busy (non-idle, non-iowait) clock ticks summed over all CPUs, from /proc/stat. */
export function systemBusyTicks(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user + nice + system + irq + softirq + steal;
}

export interface ProcessUsage {
  pid: number;
  role: string;
  /** CPU time over the window as % of one core. */
  cpuPercent: number;
  /** VmRSS at the end of the window (0 if the process had exited). */
  rssKiB: number;
}

export interface Proc {
  pid: number;
  role: string;
}

/**
 * Starts a CPU window over `first`. `end(last)` takes the process list at the end: a process that
 * appeared during the window (e.g. a freshly spawned spare encoder) is counted from zero, one
 * that exited during it loses its ticks (counted in `exited`).
 */
export function startCpuWindow(first: readonly Proc[]): { end(last: readonly Proc[]): CpuWindow } {
  const t0 = performance.now();
  const before = new Map(first.map((p) => [p.pid, cpuTicks(p.pid)]));
  const busyBefore = systemBusyTicks();
  return {
    end(last) {
      const seconds = (performance.now() - t0) / 1000;
      const all = new Map(last.map((p) => [p.pid, p]));
      for (const p of first) if (!all.has(p.pid)) all.set(p.pid, p);
      let exited = 0;
      const usage = [...all.values()].map((p) => {
        const a = before.has(p.pid) ? before.get(p.pid)! : 0;
        const b = cpuTicks(p.pid);
        if (b === null) exited++;
        const ticks = a !== null && b !== null ? b - a : 0;
        return { pid: p.pid, role: p.role, cpuPercent: (100 * ticks) / CLK_TCK / seconds, rssKiB: rssKiB(p.pid) ?? 0 };
      });
      const systemPercent = (100 * (systemBusyTicks() - busyBefore)) / CLK_TCK / seconds;
      return { usage, exited, seconds, systemPercent };
    },
  };
}

export interface CpuWindow {
  usage: ProcessUsage[];
  /** Processes that exited during the window (their CPU time is missing). */
  exited: number;
  seconds: number;
  /** Whole machine's busy time over the window, % of one core (so up to 100 x nproc). */
  systemPercent: number;
}
