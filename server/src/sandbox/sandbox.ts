import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FILES_MOUNT, type LateGrants } from './late-grants.ts';
import { mountSessionFolder } from './session-mounts.ts';
import type { CgroupSupport, ResourceLimits, SessionCgroup } from './cgroups.ts';
import type { SandboxUser } from './sandbox-user.ts';
import type { WriteBudget } from './grant-mounts.ts';
import { SYSCALL_LISTS_DIR, syscallListNames, type SyscallProfile } from './syscall-profiles.ts';
import { AUDIO_MOUNT, SOUND_SERVER_SCRIPT, soundServerBinds } from '../audio/sound-server.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const INIT_SCRIPT = path.join(HERE, 'session-init.sh');
export const SANDBOX_INIT_HELPER = path.resolve(HERE, '../../../native/build/vitrine-sandbox-init');

/** What a grant allows: read; read and write (create, modify); read, write and delete/rename. */
export type Access = 'read' | 'read-write' | 'read-write-delete';

/** A host path made visible inside the sandbox. */
export interface Grant {
  hostPath: string;
  sandboxPath: string;
  access: Access;
}

/**
 * Everything the sandbox needs to know, as plain data: resolved from the app manifest and what
 * the user is entitled to, logged with the session, and (later) sent to a worker machine.
 */
export interface SandboxPolicy {
  sessionDir: string;
  appDir: string;
  /** Path of the executable relative to appDir. */
  binary: string;
  args: string[];
  /**
   * What the person asked to open first, as a path inside the sandbox under /files
   * (VITRINE_OPEN; the File Explorer shows that file or folder); null or absent: nothing.
   */
  openPath?: string | null | undefined;
  /** The X screen (Xvfb) and Xvfb's framebuffer file. */
  display: { width: number; height: number };
  /**
   * The size the app should open its window at (VITRINE_WIDTH/VITRINE_HEIGHT), when smaller
   * than the display: a session that follows its viewer has a display of the largest size.
   */
  window?: { width: number; height: number } | undefined;
  grants: Grant[];
  limits: ResourceLimits;
  /** TCP on the sandbox's own loopback interface (its network namespace has nothing else). */
  loopbackTcp: boolean;
  /**
   * The app may play sound: a sound server with one output and no input starts inside the
   * sandbox before the app (server/src/audio/), its folder `<sessionDir>/audio` at /run/vitrine/audio.
   */
  audio?: boolean | undefined;
  /**
   * Host path of a Node.js installation (`bin/node` inside) mounted read-only at
   * /opt/vitrine/node and first on PATH, for apps whose manifest says `"runtime": "node"`.
   */
  nodeRuntime: string | null;
  /**
   * The server offers the app control channel: `<sessionDir>/control` (where the server listens
   * on `control.sock`) appears at /run/vitrine/control and VITRINE_CONTROL_SOCKET names it.
   */
  controlSocket: boolean;
  /** App files shown read-only under /etc: sandbox path (absolute, under /etc) → host file. */
  etcFiles: Record<string, string>;
  /** The seccomp allow-list the app chose (`syscalls` in its manifest); absent: "base". */
  syscalls?: SyscallProfile | undefined;
  /**
   * What the session may add to its writable grants (the owner's room under their quota), when
   * they are served through the grant filesystem; absent: no limit.
   */
  writeBudget?: WriteBudget | null | undefined;
  /**
   * Starts with no grant and takes them later, while it runs (SandboxHandle.bindGrants): a sandbox
   * started before its session exists (warm start). Landlock's rule for /files is set from the
   * access they will have before any exists. Below /files: /files is the session folder's
   * `late-grants`, read-only, where they appear. At /files: the grant filesystem is mounted there,
   * serving an empty folder until it is told the grant's. Only with `grants` empty, and only
   * through the grant filesystem (a server running as root).
   */
  lateGrants?: LateGrants | undefined;
}

/** Host facilities the sandbox is built with; detected once at start-up. */
export interface SandboxHost {
  bwrapPath: string;
  initHelper: string;
  cgroups: CgroupSupport;
  /** Names this server's cgroups so that several servers on one host never touch each other's. */
  instance: string;
  allowDegraded: boolean;
  /** True when Landlock or cgroups are missing and the operator allowed running without them. */
  degraded: boolean;
  landlock: 'enforced' | 'unavailable';
  /**
   * Set when the server runs as root: sessions then run as this user (never as host root), it owns
   * what they can write, and bubblewrap makes no user namespace (see bwrapArgs). Null when the
   * server is unprivileged: its user namespace maps the app to the server's own user.
   */
  user: SandboxUser | null;
  /**
   * The grant filesystem (grant-mounts.ts), used when the server runs as root: grants are served
   * through it rather than bound, hiding their host paths and holding writes to a budget.
   */
  grantFs: string | null;
}

