import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SandboxUser } from './sandbox-user.ts';

/**
 * Mounts the server makes in a session folder, and their removal. The folder holding the
 * sandbox's logs gets a small tmpfs of its own: what the app writes to its log is capped there
 * (an app that wrote 400 MB to it filled the runtime folder's memory, issue 16), and the server
 * still reads it from outside after the sandbox is gone.
 */

/** The most a session's logs (the app's, Xvfb's, the sound server's) may take together. */
export const LOG_FOLDER_BYTES = 8 * 1024 * 1024;
/** The source name of those mounts, to tell them apart in /proc/self/mountinfo. */
const LOG_MOUNT_SOURCE = 'vitrine-session-log';

/** The source name of a session folder's own tmpfs. */
const SESSION_MOUNT_SOURCE = 'vitrine-session';

/**
 * Gives the session folder (empty, just created) a tmpfs of its own, of at most `bytes`. Two
 * reasons: what the server binds from it into the sandbox (display socket, screen file, logs,
 * control socket) then shows in the sandbox's mountinfo as `/x11`, `/fb`, … of `vitrine-session`,
 * not as a path under RUNTIME_DIR (issue 16: nothing about the host's layout inside); and what
 * the app can write there is capped. False when this host does not let the server mount.
 */
export function mountSessionFolder(dir: string, bytes: number): boolean {
  const options = `size=${bytes},mode=0700,nosuid,nodev,noexec`;
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, SESSION_MOUNT_SOURCE, dir], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Caps `dir` (empty, just created) at `bytes`. False when this host does not let the server
 * mount (a service without the privilege): the logs then live uncapped in the runtime folder.
 */
export function capLogFolder(dir: string, owner: SandboxUser | null, bytes = LOG_FOLDER_BYTES): boolean {
  const ownedBy = owner ? `,uid=${owner.uid},gid=${owner.gid}` : '';
  const options = `size=${bytes},mode=0700${ownedBy},nosuid,nodev,noexec`;
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, LOG_MOUNT_SOURCE, dir], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Makes `dir` (a folder in a session folder) a mount of its own in a peer group of its own
 * (shared propagation), so that what the server mounts below it later also appears wherever it
 * was bound before: bubblewrap makes every mount of the sandbox's namespace a slave, and a bind
 * of it into the sandbox receives those mounts (grants bound into a running sandbox). Made
 * private first: bound onto itself under a shared parent it would be a peer of that parent, and
 * its mounts would be copied there too.
 */
export function makeSharedMountPoint(dir: string): void {
  for (const args of [
    ['--bind', dir, dir],
    ['--make-private', dir],
    ['--make-shared', dir],
  ]) {
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`cannot mount ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
    }
  }
}

/**
 * Detaches every mount at or below `root`, deepest first; returns how many. Must run before a
 * session folder is removed: a recursive removal crosses into mounts.
 */
export function unmountBelow(root: string): number {
  const mine = mountPoints().filter((p) => p === root || p.startsWith(root + path.sep));
  mine.sort((a, b) => b.length - a.length);
  for (const p of mine) spawnSync('umount', ['--lazy', p]);
  return mine.length;
}

/** Removes a session folder, after detaching what is mounted in it; never crosses into a mount. */
export function removeSessionFolder(dir: string): void {
  unmountBelow(dir);
  if (mountPoints().some((p) => p === dir || p.startsWith(dir + path.sep))) {
    throw new Error(`${dir} still has mounts; not removed`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Mount points of this process's mount namespace (mountinfo escapes space, tab, newline, backslash). */
export function mountPoints(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}
