import fs from 'node:fs';
import os from 'node:os';

/**
 * How many sessions this host takes when MAX_SESSIONS is `auto`: what the density benchmark
 * (`make bench-density`, bench/DENSITY-RESULTS.md) held per core, less a margin for launches,
 * bounded by memory. On 2 cores, 30 idle File Explorers and 2 animated sessions kept the animated
 * ones' glass-to-glass within 2× of alone, with every viewer's browser on the same cores; sessions
 * mostly sit still (a client reading) while a few move.
 */
export const SESSIONS_PER_CORE = 12;
/** Memory a session may come to when used (explorer + a document open), not its idle PSS. */
export const MEMORY_PER_SESSION = 400 * 2 ** 20;
/** Kept for the server itself, the embedded database and the page cache the files need. */
export const RESERVED_MEMORY = 2 * 2 ** 30;

export interface HostResources {
  /** Cores this process may use: affinity, and a container's CPU quota when lower. */
  cores: number;
  /** Memory this process may use: the container's limit, else the machine's. */
  memoryBytes: number;
}

export function sessionCapacity(host: HostResources): number {
  const byCpu = Math.floor(host.cores * SESSIONS_PER_CORE);
  const byMemory = Math.floor((host.memoryBytes - RESERVED_MEMORY) / MEMORY_PER_SESSION);
  return Math.max(1, Math.min(byCpu, byMemory));
}

/** This host, as a container sees it (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us`). */
export function hostResources(): HostResources {
  const constrained = process.constrainedMemory();
  const total = os.totalmem();
  return {
    cores: Math.min(os.availableParallelism(), cpuQuota() ?? Infinity),
    memoryBytes: constrained > 0 && constrained < total ? constrained : total,
  };
}

function cpuQuota(): number | undefined {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const v2 = read('/sys/fs/cgroup/cpu.max')?.split(' ');
  if (v2 && v2[0] !== 'max') return Number(v2[0]) / Number(v2[1]);
  const quota = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'));
  const period = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return quota > 0 && period > 0 ? quota / period : undefined;
}
