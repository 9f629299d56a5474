import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bwrapArgs, hostNodeRuntime, prepareSessionDir, withListableParents, type SandboxPolicy } from './sandbox.ts';

const HOST = { initHelper: '/opt/helper/vitrine-sandbox-init', allowDegraded: false, user: null, grantFs: null };

function policy(extra: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return {
    sessionDir: '/run/vitrine-test/sessions/s1',
    appDir: '/srv/apps/demo',
    binary: 'run.sh',
    args: ['--flag'],
    display: { width: 1280, height: 720 },
    grants: [
      { hostPath: '/srv/storage/alice/Reports', sandboxPath: '/files/Reports', access: 'read' },
      { hostPath: '/srv/storage/alice/Inbox', sandboxPath: '/files/Inbox', access: 'read-write-delete' },
    ],
    limits: { memoryBytes: 512 * 2 ** 20, pids: 256, cpu: 1 },
    loopbackTcp: false,
    nodeRuntime: null,
    controlSocket: false,
    etcFiles: {},
    ...extra,
  };
}

/** bubblewrap's options (before the first "--") and the init helper's (up to the second). */
function split(args: string[]) {
  const first = args.indexOf('--');
  const second = args.indexOf('--', first + 1);
  return { bwrap: args.slice(0, first), helper: args.slice(first + 2, second), command: args.slice(second + 1) };
}

/** Every `--setenv NAME VALUE` of the bubblewrap options. */
function env(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) if (args[i] === '--setenv') out[args[i + 1]!] = args[i + 2]!;
  return out;
}

/** Whether `flag a b` appears as consecutive arguments. */
function has(args: string[], ...seq: string[]): boolean {
  return args.some((_, i) => seq.every((s, j) => args[i + j] === s));
}

