import { spawnSync } from 'node:child_process';

/**
 * The unprivileged host user sessions run as when the server runs as root (issue 16: a sandbox
 * running as host root could leave a setuid-root file in an owner's storage, and everything it
 * wrote was root's). It owns what sessions may write in owners' storage; it has no home, no shell
 * and no password, and nothing else runs as it.
 */
export interface SandboxUser {
  uid: number;
  gid: number;
}

export const DEFAULT_SANDBOX_USER = 'vitrine-sandbox';

/** The user's ids from the host's user database, or null when there is no such user. */
export function lookUpUser(name: string): SandboxUser | null {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const [, , uid, gid] = r.stdout.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * The sandbox user of a server running as root (an unprivileged server has none: its user
 * namespace maps the app to the server's own user). Created the first time, as a system account
 * with its own group; never root.
 */
export function sandboxUserFor(
  serverUid: number,
  name: string,
  log: { info(obj: object, msg: string): void },
): SandboxUser {
  if (serverUid !== 0) throw new Error('only a server running as root chooses a sandbox user');
  const found = lookUpUser(name);
  if (found) return checked(name, found);
  let why = '';
  // Several servers starting at once (a test run) race to create it: useradd then fails on the
  // user database's lock or on the name another one just added, and a moment later it is there.
  for (let attempt = 0; attempt < 50; attempt++) {
    // prettier-ignore
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent',
      '--shell', '/usr/sbin/nologin', '--comment', 'Vitrine sessions', name], { encoding: 'utf8' });
    const made = lookUpUser(name);
    if (made) {
      if (r.status === 0) log.info({ user: name, uid: made.uid }, 'created the sandbox user sessions run as');
      return checked(name, made);
    }
    why = (r.stderr || r.error?.message || '').trim();
    if (r.error) break; // no useradd on this host
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // start-up only: a short block is fine
  }
  throw new Error(`cannot create the sandbox user "${name}": ${why}`);
}

function checked(name: string, user: SandboxUser): SandboxUser {
  if (!Number.isInteger(user.uid) || !Number.isInteger(user.gid) || user.uid === 0 || user.gid === 0) {
    throw new Error(
      `the sandbox user "${name}" must not be root or in root's group (uid ${user.uid}, gid ${user.gid})`,
    );
  }
  return user;
}

/**
 * Gives `hostPath` and everything below it to the sandbox user, never following a link. For what
 * the server did not make itself (storage written before sessions ran as this user, files put in
 * by hand): apps could not read the 0600 files or write the folders otherwise.
 */
export function giveTreeTo(user: SandboxUser, hostPath: string): void {
  const r = spawnSync('chown', ['-R', '-P', '-h', `${user.uid}:${user.gid}`, '--', hostPath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot give ${hostPath} to the sandbox user: ${r.stderr.trim()}`);
}