export interface SandboxHandle {
  process: ChildProcess;
  /** Host path of the X socket of the private display. */
  xSocket: string;
  /** Host path of Xvfb's screen file (XWD). */
  framebuffer: string;
  /** The display's MIT-MAGIC-COOKIE-1: without it the X socket refuses connections. */
  xCookie: Buffer;
  cgroup: SessionCgroup | undefined;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; oomKilled: boolean }>;
  kill(): void;
  /**
   * Asks the app to stop: SIGTERM to the process the sandbox runs as the app (the first one below
   * bubblewrap's own). False when there is none (not started yet, or gone).
   */
  terminate(): boolean;
  /**
   * Mounts grants into a running sandbox started with `lateGrants`, once: each at /files/<name>,
   * or the one folder at /files. Refused (nothing mounted) for any other sandbox, a second time,
   * once it is ending, and for grants that are not what the sandbox's `lateGrants` expects (such
   * a refusal does not use up the one call). On any later failure what it
   * mounted is stopped, and it may not be called again. `budget`: what its writable grants share.
   */
  bindGrants(grants: Grant[], budget?: WriteBudget | null): Promise<void>;
  /**
   * Resolves when every process of the sandbox (and of its grant filesystems) is gone, its cgroup
   * removed and nothing is mounted in its session folder any more.
   */
  destroyed(): Promise<void>;
}

const APP_MOUNT = '/app';
const INIT_MOUNT = '/run/vitrine/init';
const HELPER_MOUNT = '/run/vitrine/sandbox-init';
const XAUTH_MOUNT = '/run/vitrine/xauth';
const SYSCALLS_MOUNT = '/run/vitrine/syscalls';
export const NODE_RUNTIME_MOUNT = '/opt/vitrine/node';
export const CONTROL_MOUNT = '/run/vitrine/control';
export const CONTROL_SOCKET = `${CONTROL_MOUNT}/control.sock`;
/** The session folder's folder that is /files of a sandbox taking its grants later. */
export const LATE_GRANTS_FOLDER = 'late-grants';

/** An app's first path: absolute, under /files, no `.` or `..` names, no control characters. */
function checkedOpenPath(p: string): string {
  const names = p.split('/').slice(1);
  const ok = p.startsWith('/files/') && !/\p{Cc}/u.test(p) && names.every((n) => n !== '' && n !== '.' && n !== '..');
  if (!ok && p !== '/files') throw new Error(`not a path under /files: ${JSON.stringify(p)}`);
  return p;
}

/** The Node.js installation running this server (the folder holding bin/node). */
export function hostNodeRuntime(): string {
  return path.dirname(path.dirname(fs.realpathSync(process.execPath)));
}

// What X11 programs read from the host: fonts, dynamic linker cache, user/locale basics.
const HOST_CONFIG_PATHS = [
  '/etc/fonts',
  '/etc/ld.so.cache',
  '/etc/localtime',
  '/etc/passwd',
  '/etc/group',
  '/etc/X11',
  // Debian's chromium launcher sources these.
  '/etc/chromium.d',
  '/etc/chromium',
  // LibreOffice's registry (share/registry links here): the File Explorer's office worker.
  '/etc/libreoffice',
  // The host's font cache: without it fontconfig rescans every font at each start (≈ 0.2 s per
  // process with the Noto fonts installed). Bound after the /var tmpfs, read-only.
  '/var/cache/fontconfig',
  // LibreOffice's bundled-extensions registry (share/prereg/bundled links here; without it
  // soffice aborts with a DeploymentException): the File Explorer's office worker.
  '/var/lib/libreoffice',
];

/**
 * The bubblewrap command for one session. Layers, outermost first: every namespace unshared
 * (user, mount, PID, network with only loopback, IPC, UTS, cgroup); a filesystem assembled
 * from nothing in which ungranted host paths do not exist; all capabilities dropped; then,
 * inside, the init helper adds Landlock (only the listed paths, with exactly their rights; no
 * TCP; no signals or abstract sockets beyond the sandbox) and a seccomp filter before the
 * first instruction of Xvfb or the app.
 */