describe('bwrapArgs', () => {
  it('a root server: no user namespace, only what the helper needs to become the sandbox user', () => {
    const { bwrap, helper } = split(bwrapArgs(policy(), { ...HOST, user: { uid: 999, gid: 995 } }));
    expect(bwrap).not.toContain('--unshare-all');
    expect(bwrap).not.toContain('--unshare-user');
    for (const ns of ['ipc', 'pid', 'net', 'uts', 'cgroup']) expect(bwrap).toContain(`--unshare-${ns}`);
    const added = bwrap.flatMap((a, i) => (a === '--cap-add' ? [bwrap[i + 1]] : []));
    expect(added.sort()).toEqual(['CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID']);
    expect(has(helper, '--uid', '999', '--gid', '995')).toBe(true);
    // Every folder above a mount point is made listable before it (root's bubblewrap makes them 0700).
    expect(has(bwrap, '--perms', '0755', '--dir', '/files', '--ro-bind-fd')).toBe(true);
    expect(has(bwrap, '--perms', '1777', '--tmpfs', '/tmp')).toBe(true);
    const unprivileged = split(bwrapArgs(policy(), HOST));
    expect(unprivileged.bwrap).toContain('--unshare-all');
    expect(unprivileged.bwrap).not.toContain('--cap-add');
    expect(unprivileged.helper).not.toContain('--uid');
  });

  it('withListableParents: each missing parent once, in order, never hidden by a later tmpfs', () => {
    // prettier-ignore
    const out = withListableParents([
      '--perms', '0777', '--tmpfs', '/run', '--bind', '/h/a', '/run/vitrine/fb', '--ro-bind', '/h/b', '/run/vitrine/init',
      '--setenv', 'A', '--dir', '--symlink', 'usr/bin', '/bin',
    ]);
    // prettier-ignore
    expect(out).toEqual([
      '--perms', '0777', '--tmpfs', '/run',
      '--perms', '0755', '--dir', '/run/vitrine', '--bind', '/h/a', '/run/vitrine/fb',
      '--ro-bind', '/h/b', '/run/vitrine/init',
      '--setenv', 'A', '--dir', '--symlink', 'usr/bin', '/bin',
    ]);
    expect(
      withListableParents(['--tmpfs', '/a', '--bind', '/x', '/a/b/c', '--tmpfs', '/a', '--bind', '/y', '/a/b/d']),
    ).toEqual(
      // prettier-ignore
      ['--tmpfs', '/a', '--perms', '0755', '--dir', '/a/b', '--bind', '/x', '/a/b/c', '--tmpfs', '/a',
       '--perms', '0755', '--dir', '/a/b', '--bind', '/y', '/a/b/d'],
    );
  });

  it('sets the display, a plain PATH and the grants as JSON; no control socket unless offered', () => {
    const { bwrap } = split(bwrapArgs(policy(), HOST));
    const e = env(bwrap);
    expect(e.PATH).toBe('/usr/bin:/bin');
    expect(e.VITRINE_WIDTH).toBe('1280');
    expect(e.VITRINE_HEIGHT).toBe('720');
    expect(JSON.parse(e.VITRINE_GRANTS!)).toEqual([
      { path: '/files/Reports', access: 'read' },
      { path: '/files/Inbox', access: 'read-write-delete' },
    ]);
    expect(e.VITRINE_CONTROL_SOCKET).toBeUndefined();
    expect(bwrap.join(' ')).not.toContain('/opt/vitrine');
    expect(bwrap.join(' ')).not.toContain('/run/vitrine/control');
  });

  it('names the path to open first in VITRINE_OPEN, only a plain one under /files', () => {
    expect(env(split(bwrapArgs(policy(), HOST)).bwrap).VITRINE_OPEN).toBeUndefined();
    const open = (p: string) => env(split(bwrapArgs(policy({ openPath: p }), HOST)).bwrap).VITRINE_OPEN;
    expect(open('/files/Reports/q3 (final).pdf')).toBe('/files/Reports/q3 (final).pdf');
    expect(open('/files')).toBe('/files');
    for (const bad of [
      '/etc/passwd',
      '/files/../etc',
      '/files/a/./b',
      '/files//a',
      'files/a',
      '/files/a\nb',
      '/filesx',
    ]) {
      expect(() => open(bad), bad).toThrow(/not a path under/);
    }
  });

  it('VITRINE_GRANTS is an empty list when nothing is granted', () => {
    const e = env(split(bwrapArgs(policy({ grants: [] }), HOST)).bwrap);
    expect(e.VITRINE_GRANTS).toBe('[]');
  });

  it('"runtime": "node" mounts the Node installation read-only, executable, first on PATH', () => {
    const args = bwrapArgs(policy({ nodeRuntime: '/usr/local/node-v24' }), HOST);
    const { bwrap, helper } = split(args);
    expect(env(bwrap).PATH).toBe('/opt/vitrine/node/bin:/usr/bin:/bin');
    expect(has(bwrap, '--ro-bind', '/usr/local/node-v24', '/opt/vitrine/node')).toBe(true);
    // Never writable: no plain --bind of it, and Landlock gives read + execute only.
    expect(args.filter((a) => a === '/opt/vitrine/node')).toHaveLength(2);
    expect(has(helper, '--rox', '/opt/vitrine/node')).toBe(true);
  });

  it('refuses a relative runtime path', () => {
    expect(() => bwrapArgs(policy({ nodeRuntime: 'node' }), HOST)).toThrow(/absolute/);
  });

  it('a control socket: the session folder "control" at /run/vitrine/control, read-only, and its path in the env', () => {
    const args = bwrapArgs(policy({ controlSocket: true }), HOST);
    const { bwrap, helper } = split(args);
    expect(env(bwrap).VITRINE_CONTROL_SOCKET).toBe('/run/vitrine/control/control.sock');
    expect(has(bwrap, '--ro-bind', '/run/vitrine-test/sessions/s1/control', '/run/vitrine/control')).toBe(true);
    expect(has(helper, '--ro', '/run/vitrine/control')).toBe(true);
    expect(args.filter((a) => a === '/run/vitrine/control')).toHaveLength(2);
  });

  it('ends with the init script and the app command', () => {
    const { command } = split(bwrapArgs(policy({ nodeRuntime: '/opt/node', controlSocket: true }), HOST));
    expect(command).toEqual(['/run/vitrine/init', '1280', '720', '/app/run.sh', '--flag']);
  });
});

