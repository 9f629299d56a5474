import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unmountVolume } from '../../server/test/helpers.ts';

/**
 * A shaped-link lab: two network namespaces made by the caller's process — a server host and a
 * client host — joined by one veth pair, whose link can be shaped while a session runs.
 *
 *   server ns  vls<tag> 192.0.2.1/24  <==== veth ====>  vlc<tag> 192.0.2.2/24  client ns
 *
 * Only TEST-NET-1 (192.0.2.0/24, a documentation range) is used, and nothing is routed out of
 * the two namespaces: no packet leaves this machine. The NAT lab (nat.ts) uses other names and
 * ranges, so both can exist at once.
 *
 * Shaping, per direction ("down" = server → client, the video; "up" = client → server):
 *  - **Rate cap:** a token-bucket filter (`tbf`) as the root qdisc of the sending end of the
 *    veth. `burst` is max(2 full Ethernet frames, 5 ms at the rate): small enough that the cap
 *    holds over short windows (a keyframe cannot slip through at line rate), large enough that
 *    the kernel's timer granularity does not cut the rate below the cap. The queue in front of
 *    the bucket holds `queueMs` of traffic at the rate (tbf's `latency`, default 200 ms — the
 *    buffer of a modest access link); what does not fit is dropped, as on a real bottleneck.
 *    TSO/GSO super-packets larger than the burst are segmented by tbf itself.
 *  - **Random loss:** iptables' `statistic` match (`--mode random --probability p -j DROP`)
 *    in the INPUT path of the receiving namespace, on packets arriving from the veth, in a chain
 *    of the lab's own (`VT_LAB_LOSS`) that `clear()` flushes. It drops every protocol (the
 *    signalling WebSocket's TCP too, which retransmits), like a lossy radio link.
 *  - **Delay is not emulated.** This kernel has no `netem`; the only delay is the queueing the
 *    rate cap itself causes. Adding fixed delay honestly needs a userspace delayer (an NFQUEUE
 *    program that holds packets), which is future work — nothing here pretends to do it.
 *
 * `destroy()` deletes both namespaces: the veth pair, its qdiscs and the iptables rules live in
 * them and vanish with them.
 */
export interface LinkShape {
  /** Rate cap in kbit/s (1000 bit/s); absent: no cap. */
  rateKbit?: number;
  /** Random loss in % of packets (0..100); absent or 0: none. */
  lossPercent?: number;
  /** Queue in front of the rate cap, in ms of traffic at the rate (tbf `latency`). Default 200. */
  queueMs?: number;
  /** Which direction(s) to shape. Default both. */
  direction?: 'both' | 'down' | 'up';
}

export interface QdiscStats {
  sentBytes: number;
  sentPackets: number;
  dropped: number;
  /** Times the token bucket held a packet back: > 0 proves the cap engaged. */
  overlimits: number;
}

export interface ShapedLink {
  serverNs: string;
  clientNs: string;
  serverIp: string;
  clientIp: string;
  /** Replaces the current shaping with `shape` (what it leaves out is not applied). */
  shape(shape: LinkShape): void;
  /** Lifts every rate cap and loss rule; the link is a plain veth again. */
  clear(): void;
  /**
   * A firewall between the hosts (replacing the previous one), as on a path that filters: `udp`
   * silently drops UDP arriving at either end of the veth; `tcpPorts` answers connections to those
   * ports of the server with a reset. `{}` lifts it.
   */
  blockClient(block: { udp?: boolean; tcpPorts?: number[] }): void;
  /** Root qdisc counters of each direction's sending end (null: no tbf there). */
  stats(): { down: QdiscStats | null; up: QdiscStats | null };
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const inNs = (ns: string, ...cmd: string[]) =>
  execFileSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'pipe', encoding: 'utf8' });
const LOSS_CHAIN = 'VT_LAB_LOSS';
const BLOCK_CHAIN = 'VT_LAB_BLOCK';
let created = 0;

