import fs from 'node:fs';

/** Linux's USER_HZ: /proc counts CPU time in these ticks (100 on every architecture Vitrine runs on). */
const TICKS_PER_SECOND = 100;

/** One process as /proc/<pid>/stat tells it. */
export interface ProcessCpu {
  /** The command's name as the kernel keeps it (`comm`: at most 15 characters). */
  name: string;
  /** When it started (ticks since boot): with the PID, it tells a process from a later one reusing the PID. */
  startTicks: number;
  /** User and system CPU time so far. */
  seconds: number;
}

/** Reads `/proc/<pid>/stat`; undefined once the process is gone. */
export function readProcessCpu(pid: number, procRoot = '/proc'): ProcessCpu | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(stat);
}

/** `pid (comm) state ppid …`: comm may hold spaces and parentheses, so fields are counted from its last ")". */
export function parseProcStat(stat: string): ProcessCpu | undefined {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // After ") ": field 3 (state) is index 0, so utime (14) is 11, stime (15) 12, starttime (22) 19.
  const fields = stat.slice(close + 2).split(' ');
  const [utime, stime, start] = [fields[11], fields[12], fields[19]].map(Number);
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || !Number.isFinite(start)) return undefined;
  return { name: stat.slice(open + 1, close), startTicks: start!, seconds: (utime! + stime!) / TICKS_PER_SECOND };
}

/**
 * CPU seconds of a changing set of processes (encoders come and go) as a total that only grows:
 * a process no longer listed keeps what it was last seen using. What one used after its last
 * reading, or one that lived only between two readings, is not counted: readings happen when
 * the metrics are scraped, never on the media path.
 */
export class CpuTotal {
  /** `pid:startTicks` → seconds at the last reading. */
  private seen = new Map<string, number>();
  private gone = 0;

  /** The total with these processes' current readings. */
  update(processes: Array<{ pid: number; cpu: ProcessCpu }>): number {
    const now = new Map(processes.map(({ pid, cpu }) => [`${pid}:${cpu.startTicks}`, cpu.seconds]));
    for (const [key, seconds] of this.seen) if (!now.has(key)) this.gone += seconds;
    this.seen = now;
    let total = this.gone;
    for (const seconds of now.values()) total += seconds;
    return total;
  }
}