export function bwrapArgs(
  policy: SandboxPolicy,
  host: Pick<SandboxHost, 'initHelper' | 'allowDegraded' | 'user'>,
  servedFrom?: readonly string[],
): string[] {
  const dir = policy.sessionDir;
  if (policy.nodeRuntime !== null && !path.isAbsolute(policy.nodeRuntime)) {
    throw new Error(`the Node.js runtime path must be absolute: ${policy.nodeRuntime}`);
  }
  if (policy.lateGrants && policy.grants.length > 0) {
    throw new Error('a sandbox that takes its grants later starts with none');
  }
  const lateRoot = policy.lateGrants?.atFiles ? servedFrom?.[0] : undefined;
  if (policy.lateGrants?.atFiles && !lateRoot)
    throw new Error('a grant at /files bound later needs the grant filesystem');
  const grantsEnv = JSON.stringify(policy.grants.map((g) => ({ path: g.sandboxPath, access: g.access })));
  const args = [
    ...namespacesAndCapabilities(host.user),
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'vitrine',
    '--clearenv',
    '--setenv',
    'PATH',
    policy.nodeRuntime === null ? '/usr/bin:/bin' : `${NODE_RUNTIME_MOUNT}/bin:/usr/bin:/bin`,
    '--setenv',
    'HOME',
    '/home/user',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--setenv',
    'DISPLAY',
    ':0',
    '--setenv',
    'XAUTHORITY',
    XAUTH_MOUNT,
    '--setenv',
    'VITRINE_WIDTH',
    String((policy.window ?? policy.display).width),
    '--setenv',
    'VITRINE_HEIGHT',
    String((policy.window ?? policy.display).height),
    '--setenv',
    'VITRINE_GRANTS',
    grantsEnv,
    ...(policy.openPath ? ['--setenv', 'VITRINE_OPEN', checkedOpenPath(policy.openPath)] : []),
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // The sandbox's own scratch folders. Made by bubblewrap as root; the app's user needs to write
    // them (shared memory for Chromium too). Only this session's processes can see them.
    ...['/dev/shm', '/tmp'].flatMap((p) => ['--perms', '1777', '--tmpfs', p]),
    ...['/home/user', '/run', '/var'].flatMap((p) => ['--perms', '0777', '--tmpfs', p]),
  ];
  const etc = HOST_CONFIG_PATHS.filter((f) => fs.existsSync(f));
  const appEtc = Object.keys(policy.etcFiles);
  for (const f of etc) {
    if (!appEtc.some((p) => p.startsWith(f + '/'))) {
      args.push('--ro-bind', f, f);
      continue;
    }
    // The app puts a file inside this host folder (which bubblewrap cannot write into): rebuild
    // the folder on a tmpfs from the host's entries, read-only binds each; Landlock keeps it read-only.
    args.push('--tmpfs', f);
    for (const child of fs.readdirSync(f)) args.push('--ro-bind', path.join(f, child), path.join(f, child));
  }
  args.push(
    '--bind',
    path.join(dir, 'x11'),
    '/tmp/.X11-unix',
    '--bind',
    path.join(dir, 'fb'),
    '/run/vitrine/fb',
    '--bind',
    path.join(dir, 'log'),
    '/run/vitrine/log',
    '--ro-bind',
    path.join(dir, 'xauth'),
    XAUTH_MOUNT,
    '--ro-bind',
    INIT_SCRIPT,
    INIT_MOUNT,
    '--ro-bind',
    host.initHelper,
    HELPER_MOUNT,
    '--ro-bind',
    policy.appDir,
    APP_MOUNT,
  );
  if (policy.nodeRuntime !== null) args.push('--ro-bind', policy.nodeRuntime, NODE_RUNTIME_MOUNT);
  // The init helper reads its allow-lists before Landlock, which then leaves them unreadable.
  const syscallLists = syscallListNames(policy.syscalls ?? 'base', policy.audio === true).map((n) => `${n}.txt`);
  for (const f of syscallLists) args.push('--ro-bind', path.join(SYSCALL_LISTS_DIR, f), `${SYSCALLS_MOUNT}/${f}`);
  if (policy.audio) args.push(...soundServerBinds(dir));
  const etcFiles = Object.entries(policy.etcFiles);
  for (const [inside, host] of etcFiles) {
    if (!inside.startsWith('/etc/') || inside.split('/').includes('..')) throw new Error(`not under /etc: ${inside}`);
    args.push('--ro-bind', host, inside);
  }
  // Read-only is enough to connect to the server's socket (connecting is not writing to the
  // mount), and the app cannot put anything of its own where the server listens.
  if (policy.controlSocket) {
    args.push(
      '--ro-bind',
      path.join(dir, 'control'),
      CONTROL_MOUNT,
      '--setenv',
      'VITRINE_CONTROL_SOCKET',
      CONTROL_SOCKET,
    );
  }
  // Grants come from descriptors opened and checked by startSandbox, never from an owner's path: a
  // sandboxed app that swaps a shared folder for a link cannot redirect the mount. Served through
  // the grant filesystem (grant-mounts.ts, which got the descriptors), they are bound from where
  // it mounted them in the session folder, and no host path of the owner's shows in mountinfo.
  // Delete needs a writable mount; Landlock then takes away what the grant does not allow.
  policy.grants.forEach((g, i) => {
    if (servedFrom) args.push(g.access === 'read' ? '--ro-bind' : '--bind', servedFrom[i]!, g.sandboxPath);
    else args.push(g.access === 'read' ? '--ro-bind-fd' : '--bind-fd', String(FIRST_GRANT_FD + i), g.sandboxPath);
  });
  // Grants bound later below /files are mounted by the server below `late-grants` (a shared
  // mount); bubblewrap makes this bind of it a slave, so they appear below /files while the sandbox
  // runs. One at /files itself: the grant filesystem mounted there now, told its folder later.
  if (lateRoot) args.push(policy.lateGrants!.access === 'read' ? '--ro-bind' : '--bind', lateRoot, FILES_MOUNT);
  else if (policy.lateGrants) args.push('--ro-bind', path.join(dir, LATE_GRANTS_FOLDER), FILES_MOUNT);
  // As root, bubblewrap makes the folders above a mount point 0700: the app's user could not reach
  // what is mounted there. An unprivileged bubblewrap makes them 0755 already.
  if (host.user) args.splice(0, args.length, ...withListableParents(args));
  args.push('--chdir', APP_MOUNT, '--', HELPER_MOUNT);
  for (const f of syscallLists) args.push('--syscalls', `${SYSCALLS_MOUNT}/${f}`);
  if (host.allowDegraded) args.push('--allow-degraded');
  if (host.user) args.push('--uid', String(host.user.uid), '--gid', String(host.user.gid));
  if (policy.loopbackTcp) args.push('--loopback-tcp');
  args.push('--rox', '/usr', '--rox', APP_MOUNT, '--rox', INIT_MOUNT, '--ro', '/proc', '--ro', XAUTH_MOUNT);
  for (const f of etc) args.push('--ro', f);
  if (policy.nodeRuntime !== null) args.push('--rox', NODE_RUNTIME_MOUNT);
  for (const [inside] of etcFiles) args.push('--ro', inside);
  if (policy.controlSocket) args.push('--ro', CONTROL_MOUNT);
  if (policy.audio) args.push('--rox', SOUND_SERVER_SCRIPT, '--rw', AUDIO_MOUNT);
  for (const p of ['/home/user', '/var', '/dev', '/run/vitrine/fb', '/run/vitrine/log']) args.push('--rw', p);
  // The sandbox's own /tmp (a private tmpfs): deleting and renaming there harms nobody, and
  // LibreOffice (the File Explorer's office worker) cannot keep a profile without renaming files.
  args.push('--rwd', '/tmp');
  for (const g of policy.grants) args.push(LANDLOCK_FLAG[g.access], g.sandboxPath);
  // The folders holding the grants (e.g. /files) must be listable, or an app cannot find what
  // it was given; they contain nothing but the grants' mount points.
  const granted = new Set(policy.grants.map((g) => g.sandboxPath));
  const parents = new Set(policy.grants.map((g) => path.posix.dirname(g.sandboxPath)));
  for (const p of parents) if (p !== '/' && !granted.has(p)) args.push('--ro', p);
  // Landlock checks a path by walking up from it across mount points, so this rule also covers
  // what is mounted at or below /files after it was applied: the one access its grants will have.
  // (/files itself stays a read-only mount: nothing can be made in it but by a grant on top.)
  if (policy.lateGrants) args.push(LANDLOCK_FLAG[policy.lateGrants.access], FILES_MOUNT);
  args.push(
    '--',
    INIT_MOUNT,
    String(policy.display.width),
    String(policy.display.height),
    path.posix.join(APP_MOUNT, policy.binary),
    ...policy.args,
  );
  return args;
}

