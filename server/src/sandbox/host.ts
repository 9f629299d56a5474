import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { detectCgroups, removeLeftoverCgroups, type CgroupSupport } from './cgroups.ts';
import { SANDBOX_INIT_HELPER, type SandboxHost } from './sandbox.ts';
import { allSyscallLists } from './syscall-profiles.ts';
import { DEFAULT_SANDBOX_USER, sandboxUserFor } from './sandbox-user.ts';
import { GRANT_FS } from './grant-mounts.ts';

export interface HostReport {
  userNamespaces: boolean;
  bubblewrap: string | null;
  landlock: 'enforced' | 'unavailable';
  landlockDetail: string;
  seccomp: boolean;
  cgroups: CgroupSupport;
  initHelper: boolean;
}

/** What this host offers for sandboxing; the `doctor` command prints it, start-up enforces it. */
export function inspectHost(bwrapPath: string): HostReport {
  const bwrap = spawnSync(bwrapPath, ['--version'], { encoding: 'utf8' });
  const helper = fs.existsSync(SANDBOX_INIT_HELPER);
  // The helper applies Landlock to itself and then runs `true`: it exits 125 when it cannot (or
  // when a seccomp allow-list names a syscall this host's libseccomp does not know).
  const lists = allSyscallLists().flatMap((f) => ['--syscalls', f]);
  const probe = helper
    ? spawnSync(SANDBOX_INIT_HELPER, [...lists, '--rox', '/usr', '--', '/usr/bin/true'], { encoding: 'utf8' })
    : null;
  const lsm = readFile('/sys/kernel/security/lsm') ?? '';
  return {
    userNamespaces: readFile('/proc/sys/user/max_user_namespaces')?.trim() !== '0',
    bubblewrap: bwrap.status === 0 ? bwrap.stdout.trim() : null,
    landlock: probe?.status === 0 ? 'enforced' : 'unavailable',
    landlockDetail: probe
      ? probe.status === 0
        ? `enforced (a test ruleset was applied)${lsm.trim() ? `; LSM list: ${lsm.trim()}` : ''}`
        : probe.stderr.trim()
      : 'init helper not built (run make)',
    seccomp:
      /Seccomp:\s*[0-2]/.test(readFile('/proc/self/status') ?? '') &&
      fs.existsSync('/proc/sys/kernel/seccomp/actions_avail'),
    cgroups: detectCgroups(),
    initHelper: helper,
  };
}

export class SandboxUnavailableError extends Error {}

/**
 * Builds the sandbox host description for this server, refusing to run sessions on a host that
 * cannot confine them (unless the operator explicitly allowed degraded mode), and removes
 * cgroups a crashed previous run left behind.
 */
export async function prepareSandboxHost(
  opts: { bwrapPath: string; runtimeDir: string; allowDegraded: boolean; user?: string | undefined },
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
  report: HostReport = inspectHost(opts.bwrapPath),
): Promise<SandboxHost> {
  if (!report.bubblewrap) throw new SandboxUnavailableError(`bubblewrap not found at "${opts.bwrapPath}"`);
  if (!report.initHelper)
    throw new SandboxUnavailableError(`sandbox init helper missing at ${SANDBOX_INIT_HELPER}; run "make"`);
  if (report.landlock !== 'enforced') {
    if (!opts.allowDegraded) {
      throw new SandboxUnavailableError(
        `Landlock is not available (${report.landlockDetail}); refusing to run sessions. Set SANDBOX_ALLOW_DEGRADED=1 to run with namespaces and seccomp only.`,
      );
    }
    log.warn({ landlock: report.landlockDetail }, 'DEGRADED SANDBOX: Landlock unavailable, sessions run without it');
  }
  if (report.cgroups.version === 0) {
    if (!opts.allowDegraded) {
      throw new SandboxUnavailableError(
        `${report.cgroups.reason}; refusing to run sessions without resource limits. Set SANDBOX_ALLOW_DEGRADED=1 to override.`,
      );
    }
    log.warn({ cgroups: report.cgroups.reason }, 'DEGRADED SANDBOX: no cgroups, sessions run without resource limits');
  }
  const instance = createHash('sha256').update(opts.runtimeDir).digest('hex').slice(0, 12);
  const removed = await removeLeftoverCgroups(report.cgroups, instance);
  if (removed) log.warn({ removed }, 'removed session cgroups left by a previous run');
  // Never host root inside a session: a root server runs every session as this unprivileged user.
  const user = process.getuid?.() === 0 ? sandboxUserFor(0, opts.user ?? DEFAULT_SANDBOX_USER, log) : null;
  // A root server serves grants through the grant filesystem (it can mount it); never without.
  if (user && !fs.existsSync(GRANT_FS))
    throw new SandboxUnavailableError(`the grant filesystem is missing at ${GRANT_FS}; run "make"`);
  log.info(
    { cgroups: report.cgroups.version, landlock: report.landlock, sessionUid: user?.uid ?? process.getuid?.() },
    'sandbox host ready',
  );
  return {
    bwrapPath: opts.bwrapPath,
    initHelper: SANDBOX_INIT_HELPER,
    cgroups: report.cgroups,
    instance,
    allowDegraded: opts.allowDegraded,
    degraded: report.landlock !== 'enforced' || report.cgroups.version === 0,
    landlock: report.landlock,
    user,
    grantFs: user ? GRANT_FS : null,
  };
}

/**
 * The API tier of a multi-node install (ROLE=api) runs no session: it needs neither bubblewrap,
 * Landlock nor cgroups (it runs unprivileged), only the sandbox user that owns what it writes in
 * owners' folders, the same uid as on the workers. What clients are told of the sandbox is then
 * the workers' (workers/remote-sessions.ts).
 */
export function apiTierHost(
  opts: { bwrapPath: string; runtimeDir: string; user?: string | undefined },
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
): SandboxHost {
  const user = process.getuid?.() === 0 ? sandboxUserFor(0, opts.user ?? DEFAULT_SANDBOX_USER, log) : null;
  return {
    bwrapPath: opts.bwrapPath,
    initHelper: SANDBOX_INIT_HELPER,
    cgroups: { version: 0, reason: 'the API tier runs no sessions' },
    instance: createHash('sha256').update(opts.runtimeDir).digest('hex').slice(0, 12),
    allowDegraded: false,
    degraded: false,
    landlock: 'unavailable',
    user,
    grantFs: null,
  };
}

function readFile(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}
