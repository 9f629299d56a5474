import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const INIT_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'session-init.sh');

/** A host path made visible inside the sandbox. */
export interface Grant {
  hostPath: string;
  sandboxPath: string;
  writable: boolean;
}

/** Everything the sandbox needs to know; resolved from an app manifest (and, later, a share). */
export interface SandboxPolicy {
  sessionDir: string;
  appDir: string;
  /** Path of the executable relative to appDir. */
  binary: string;
  args: string[];
  display: { width: number; height: number };
  grants: Grant[];
}

export interface SandboxHandle {
  process: ChildProcess;
  /** Host path of the X socket of the private display. */
  xSocket: string;
  /** Host path of Xvfb's screen file (XWD). */
  framebuffer: string;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

const APP_MOUNT = '/app';

/**
 * Builds the bubblewrap command for one session: every namespace unshared (user, mount,
 * PID, network with only loopback, IPC, UTS, cgroup), a filesystem assembled from nothing
 * (read-only system folders, private /tmp and home), all capabilities dropped, and the
 * sandbox killed with its parent.
 */
export function bwrapArgs(policy: SandboxPolicy): string[] {
  const dir = policy.sessionDir;
  const args = [
    '--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--hostname', 'vitrine',
    '--clearenv',
    '--setenv', 'PATH', '/usr/bin:/bin',
    '--setenv', 'HOME', '/home/user',
    '--setenv', 'LANG', 'C.UTF-8',
    '--setenv', 'DISPLAY', ':0',
    '--setenv', 'VITRINE_WIDTH', String(policy.display.width),
    '--setenv', 'VITRINE_HEIGHT', String(policy.display.height),
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/sbin', '/sbin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
    '--tmpfs', '/home/user',
    '--tmpfs', '/run',
    '--tmpfs', '/var',
  ];
  for (const f of ETC_FILES) if (fs.existsSync(f)) args.push('--ro-bind', f, f);
  args.push(
    '--bind', path.join(dir, 'x11'), '/tmp/.X11-unix',
    '--bind', path.join(dir, 'fb'), '/run/vitrine/fb',
    '--bind', path.join(dir, 'log'), '/run/vitrine/log',
    '--ro-bind', INIT_SCRIPT, '/run/vitrine/init',
    '--ro-bind', policy.appDir, APP_MOUNT,
    '--chdir', APP_MOUNT,
  );
  for (const g of policy.grants) args.push(g.writable ? '--bind' : '--ro-bind', g.hostPath, g.sandboxPath);
  args.push(
    '--', '/run/vitrine/init', String(policy.display.width), String(policy.display.height),
    path.posix.join(APP_MOUNT, policy.binary), ...policy.args,
  );
  return args;
}

// What X11 programs read from /etc: fonts, dynamic linker cache, user/locale basics.
const ETC_FILES = ['/etc/fonts', '/etc/ld.so.cache', '/etc/localtime', '/etc/passwd', '/etc/group', '/etc/X11'];

export function prepareSessionDir(sessionDir: string): void {
  fs.mkdirSync(sessionDir, { recursive: false, mode: 0o700 });
  for (const sub of ['x11', 'fb', 'log']) fs.mkdirSync(path.join(sessionDir, sub), { mode: 0o700 });
}

export function startSandbox(bwrapPath: string, policy: SandboxPolicy, startTimeoutMs: number): SandboxHandle {
  prepareSessionDir(policy.sessionDir);
  const child = spawn(bwrapPath, bwrapArgs(policy), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
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
      const xvfbLog = readTail(path.join(policy.sessionDir, 'log', 'xvfb.log'));
      reject(new Error(`sandbox exited before the display was ready (${code ?? signal}): ${(stderr + xvfbLog).trim().slice(-500)}`));
    });
  });
  ready.catch(() => {});
  return {
    process: child,
    xSocket: path.join(policy.sessionDir, 'x11', 'X0'),
    framebuffer: path.join(policy.sessionDir, 'fb', 'Xvfb_screen0'),
    ready,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export function readTail(file: string, bytes = 2000): string {
  try {
    const data = fs.readFileSync(file, 'utf8');
    return data.slice(-bytes);
  } catch {
    return '';
  }
}
