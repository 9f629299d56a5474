import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ResourceLimits {
  memoryBytes: number;
  pids: number;
  /** CPU time in cores, e.g. 0.5 = half of one core. */
  cpu: number;
}

const CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
/**
 * CPU weights. The kernel shares the CPU between sibling groups by weight. In cgroup v1 each
 * process left in the group above the sessions' (the server, its encoders) is a sibling of the
 * instance's group, so at the default weight every session together weighed as much as one
 * encoder, and a session starting on a busy host waited seconds for its first picture. So a
 * session weighs as one default task, a starting one (until its app has drawn) STARTING_WEIGHT of
 * them, and the instance's group the sum of its sessions. (In v2 the server's own group is one
 * sibling of the sessions' base, whatever it holds: the base keeps its default weight, and the
 * weights only order the sessions among themselves.)
 */
export const STARTING_WEIGHT = 8;
/**
 * The CPU limit while the app starts, in cores: all of the host's. A browser starts as several
 * processes at once; held to its 1-core limit it was throttled in 10 of every 17 scheduler
 * periods of its start (≈ 0.5 s of its ≈ 1.8 s on a quiet 2-core host, more on a busy one).
 * The start ends at the app's first picture or after at most the runtime's 10 s.
 */
const startingCores = (limit: number) => Math.max(limit, os.availableParallelism());
const CFS_PERIOD_US = 100_000;
const WEIGHT = {
  1: { file: 'cpu.shares', unit: 1024, max: 262_144 },
  2: { file: 'cpu.weight', unit: 100, max: 10_000 },
} as const;
/** USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux architecture Vitrine runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
type Controller = (typeof CONTROLLERS)[number];

export type CgroupSupport =
  | { version: 2; base: string; delegated?: string | undefined }
  | { version: 1; bases: Record<Controller, string> }
  | { version: 0; reason: string };

/**
 * Finds where this process may create session cgroups. v2 as root: a `vitrine` group at the
 * unified root with memory, pids and cpu enabled. v2 as a service user: the subtree systemd
 * delegated to the service (`Delegate=yes`: the service's own group, owned by its user), with
 * the sessions beneath it. v1 (hybrid hosts): beneath this process's own group in each
 * controller hierarchy, so any limits the host puts on Vitrine still apply.
 */
export function detectCgroups(
  root = '/sys/fs/cgroup',
  selfCgroup = readSelfCgroup(),
  writable: (dir: string) => boolean = isWritable,
): CgroupSupport {
  const unifiedControllers = readWords(path.join(root, 'cgroup.controllers'));
  if (unifiedControllers && CONTROLLERS.every((c) => unifiedControllers.includes(c))) {
    if (writable(root)) return { version: 2, base: path.join(root, 'vitrine') };
    const own = selfCgroup.find((l) => l.controllers.length === 1 && l.controllers[0] === '');
    const ownDir = own ? path.join(root, own.path) : null;
    const ownControllers = ownDir ? readWords(path.join(ownDir, 'cgroup.controllers')) : null;
    if (ownDir && writable(ownDir) && ownControllers && CONTROLLERS.every((c) => ownControllers.includes(c))) {
      return { version: 2, base: path.join(ownDir, 'sessions'), delegated: ownDir };
    }
    return {
      version: 0,
      reason:
        'cgroup v2 is not writable here: run as root, or as a systemd service with Delegate=yes ' +
        '(its own group must offer memory, pids and cpu)',
    };
  }
  const bases = {} as Record<Controller, string>;
  for (const c of CONTROLLERS) {
    const line = selfCgroup.find((l) => l.controllers.includes(c));
    const mount = path.join(root, c);
    if (!line || !fs.existsSync(path.join(mount, 'cgroup.procs'))) {
      return { version: 0, reason: `no cgroup v2 with memory, pids and cpu, and no v1 "${c}" hierarchy` };
    }
    bases[c] = path.join(mount, line.path).replace(/\/$/, '');
  }
  return { version: 1, bases };
}

function readSelfCgroup(): Array<{ controllers: string[]; path: string }> {
  return fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [, controllers = '', p = '/'] = line.split(':');
      return { controllers: controllers.split(','), path: p };
    });
}

function readWords(file: string): string[] | null {
  try {
    return fs.readFileSync(file, 'utf8').trim().split(/\s+/);
  } catch {
    return null;
  }
}

/** One session's cgroup (one directory per v1 controller, or one v2 directory). */
export class SessionCgroup {
  readonly dirs: string[];
  private readonly version: 1 | 2;
  /** The app's CPU limit in cores, held from its first picture on. */
  private readonly cpuLimit: number;

  /** Use create(); this wraps groups that already exist (crash leftovers). */
  constructor(version: 1 | 2, dirs: string[], cpuLimit = 1) {
    this.version = version;
    this.dirs = dirs;
    this.cpuLimit = cpuLimit;
  }