/** The init helper's Landlock rule for a path the app may use with this access. */
const LANDLOCK_FLAG: Record<Access, string> = { read: '--ro', 'read-write': '--rw', 'read-write-delete': '--rwd' };

/** bubblewrap options that take arguments, and which of those is the path made in the sandbox. */
const DESTINATION_AT: Record<string, number> = {
  '--bind': 2, '--ro-bind': 2, '--dev-bind': 2, '--bind-fd': 2, '--ro-bind-fd': 2, '--symlink': 2,
  '--tmpfs': 1, '--proc': 1, '--dev': 1, '--dir': 1, '--mqueue': 1,
}; // prettier-ignore
const OTHER_ARITY: Record<string, number> = {
  '--setenv': 2, '--hostname': 1, '--cap-add': 1, '--cap-drop': 1, '--chdir': 1,
}; // prettier-ignore
/** Options that modify the next operation: they stay right before it. */
const MODIFIERS = new Set(['--perms', '--size']);

/**
 * `args` with a `--perms 0755 --dir` before each mount for every folder above it that nothing made
 * yet, in order (a folder made before a tmpfs is mounted over its parent would be hidden by it).
 */
export function withListableParents(args: readonly string[]): string[] {
  const out: string[] = [];
  const made = new Set<string>(['/']);
  let modifiers: string[] = [];
  for (let i = 0; i < args.length;) {
    const option = args[i]!;
    if (MODIFIERS.has(option)) {
      modifiers.push(option, args[i + 1]!);
      i += 2;
      continue;
    }
    const at = DESTINATION_AT[option];
    const arity = at ?? OTHER_ARITY[option] ?? 0;
    if (at !== undefined) {
      const destination = args[i + at]!;
      const parents: string[] = [];
      for (let p = path.posix.dirname(destination); !made.has(p); p = path.posix.dirname(p)) parents.unshift(p);
      for (const p of parents) out.push('--perms', '0755', '--dir', p);
      for (const p of [...parents, destination]) made.add(p);
      // A new mount hides whatever was made below it before.
      if (option === '--tmpfs') for (const p of made) if (p.startsWith(destination + '/')) made.delete(p);
    }
    out.push(...modifiers, ...args.slice(i, i + 1 + arity));
    modifiers = [];
    i += 1 + arity;
  }
  return out;
}