describe('grants bound later (lateGrants)', () => {
  const ROOT = { ...HOST, user: { uid: 999, gid: 995 } };
  const late = () => policy({ grants: [], lateGrants: { access: 'read', atFiles: false } });

  it("binds the session folder's late-grants read-only at /files, no grant of its own", () => {
    for (const host of [HOST, ROOT]) {
      const { bwrap, helper } = split(bwrapArgs(late(), host));
      expect(has(bwrap, '--ro-bind', '/run/vitrine-test/sessions/s1/late-grants', '/files')).toBe(true);
      expect(bwrap.filter((a) => a.startsWith('/files'))).toEqual(['/files']);
      expect(bwrap).not.toContain('--ro-bind-fd');
      expect(bwrap).not.toContain('--bind-fd');
      expect(env(bwrap).VITRINE_GRANTS).toBe('[]');
      // Landlock: read only, on /files itself (what is mounted below it later is covered by it).
      expect(has(helper, '--ro', '/files')).toBe(true);
      expect(helper.filter((a) => a.startsWith('/files'))).toEqual(['/files']);
    }
  });

  it("Landlock's rule for /files is the access its grants will have; /files stays a read-only mount", () => {
    const { bwrap, helper } = split(
      bwrapArgs(policy({ grants: [], lateGrants: { access: 'read-write-delete', atFiles: false } }), ROOT),
    );
    expect(has(bwrap, '--ro-bind', '/run/vitrine-test/sessions/s1/late-grants', '/files')).toBe(true);
    expect(has(helper, '--rwd', '/files')).toBe(true);
    expect(has(helper, '--ro', '/files')).toBe(false);
  });

  it('without it, neither the folder nor a /files rule', () => {
    const args = bwrapArgs(policy({ grants: [] }), ROOT);
    expect(args.join(' ')).not.toContain('late-grants');
    expect(args).not.toContain('/files');
  });

  it('refuses grants given at start as well', () => {
    expect(() => bwrapArgs(policy({ lateGrants: { access: 'read', atFiles: false } }), ROOT)).toThrow(
      /starts with none/,
    );
  });

  it('one folder at /files itself: the grant filesystem served from the start, bound there with its access', () => {
    const atFiles = policy({ grants: [], lateGrants: { access: 'read-write-delete', atFiles: true } });
    const served = ['/run/vitrine-test/sessions/s1/grants/0'];
    const { bwrap, helper } = split(bwrapArgs(atFiles, ROOT, served));
    expect(has(bwrap, '--bind', served[0]!, '/files')).toBe(true);
    expect(bwrap.join(' ')).not.toContain('late-grants');
    expect(env(bwrap).VITRINE_GRANTS).toBe('[]');
    expect(has(helper, '--rwd', '/files')).toBe(true);
    const readOnly = split(bwrapArgs({ ...atFiles, lateGrants: { access: 'read', atFiles: true } }, ROOT, served));
    expect(has(readOnly.bwrap, '--ro-bind', served[0]!, '/files')).toBe(true);
    expect(has(readOnly.helper, '--ro', '/files')).toBe(true);
    // Only through the grant filesystem: nothing else can be told its folder later.
    expect(() => bwrapArgs(atFiles, ROOT)).toThrow(/grant filesystem/);
  });
});

describe('hostNodeRuntime', () => {
  it('is the installation folder of the running Node (bin/node inside)', () => {
    const dir = hostNodeRuntime();
    expect(path.isAbsolute(dir)).toBe(true);
    expect(fs.realpathSync(path.join(dir, 'bin', 'node'))).toBe(fs.realpathSync(process.execPath));
  });
});

describe('prepareSessionDir', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates the control folder, private to the server', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-session-'));
    const dir = path.join(root, 's');
    prepareSessionDir(dir);
    const st = fs.statSync(path.join(dir, 'control'));
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o700);
  });
});

describe('app files under /etc', () => {
  it('binds each read-only and lets Landlock read just that file', () => {
    const args = bwrapArgs(
      policy({ etcFiles: { '/etc/chromium/policies/managed/app.json': '/srv/apps/demo/policy.json' } }),
      HOST,
    );
    const bind = args.indexOf('/etc/chromium/policies/managed/app.json');
    expect(args.slice(bind - 2, bind + 1)).toEqual([
      '--ro-bind',
      '/srv/apps/demo/policy.json',
      '/etc/chromium/policies/managed/app.json',
    ]);
    const landlock = args.lastIndexOf('/etc/chromium/policies/managed/app.json');
    expect(args[landlock - 1]).toBe('--ro');
  });

  it('refuses anything outside /etc', () => {
    expect(() => bwrapArgs(policy({ etcFiles: { '/usr/bin/evil': '/srv/x' } }), HOST)).toThrow(/not under \/etc/);
    expect(() => bwrapArgs(policy({ etcFiles: { '/etc/../root/x': '/srv/x' } }), HOST)).toThrow(/not under \/etc/);
  });
});