  /** Creates the group and sets every limit before any process is placed in it. */
  static create(support: CgroupSupport, instance: string, session: string, limits: ResourceLimits): SessionCgroup {
    if (support.version === 0) throw new Error(`cgroups unavailable: ${support.reason}`);
    if (support.version === 2) {
      const parent = path.join(support.base, instance);
      if (support.delegated) enterDelegatedLeaf(support.delegated);
      ensureV2Parent(support.base, parent);
      const dir = path.join(parent, session);
      fs.mkdirSync(dir);
      write(dir, 'memory.max', limits.memoryBytes);
      tryWrite(dir, 'memory.swap.max', 0);
      // The whole session dies together when it runs out of memory.
      write(dir, 'memory.oom.group', 1);
      write(dir, 'pids.max', limits.pids);
      const cg = new SessionCgroup(2, [dir], limits.cpu);
      cg.limitCpu(startingCores(limits.cpu));
      cg.weigh(STARTING_WEIGHT);
      return cg;
    }
    const dirs = CONTROLLERS.map((c) => path.join(support.bases[c], `vitrine-${instance}`, session));
    for (const d of dirs) fs.mkdirSync(d, { recursive: true });
    const [memory, pids, cpu] = dirs as [string, string, string];
    write(memory, 'memory.limit_in_bytes', limits.memoryBytes);
    // No swap: memsw exists only with swap accounting; the limit must equal the memory limit.
    tryWrite(memory, 'memory.memsw.limit_in_bytes', limits.memoryBytes);
    write(pids, 'pids.max', limits.pids);
    write(cpu, 'cpu.cfs_period_us', CFS_PERIOD_US);
    const cg = new SessionCgroup(1, dirs, limits.cpu);
    cg.limitCpu(startingCores(limits.cpu));
    cg.weigh(STARTING_WEIGHT);
    return cg;
  }

  /**
   * The app has drawn (or took too long to): from now on the session weighs as one default task
   * and is held to its own CPU limit. Called again, it changes nothing.
   */
  started(): void {
    // tryWrite: a late call (the runtime's timer) may find the group already removed.
    this.limitCpu(this.cpuLimit, tryWrite);
    this.weigh(1);
  }

  /**
   * The app starts drawing for its session again (a warm sandbox taken by a session, which waited
   * at its own limit): all cores and the starting weight until `started()`, as a new sandbox.
   */
  starting(): void {
    this.limitCpu(startingCores(this.cpuLimit), tryWrite);
    this.weigh(STARTING_WEIGHT);
  }

  /** At most this many cores of CPU time (the kernel's bandwidth quota per period). */
  private limitCpu(cores: number, writeFile: typeof write = write): void {
    const quota = Math.max(1000, Math.round(cores * CFS_PERIOD_US));
    if (this.version === 2) writeFile(this.cpuDir, 'cpu.max', `${quota} ${CFS_PERIOD_US}`);
    else writeFile(this.cpuDir, 'cpu.cfs_quota_us', quota);
  }

  /** The group with the cpu controller. */
  private get cpuDir(): string {
    return this.version === 2 ? this.dirs[0]! : this.dirs[2]!;
  }

  /** Sets this session's weight in default tasks, and the groups above it to their sums. */
  private weigh(tasks: number): void {
    const { file, unit } = WEIGHT[this.version];
    tryWrite(this.cpuDir, file, tasks * unit);
    this.rebalanceAbove();
  }

  /** The instance's group weighs what its sessions weigh. */
  private rebalanceAbove(): void {
    rebalance(this.version, path.dirname(this.cpuDir));
  }

  /** Files a process writes its own PID to, to join the group before it execs the sandbox. */
  get procsFiles(): string[] {
    return this.dirs.map((d) => path.join(d, 'cgroup.procs'));
  }