/**
 * Namespaces and capabilities. An unprivileged server gets a user namespace from bubblewrap, whose
 * only user is the server's own, and no capability. A root server must not hand the app host
 * root (bubblewrap would map root to root): it makes every other namespace, keeps only what the
 * init helper needs to become `user` (which then drops it and the bounding set), and the helper
 * does so before Landlock, seccomp and the first instruction of the app.
 */
function namespacesAndCapabilities(user: SandboxUser | null): string[] {
  if (!user) return ['--unshare-all', '--cap-drop', 'ALL'];
  return [
    ...['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup'],
    ...['--cap-drop', 'ALL'],
    ...['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP'].flatMap((c) => ['--cap-add', c]),
  ];
}

/** Creates the session folder and the display's Xauthority file; returns the cookie. */
export function prepareSessionDir(
  sessionDir: string,
  audio = false,
  user: SandboxUser | null = null,
  ownTmpfsBytes?: number,
): Buffer {
  fs.mkdirSync(sessionDir, { recursive: false, mode: 0o700 });
  if (ownTmpfsBytes !== undefined) mountSessionFolder(sessionDir, ownTmpfsBytes);
  // The app's user writes the display's socket and screen file, and the sound server's pipe and
  // socket; it reads the cookie. The session folder itself stays the server's (0700).
  const theirs = ['x11', 'fb', ...(audio ? ['audio'] : [])];
  for (const sub of [...theirs, 'log', 'control']) fs.mkdirSync(path.join(sessionDir, sub), { mode: 0o700 });
  const cookie = randomBytes(16);
  fs.writeFileSync(path.join(sessionDir, 'xauth'), xauthorityEntry(cookie), { mode: 0o600 });
  if (user) {
    for (const p of [...theirs, 'xauth']) fs.chownSync(path.join(sessionDir, p), user.uid, user.gid);
    // The server's control socket is in here: the app may reach it (the socket is writable by
    // all) but not create anything (read-only bind, Landlock).
    fs.chmodSync(path.join(sessionDir, 'control'), 0o711);
  }
  return cookie;
}

/** One Xauthority record (FamilyWild, display 0) holding a MIT-MAGIC-COOKIE-1. */
export function xauthorityEntry(cookie: Buffer): Buffer {
  const field = (b: Buffer) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    return Buffer.concat([len, b]);
  };
  const family = Buffer.from([0xff, 0xff]);
  return Buffer.concat([
    family,
    field(Buffer.alloc(0)),
    field(Buffer.from('0')),
    field(Buffer.from('MIT-MAGIC-COOKIE-1')),
    field(cookie),
  ]);
}

/** Descriptors of the grants are handed to bubblewrap from here on (after stdin, stdout, stderr). */
const FIRST_GRANT_FD = 3;
