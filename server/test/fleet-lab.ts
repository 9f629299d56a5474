import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Machines for a multi-node test on one host: a bridge in this namespace (e.g. 198.51.100.1, where
 * the test's own clients sit) and one network namespace per machine (.10, .11, ...), in a /26 of
 * TEST-NET-2 (TEST-NET-1 is this host's own network here). No packet leaves this host. Processes are started with `nsenter --net` only, so they
 * keep the host's mounts (cgroups, /dev/shm) like real machines with their own filesystems would.
 */
export interface FleetLab {
  hostIp: string;
  machines: Array<{ ns: string; ip: string }>;
  /** Starts `node <script>` on machine `i` as the leader of its own process group. */
  start(i: number, script: string, env: Record<string, string>): FleetProcess;
  destroy(): void;
}

export interface FleetProcess {
  proc: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when its output matches `re` (rejects if it exits first or after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** SIGKILL to the whole group: a machine losing power. */
  kill(): void;
  /** SIGTERM, then SIGKILL to the group after `ms`. */
  stop(ms?: number): Promise<void>;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * A /26 of TEST-NET-2 no other lab on this host holds now (labs of concurrent test runs must
 * not share a subnet: the host would route one lab's packets into the other).
 */
function freeBlock(): number {
  const inUse = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  const block = [0, 64, 128, 192].find((b) => !inUse.includes(`inet 198.51.100.${b + 1}/`));
  if (block === undefined) throw new Error('every fleet lab block of 198.51.100.0/24 is in use');
  return block;
}

export function createFleetLab(count: number): FleetLab {
  const tag = `${process.pid % 100000}`;
  const bridge = `vtfb${tag}`;
  const block = freeBlock();
  const hostIp = `198.51.100.${block + 1}`;
  const machines = Array.from({ length: count }, (_, i) => ({
    ns: `vt-fleet-${tag}-${i}`,
    ip: `198.51.100.${block + 10 + i}`,
  }));
  const started: FleetProcess[] = [];
  const destroy = () => {
    for (const p of started) p.kill();
    for (const m of machines) {
      try {
        ip('netns', 'del', m.ns);
      } catch {
        // not made
      }
    }
    try {
      ip('link', 'del', bridge);
    } catch {
      // not made
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${hostIp}/26`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    machines.forEach((m, i) => {
      const [outside, inside] = [`vtf${tag}h${i}`, `vtf${tag}n${i}`];
      ip('netns', 'add', m.ns);
      ip('-n', m.ns, 'link', 'set', 'lo', 'up');
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside, 'netns', m.ns);
      ip('link', 'set', outside, 'master', bridge);
      ip('link', 'set', outside, 'up');
      ip('-n', m.ns, 'addr', 'add', `${m.ip}/26`, 'dev', inside);
      ip('-n', m.ns, 'link', 'set', inside, 'up');
    });
  } catch (err) {
    destroy();
    throw err;
  }
  const start = (i: number, script: string, env: Record<string, string>): FleetProcess => {
    const proc = spawn('nsenter', [`--net=/var/run/netns/${machines[i]!.ns}`, process.execPath, script], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const kill = () => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    };
    const p: FleetProcess = {
      proc,
      output: () => out,
      kill,
      waitFor: (re, ms = 90_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            const m = re.exec(out);
            if (!m) return;
            cleanup();
            resolve(m);
          };
          const timer = setTimeout(() => {
            cleanup();
            reject(new Error(`no ${re} within ${ms} ms: ${out.slice(-800)}`));
          }, ms);
          const onExit = () => {
            cleanup();
            reject(new Error(`exited before ${re}: ${out.slice(-800)}`));
          };
          const cleanup = () => {
            clearTimeout(timer);
            proc.stdout!.off('data', check);
            proc.off('exit', onExit);
          };
          proc.stdout!.on('data', check);
          proc.once('exit', onExit);
          check();
        }),
      stop: async (ms = 20_000) => {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          const timeout = new Promise<void>((r) => setTimeout(r, ms).unref());
          await Promise.race([exited, timeout]);
        }
        kill();
      },
    };
    started.push(p);
    return p;
  };
  return { hostIp, machines, start, destroy };
}