  /** How many times the kernel's OOM killer struck inside this group. */
  oomKills(): number {
    const file =
      this.version === 2 ? path.join(this.dirs[0]!, 'memory.events') : path.join(this.dirs[0]!, 'memory.oom_control');
    try {
      const m = /oom_kill (\d+)/.exec(fs.readFileSync(file, 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }

  /** How many times a fork or clone failed at the group's pids limit. */
  processLimitHits(): number {
    const dir = this.version === 2 ? this.dirs[0]! : this.dirs[1]!;
    try {
      const m = /^max (\d+)/m.exec(fs.readFileSync(path.join(dir, 'pids.events'), 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }

  /**
   * CPU time the group has used, in seconds. v2 counts it (cpu.stat); the v1 cpu controller
   * does not (that is cpuacct, a hierarchy of its own), so there it is the sum of what the
   * group's processes and the children they reaped used: a process that exited unreaped is lost,
   * which only ever undercounts.
   */
  cpuSeconds(): number | undefined {
    if (this.version === 2) {
      try {
        const m = /^usage_usec (\d+)/m.exec(fs.readFileSync(path.join(this.dirs[0]!, 'cpu.stat'), 'utf8'));
        return m ? Number(m[1]) / 1e6 : undefined;
      } catch {
        return undefined;
      }
    }
    let ticks = 0;
    for (const pid of this.pids()) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command (which may hold spaces and parentheses): utime is the 12th.
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      } catch {
        // exited meanwhile
      }
    }
    return ticks / CLOCK_TICKS_PER_SECOND;
  }

  memoryBytes(): number | undefined {
    const file = this.version === 2 ? 'memory.current' : 'memory.usage_in_bytes';
    try {
      return Number(fs.readFileSync(path.join(this.dirs[0]!, file), 'utf8'));
    } catch {
      return undefined;
    }
  }

  pids(): number[] {
    const out = new Set<number>();
    for (const f of this.procsFiles) {
      try {
        for (const p of fs.readFileSync(f, 'utf8').split('\n')) if (p) out.add(Number(p));
      } catch {
        // group already gone
      }
    }
    return [...out];
  }

  /** Kills whatever is still inside and removes the group; resolves when it is gone. */
  async destroy(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pids = this.pids();
      if (pids.length === 0) break;
      if (this.version === 2) tryWrite(this.dirs[0]!, 'cgroup.kill', 1);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      if (Date.now() > deadline) throw new Error(`cgroup still has processes: ${pids.join(' ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const d of this.dirs) {
      // rmdir can briefly fail with EBUSY while the kernel finishes tearing down the tasks.
      for (;;) {
        try {
          fs.rmdirSync(d);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY' || Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }
    this.rebalanceAbove();
  }
}

/** Sets a group's CPU weight to the sum of its child groups' (at least one default task's). */
function rebalance(version: 1 | 2, dir: string): void {
  const { file, unit, max } = WEIGHT[version];
  let sum = 0;
  for (const child of safeReaddir(dir)) {
    const w = readWords(path.join(dir, child, file));
    if (w) sum += Number(w[0]) || 0;
  }
  tryWrite(dir, file, Math.min(max, Math.max(unit, sum)));
}

/** Removes this instance's session groups left by a crash (their processes are killed first). */
export async function removeLeftoverCgroups(support: CgroupSupport, instance: string): Promise<number> {
  if (support.version === 0) return 0;
  const parents = instanceParents(support, instance);
  let removed = 0;
  const sessions = new Set<string>();
  for (const p of parents)
    for (const s of safeReaddir(p)) if (fs.statSync(path.join(p, s)).isDirectory()) sessions.add(s);
  for (const s of sessions) {
    const dirs = parents.map((p) => path.join(p, s)).filter((d) => fs.existsSync(d));
    await new SessionCgroup(support.version, dirs).destroy();
    removed++;
  }
  return removed;
}

/** The group(s) under which one server instance creates its session groups. */
function instanceParents(support: CgroupSupport, instance: string): string[] {
  if (support.version === 0) return [];
  if (support.version === 2) return [path.join(support.base, instance)];
  return CONTROLLERS.map((c) => path.join(support.bases[c], `vitrine-${instance}`));
}

/** On shutdown, after every session ended: removes this instance's (now empty) parent groups. */
export function removeInstanceGroups(support: CgroupSupport, instance: string): void {
  for (const p of instanceParents(support, instance)) {
    try {
      fs.rmdirSync(p);
    } catch {
      // not empty (another server shares it) or already gone
    }
  }
}

function ensureV2Parent(base: string, parent: string): void {
  for (const dir of [base, parent]) {
    if (!fs.existsSync(dir)) fs.mkdirSync(dir);
    // Controllers must be enabled on each ancestor for the session groups to get them.
    tryWrite(dir, 'cgroup.subtree_control', '+memory +pids +cpu');
  }
}

/**
 * cgroup v2 lets a group hand controllers to its children only while no process sits in the group
 * itself. In a delegated subtree the server's own processes do: move them into a `server` leaf
 * first, then enable the controllers for the sessions' groups. Done once; later calls see it done.
 */
function enterDelegatedLeaf(own: string): void {
  const enabled = readWords(path.join(own, 'cgroup.subtree_control')) ?? [];
  if (CONTROLLERS.every((c) => enabled.includes(c))) return;
  const leaf = path.join(own, 'server');
  if (!fs.existsSync(leaf)) fs.mkdirSync(leaf);
  for (const pid of fs.readFileSync(path.join(own, 'cgroup.procs'), 'utf8').split('\n')) {
    // A process may exit between the read and the move.
    if (pid) tryWrite(leaf, 'cgroup.procs', pid);
  }
  write(own, 'cgroup.subtree_control', '+memory +pids +cpu');
}

function isWritable(dir: string): boolean {
  try {
    fs.accessSync(path.join(dir, 'cgroup.procs'), fs.constants.W_OK);
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function write(dir: string, file: string, value: string | number): void {
  fs.writeFileSync(path.join(dir, file), String(value));
}

function tryWrite(dir: string, file: string, value: string | number): void {
  try {
    write(dir, file, value);
  } catch {
    // optional knob missing on this kernel
  }
}
