import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SessionCgroup } from './cgroups.ts';
import {
  budgetsFor,
  serveGrants,
  serveGrantsAt,
  serveLateRoot,
  type GrantToServe,
  type LateRoot,
  type ServedGrant,
  type WriteBudget,
} from './grant-mounts.ts';
import { FILES_MOUNT, lateGrantNames } from './late-grants.ts';
import { logTail } from './log-tail.ts';
import { giveTreeTo, type SandboxUser } from './sandbox-user.ts';
import { capLogFolder, makeSharedMountPoint, unmountBelow } from './session-mounts.ts';
import {
  bwrapArgs,
  LATE_GRANTS_FOLDER,
  prepareSessionDir,
  type Grant,
  type SandboxHandle,
  type SandboxHost,
  type SandboxPolicy,
} from './sandbox.ts';

// Where a sandbox is started: its grants opened and served, its cgroup made, bubblewrap run
// inside it (sandbox.ts says what the sandbox is: its policy and bubblewrap's arguments).

const ENTER_CGROUP = path.join(import.meta.dirname, 'enter-cgroup.sh');

/** A session folder's tmpfs beyond its screen file (see mountSessionFolder). */
const SESSION_FOLDER_SPARE_BYTES = 64 * 2 ** 20;

/**
 * Opens each granted host path without following a final link and checks that what was opened
 * is exactly that path (a link anywhere along it would show up as a different path), and a
 * plain file or folder. Host paths must therefore be canonical.
 */
