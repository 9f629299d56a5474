import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareSandboxHost } from '../../src/sandbox/host.ts';
import type { Grant, SandboxHost, SandboxPolicy } from '../../src/sandbox/sandbox.ts';
import { startSandbox } from '../../src/sandbox/start-sandbox.ts';
import { removeInstanceGroups, type ResourceLimits } from '../../src/sandbox/cgroups.ts';
import type { SyscallProfile } from '../../src/sandbox/syscall-profiles.ts';
import type { WriteBudget } from '../../src/sandbox/grant-mounts.ts';

const PROBE = path.resolve(import.meta.dirname, '../../../native/build/syscall-probe');

export interface PolicyOptions {
  grants?: Grant[];
  limits?: Partial<ResourceLimits>;
  loopbackTcp?: boolean;
  nodeRuntime?: string;
  controlSocket?: boolean;
  etcFiles?: Record<string, string>;
  /**
   * The seccomp allow-list, as an app's manifest names it. Default "browser", the widest: every
   * other layer is tested where the app has the most syscalls (and the attack's shell tools need them).
   */
  syscalls?: SyscallProfile;
  writeBudget?: WriteBudget;
}

/**
 * Runs shell commands as the "app" of a real session sandbox (same bubblewrap, Landlock,
 * seccomp and cgroup set-up as production) and returns what they printed.
 */
export class AttackHarness {
  readonly root = fs.mkdtempSync(path.join('/dev/shm', 'vitrine-escape-'));
  readonly appDir = path.join(this.root, 'app');
  readonly sessionsDir = path.join(this.root, 'sessions');
  host!: SandboxHost;
  private n = 0;

  async init(): Promise<void> {
    fs.mkdirSync(this.appDir);
    fs.mkdirSync(this.sessionsDir);
    fs.copyFileSync(PROBE, path.join(this.appDir, 'probe'));
    fs.chmodSync(path.join(this.appDir, 'probe'), 0o755);
    // Output goes to stderr, which the sandbox init writes to the session's app.log.
    fs.writeFileSync(path.join(this.appDir, 'attack.sh'), '#!/bin/sh\n/bin/sh -c "$1" 1>&2\n', { mode: 0o755 });
    const quiet = { warn: () => {}, info: () => {} };
    this.host = await prepareSandboxHost({ bwrapPath: 'bwrap', runtimeDir: this.root, allowDegraded: false }, quiet);
  }

  policy(script: string, opts: PolicyOptions = {}): SandboxPolicy {
    return {
      sessionDir: path.join(this.sessionsDir, `s${++this.n}`),
      appDir: this.appDir,
      binary: 'attack.sh',
      args: [script],
      display: { width: 320, height: 240 },
      grants: opts.grants ?? [],
      limits: { memoryBytes: 256 * 2 ** 20, pids: 128, cpu: 1, ...opts.limits },
      loopbackTcp: opts.loopbackTcp ?? false,
      nodeRuntime: opts.nodeRuntime ?? null,
      controlSocket: opts.controlSocket ?? false,
      etcFiles: opts.etcFiles ?? {},
      syscalls: opts.syscalls ?? 'browser',
      writeBudget: opts.writeBudget ?? null,
    };
  }

  /** Runs `script` in a fresh sandbox until it exits; returns its output and how it ended. */
  async run(
    script: string,
    opts: PolicyOptions & { timeoutMs?: number; onStarted?: (policy: SandboxPolicy) => void } = {},
  ) {
    const policy = this.policy(script, opts);
    const sandbox = await startSandbox(this.host, policy, 10_000, path.basename(policy.sessionDir));
    // What the runtime does at the app's first picture (at most 10 s in): from here on the app is
    // held to its own CPU limit, not the start's all-cores one (sandbox/cgroups.ts).
    sandbox.cgroup?.started();
    opts.onStarted?.(policy);
    const timer = setTimeout(() => sandbox.kill(), opts.timeoutMs ?? 20_000);
    const exit = await sandbox.exited;
    clearTimeout(timer);
    const output = fs.readFileSync(path.join(policy.sessionDir, 'log', 'app.log'), 'utf8');
    await sandbox.destroyed();
    fs.rmSync(policy.sessionDir, { recursive: true, force: true });
    return { output, ...exit };
  }

  dir(name: string, files: Record<string, string> = {}): string {
    const d = path.join(this.root, name);
    fs.mkdirSync(d, { recursive: true });
    for (const [f, content] of Object.entries(files)) fs.writeFileSync(path.join(d, f), content);
    return d;
  }

  cleanup(): void {
    removeInstanceGroups(this.host.cgroups, this.host.instance);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export const tmpHostDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-host-'));

/** Each line `label: <result>` of a script's output, as a map. */
export function results(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .split('\n')
      .map((l) => /^([\w-]+): (.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => [m[1]!, m[2]!]),
  );
}

/** A shell function for the scripts: `try LABEL CMD...` prints "LABEL: ok" or "LABEL: failed <first error line>". */
export const TRY = `try() { l=$1; shift; if out=$("$@" 2>&1); then echo "$l: ok"; else echo "$l: failed $(echo "$out" | head -n1)"; fi; }`;