export function createShapedLink(): ShapedLink {
  const tag = `${process.pid % 100000}${created++ % 10}`;
  const serverNs = `vt-lab-s-${tag}`;
  const clientNs = `vt-lab-c-${tag}`;
  const serverDev = `vls${tag}`;
  const clientDev = `vlc${tag}`;
  const serverIp = '192.0.2.1';
  const clientIp = '192.0.2.2';
  // Each direction: the namespace and device that send it, and the ones that receive it.
  const down = { txNs: serverNs, txDev: serverDev, rxNs: clientNs, rxDev: clientDev };
  const up = { txNs: clientNs, txDev: clientDev, rxNs: serverNs, rxDev: serverDev };

  const destroy = () => {
    for (const ns of [serverNs, clientNs]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not created
      }
    }
  };
  try {
    for (const ns of [serverNs, clientNs]) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    ip('link', 'add', serverDev, 'netns', serverNs, 'type', 'veth', 'peer', 'name', clientDev, 'netns', clientNs);
    ip('-n', serverNs, 'addr', 'add', `${serverIp}/24`, 'dev', serverDev);
    ip('-n', clientNs, 'addr', 'add', `${clientIp}/24`, 'dev', clientDev);
    ip('-n', serverNs, 'link', 'set', serverDev, 'up');
    ip('-n', clientNs, 'link', 'set', clientDev, 'up');
    for (const d of [down, up]) {
      inNs(d.rxNs, 'iptables', '-N', LOSS_CHAIN);
      inNs(d.rxNs, 'iptables', '-A', 'INPUT', '-i', d.rxDev, '-j', LOSS_CHAIN);
    }
    for (const [ns, dev] of [
      [serverNs, serverDev],
      [clientNs, clientDev],
    ] as const) {
      inNs(ns, 'iptables', '-N', BLOCK_CHAIN);
      inNs(ns, 'iptables', '-A', 'INPUT', '-i', dev, '-j', BLOCK_CHAIN);
    }
  } catch (err) {
    destroy();
    throw err;
  }

  const clearDirection = (d: typeof down) => {
    try {
      inNs(d.txNs, 'tc', 'qdisc', 'del', 'dev', d.txDev, 'root');
    } catch {
      // no qdisc of ours there (the default one cannot be deleted)
    }
    inNs(d.rxNs, 'iptables', '-F', LOSS_CHAIN);
  };
  const clear = () => {
    clearDirection(down);
    clearDirection(up);
  };

  const shape = (s: LinkShape) => {
    const dirs = s.direction === 'down' ? [down] : s.direction === 'up' ? [up] : [down, up];
    clear();
    for (const d of dirs) {
      if (s.rateKbit !== undefined) {
        if (!(s.rateKbit > 0)) throw new Error(`rateKbit must be > 0, got ${s.rateKbit}`);
        const bytesPerSecond = (s.rateKbit * 1000) / 8;
        const burst = Math.max(2 * 1514, Math.ceil(bytesPerSecond * 0.005));
        const queueMs = s.queueMs ?? 200;
        inNs(
          d.txNs,
          'tc',
          'qdisc',
          'replace',
          'dev',
          d.txDev,
          'root',
          'tbf',
          'rate',
          `${s.rateKbit}kbit`,
          'burst',
          String(burst),
          'latency',
          `${queueMs}ms`,
        );
      }
      const loss = s.lossPercent ?? 0;
      if (loss < 0 || loss > 100) throw new Error(`lossPercent must be in 0..100, got ${loss}`);
      if (loss > 0) {
        inNs(
          d.rxNs,
          'iptables',
          '-A',
          LOSS_CHAIN,
          '-m',
          'statistic',
          '--mode',
          'random',
          '--probability',
          (loss / 100).toFixed(4),
          '-j',
          'DROP',
        );
      }
    }
  };

  const blockClient = (block: { udp?: boolean; tcpPorts?: number[] }) => {
    for (const ns of [serverNs, clientNs]) {
      inNs(ns, 'iptables', '-F', BLOCK_CHAIN);
      if (block.udp) inNs(ns, 'iptables', '-A', BLOCK_CHAIN, '-p', 'udp', '-j', 'DROP');
    }
    for (const port of block.tcpPorts ?? []) {
      const reset = ['-j', 'REJECT', '--reject-with', 'tcp-reset'];
      inNs(serverNs, 'iptables', '-A', BLOCK_CHAIN, '-p', 'tcp', '--dport', String(port), ...reset);
    }
  };

  const qdiscStats = (d: typeof down): QdiscStats | null => {
    const out = inNs(d.txNs, 'tc', '-s', 'qdisc', 'show', 'dev', d.txDev, 'root');
    if (!/^qdisc tbf /m.test(out)) return null;
    const m = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+)/.exec(out);
    if (!m) throw new Error(`unexpected tc output: ${out}`);
    return { sentBytes: Number(m[1]), sentPackets: Number(m[2]), dropped: Number(m[3]), overlimits: Number(m[4]) };
  };

  return {
    serverNs,
    clientNs,
    serverIp,
    clientIp,
    shape,
    clear,
    blockClient,
    stats: () => ({ down: qdiscStats(down), up: qdiscStats(up) }),
    destroy,
  };
}