export function openGrants(grants: Grant[], user: SandboxUser | null = null): number[] {
  const fds: number[] = [];
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  try {
    for (const g of grants) {
      const fd = fs.openSync(g.hostPath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      fds.push(fd);
      const st = fs.fstatSync(fd);
      if ((!st.isFile() && !st.isDirectory()) || fs.readlinkSync(`/proc/self/fd/${fd}`) !== g.hostPath) {
        throw new Error(`${g.hostPath} is not a plain file or folder at that path any more`);
      }
      // Storage the server wrote for sessions is the sandbox user's already; anything else (older
      // storage, files put in by hand) is given to it once, when it is first shared.
      if (user && (st.uid !== user.uid || st.gid !== user.gid)) giveTreeTo(user, g.hostPath);
    }
  } catch (err) {
    for (const fd of fds) fs.closeSync(fd);
    throw new Error(`cannot share ${(err as Error).message}`, { cause: err });
  }
  return fds;
}

/** Creates the session's cgroup with its limits, then starts bubblewrap already inside it. */
export async function startSandbox(
  host: SandboxHost,
  policy: SandboxPolicy,
  startTimeoutMs: number,
  cgroupName: string,
): Promise<SandboxHandle> {
  const viaGrantFs = host.grantFs !== null && host.user !== null;
  if (policy.lateGrants) {
    if (policy.grants.length > 0) throw new Error('a sandbox that takes its grants later starts with none');
    // A bind mount made later would not reach a running sandbox's namespace; the grant
    // filesystem's mounts can (see bwrapArgs), and it needs root.
    if (!viaGrantFs) throw new Error('grants bound later need the grant filesystem (a server running as root)');
  }
  const grantFds = openGrants(policy.grants, host.user);
  let xCookie: Buffer;
  let cgroup: SessionCgroup | undefined;
  let child: ChildProcess;
  let served: ServedGrant[] = [];
  let lateRoot: LateRoot | undefined;
  const lateDir = path.join(policy.sessionDir, LATE_GRANTS_FOLDER);
  try {
    // Room for the screen file (4 bytes a pixel), the watermark's pictures and the sound pipe.
    const { width, height } = policy.display;
    const folderBytes = width * height * 4 + SESSION_FOLDER_SPARE_BYTES;
    xCookie = prepareSessionDir(policy.sessionDir, policy.audio, host.user, folderBytes);
    capLogFolder(path.join(policy.sessionDir, 'log'), host.user);
    if (policy.lateGrants?.atFiles) {
      lateRoot = await serveLateRoot(policy.sessionDir, policy.lateGrants.access === 'read', host.user!);
      served = [lateRoot];
    } else if (policy.lateGrants) {
      // The server's (nothing else can be made in it); the app's user lists it as /files.
      fs.mkdirSync(lateDir, { mode: 0o755 });
      fs.chmodSync(lateDir, 0o755);
      makeSharedMountPoint(lateDir);
    }
    if (viaGrantFs && !policy.lateGrants) {
      served = await serveGrants(
        policy.sessionDir,
        grantsToServe(policy.grants, grantFds, policy.writeBudget ?? null),
        host.user!,
      );
    }
    cgroup =
      host.cgroups.version === 0
        ? undefined
        : SessionCgroup.create(host.cgroups, host.instance, cgroupName, policy.limits);
    const args = bwrapArgs(policy, host, viaGrantFs ? served.map((s) => s.mountPoint) : undefined);
    const command = cgroup
      ? [ENTER_CGROUP, ...cgroup.procsFiles, '--', host.bwrapPath, ...args]
      : [host.bwrapPath, ...args];
    const fds = viaGrantFs ? [] : grantFds;
    child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe', ...fds] });
  } catch (err) {
    await Promise.all(served.map((s) => s.stop()));
    await cgroup?.destroy();
    throw err;
  } finally {
    // The children have their copies (bubblewrap closes them once mounted); ours are not needed.
    for (const fd of grantFds) fs.closeSync(fd);
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; oomKilled: boolean }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, oomKilled: (cgroup?.oomKills() ?? 0) > 0 })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('display did not start in time')), startTimeoutMs);
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start bubblewrap: ${err.message}`));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      const xvfbLog = logTail(path.join(policy.sessionDir, 'log', 'xvfb.log'));
      reject(
        new Error(
          `sandbox exited before the display was ready (${code ?? signal}): ${(stderr + xvfbLog).trim().slice(-500)}`,
        ),
      );
    });
  });
  ready.catch(() => {});
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  let lateServed: ServedGrant[] = [];
  let binding: Promise<void> | null = null;
  let ending = false;
  const bindGrants = (grants: Grant[], budget: WriteBudget | null = null): Promise<void> => {
    if (!policy.lateGrants) return Promise.reject(new Error('this sandbox took its grants when it started'));
    if (binding) return Promise.reject(new Error('this sandbox was given its grants already'));
    if (ending || child.exitCode !== null || child.signalCode !== null) {
      return Promise.reject(new Error('this sandbox has ended'));
    }
    let names: string[];
    try {
      names = lateGrantNames(grants, policy.lateGrants);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (lateRoot && !fs.statSync(grants[0]!.hostPath, { throwIfNoEntry: false })?.isDirectory()) {
      return Promise.reject(new Error(`${FILES_MOUNT} taken later must be a folder`));
    }
    // Taken before the first await: two calls at once cannot both mount.
    binding = lateRoot ? handRoot(lateRoot, grants[0]!, budget) : bindLate(grants, names, budget);
    return binding;
  };
  const handRoot = async (root: LateRoot, grant: Grant, budget: WriteBudget | null) => {
    const [fd] = openGrants([grant], host.user);
    try {
      if (!fs.fstatSync(fd!).isDirectory()) throw new Error(`${grant.sandboxPath} taken later must be a folder`);
      await root.hand(grantsToServe([grant], [fd!], budget)[0]!);
    } finally {
      fs.closeSync(fd!);
    }
  };
  const bindLate = async (grants: Grant[], names: string[], budget: WriteBudget | null) => {
    const fds = openGrants(grants, host.user);
    const mountPoints = names.map((n) => path.join(lateDir, n));
    try {
      lateServed = await serveGrantsAt(
        grantsToServe(grants, fds, budget).map((g, i) => ({ ...g, mountPoint: mountPoints[i]! })),
        host.user!,
      );
    } catch (err) {
      // What failed was stopped (unmounted); its empty mount points would still show in /files.
      for (const p of mountPoints) removeEmptyMountPoint(p);
      throw err;
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
  };
  return {
    process: child,
    terminate: () => {
      const app = child.pid === undefined ? null : appProcess(child.pid);
      if (app === null) return false;
      try {
        process.kill(app, 'SIGTERM');
        return true;
      } catch {
        return false;
      }
    },
    xSocket: path.join(policy.sessionDir, 'x11', 'X0'),
    framebuffer: path.join(policy.sessionDir, 'fb', 'Xvfb_screen0'),
    xCookie,
    cgroup,
    ready,
    exited,
    kill,
    bindGrants,
    destroyed: async () => {
      ending = true;
      kill();
      await exited;
      await cgroup?.destroy();
      // Grants still being bound are stopped once they are up (or failed, and stopped already).
      await binding?.catch(() => {});
      await Promise.all([...served, ...lateServed].map((s) => s.stop()));
      unmountBelow(policy.sessionDir);
    },
  };
}

/**
 * What the grant filesystem serves for each grant (opened as `fds`): read-only unless the grant
 * may write, and the writable ones sharing the session's budget.
 */
function grantsToServe(grants: readonly Grant[], fds: readonly number[], budget: WriteBudget | null): GrantToServe[] {
  const budgets = budgetsFor(
    grants.map((g) => g.access !== 'read'),
    budget,
  );
  return grants.map((g, i) => ({ fd: fds[i]!, readOnly: g.access === 'read', budget: budgets[i]! }));
}

/** Removes a mount point the grant filesystem no longer serves; never anything with content. */
function removeEmptyMountPoint(p: string): void {
  try {
    if (fs.lstatSync(p).isDirectory()) fs.rmdirSync(p);
    else fs.unlinkSync(p);
  } catch {
    // Not made (the failure came first), or still busy: the session folder goes with the sandbox.
  }
}

/**
 * The app's host PID: below the bubblewrap we started come bubblewrap's own processes (its
 * monitor and the PID namespace's init), then the one it runs, which the sandbox's init script
 * became the app with `exec`. Null when the chain ends before it.
 */
export function appProcess(bwrapPid: number, read = readProc): number | null {
  let pid = bwrapPid;
  for (let depth = 0; depth < 4; depth++) {
    if (read(`/proc/${pid}/comm`)?.trim() !== 'bwrap') return depth === 0 ? null : pid;
    const first = read(`/proc/${pid}/task/${pid}/children`)?.trim().split(' ')[0];
    if (!first) return null;
    pid = Number(first);
  }
  return null;
}

function readProc(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