/** The host name browsers use for the lab's server: passkeys need a name, not an address. */
export const LAB_HOST = 'vitrine-lab.test';

export interface LabServer {
  /** What the browser opens, http://vitrine-lab.test:PORT (resolved to the lab's server address). */
  origin: string;
  /** The first-account setup link the server printed. */
  setupLink: string;
  /** Server data, runtime folders and the Chromium wrapper live here. */
  tmp: string;
  runtimeDir: string;
  process: ChildProcess;
  /** A script that runs Debian's Chromium inside the client namespace (for launchChromium). */
  chromiumWrapper: string;
  /** Chromium flags that map LAB_HOST to the server and treat its plain-http origin as secure. */
  chromiumArgs: string[];
  /** Stops the server (SIGTERM, then SIGKILL to its process group) and removes the temp folder. */
  stop(): Promise<void>;
}

/**
 * Runs the real Vitrine server (server/src/main.ts) inside the lab's server namespace, listening
 * on the lab's server address, with its own data and runtime folders in a temp folder. `nsenter`
 * enters only the network namespace (`ip netns exec` would also hide the host's cgroup mounts,
 * which the sandbox needs). The server is the leader of its own process group, so `stop()` can
 * reach everything it started even if it hangs.
 */
export async function startServerInLab(
  lab: ShapedLink,
  env: Record<string, string> = {},
  port = 8080,
): Promise<LabServer> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-lab-'));
  const origin = `http://${LAB_HOST}:${port}`;
  const runtimeDir = path.join(tmp, 'run');
  const child = spawn('nsenter', [`--net=/var/run/netns/${lab.serverNs}`, process.execPath, 'server/src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      HOST: lab.serverIp,
      // The lab is a pair of namespaces of this process; it is about the media path, not TLS.
      ALLOW_INSECURE_HTTP: '1',
      PORT: String(port),
      WEBRTC_ICE_ADDRESSES: lab.serverIp,
      RUNTIME_DIR: runtimeDir,
      DATA_DIR: path.join(tmp, 'data'),
      // Also run by the benchmarks, outside the test runner: the audit key stays in this lab's folder.
      AUDIT_KEY_FILE: path.join(tmp, 'audit', 'audit.key'),
      AUDIT_CHECKPOINT_FILE: path.join(tmp, 'audit', 'audit-checkpoints.jsonl'),
      MASTER_KEY_FILE: path.join(tmp, 'keys', 'master.key'),
      LOG_LEVEL: process.env.LAB_LOG ? 'trace' : 'warn',
      PUBLIC_URL: origin,
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // LAB_LOG=<file>: the lab server's log at trace level (every congestion-control decision) goes there.
  const logFile = process.env.LAB_LOG;
  if (logFile) child.stdout!.on('data', (d: Buffer) => fs.appendFileSync(logFile, d));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
        await exited;
      }
    }
    // Whatever of its group outlived it (it should have ended its sessions itself).
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // nothing left
    }
    unmountVolume(path.join(tmp, 'data'));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  let setupLink: string;
  try {
    setupLink = await new Promise<string>((resolve, reject) => {
      let out = '';
      const linkRe = new RegExp(`(${origin.replace(/[.]/g, '\\.')}/invite#[\\w-]+)`);
      const onData = (d: Buffer) => {
        out += d.toString();
        const link = linkRe.exec(out);
        if (!link) return;
        child.stdout!.off('data', onData);
        resolve(link[1]!);
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${out.slice(-500)}`)));
      // A loaded machine (other benchmarks, parallel builds) can take well over 30 s to start it.
      setTimeout(() => reject(new Error(`no setup link within 90 s: ${out.slice(-500)}`)), 90_000).unref();
    });
  } catch (err) {
    await stop();
    throw err;
  }
  // Keep draining stdout so the server never blocks on a full pipe.
  child.stdout!.resume();
  const chromiumWrapper = path.join(tmp, 'chromium-in-client-ns');
  fs.writeFileSync(
    chromiumWrapper,
    `#!/bin/sh\nexec nsenter --net=/var/run/netns/${lab.clientNs} ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} "$@"\n`,
    { mode: 0o755 },
  );
  return {
    origin,
    setupLink,
    tmp,
    runtimeDir,
    process: child,
    chromiumWrapper,
    chromiumArgs: [
      `--host-resolver-rules=MAP ${LAB_HOST} ${lab.serverIp}`,
      `--unsafely-treat-insecure-origin-as-secure=${origin}`,
    ],
    stop,
  };
}
