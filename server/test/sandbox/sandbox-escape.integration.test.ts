import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostNodeRuntime } from '../../src/sandbox/sandbox.ts';
import { SYSCALL_PROFILES, type SyscallProfile } from '../../src/sandbox/syscall-profiles.ts';
import { AttackHarness, results, TRY } from './attack-harness.ts';

const h = new AttackHarness();
let roDir: string;
let rwDir: string;
let rwdDir: string;
beforeAll(async () => {
  await h.init();
  roDir = h.dir('grant-ro', { 'file.txt': 'original' });
  rwDir = h.dir('grant-rw', { 'keep.txt': 'keep' });
  rwdDir = h.dir('grant-rwd', { 'gone.txt': 'gone' });
});
afterAll(() => h.cleanup());

const grants = () => [
  { hostPath: roDir, sandboxPath: '/data/ro', access: 'read' as const },
  { hostPath: rwDir, sandboxPath: '/data/rw', access: 'read-write' as const },
  { hostPath: rwdDir, sandboxPath: '/data/rwd', access: 'read-write-delete' as const },
];

describe('filesystem', () => {
  it('host paths that were not granted do not exist (ENOENT, not EACCES)', async () => {
    const otherSession = path.join(h.sessionsDir, 'other');
    fs.mkdirSync(otherSession, { recursive: true });
    const { output } = await h.run(
      `${TRY}; try shadow cat /etc/shadow; try root ls /root; try data ls ${path.resolve('var')}; try other ls ${otherSession};
       try runtime ls ${h.root}; try slash ls /`,
      { grants: grants() },
    );
    const r = results(output);
    for (const k of ['shadow', 'root', 'data', 'other', 'runtime'])
      expect(r[k], k).toMatch(/failed .*No such file or directory/);
    // Even the sandbox's own root folder cannot be listed: Landlock grants no right on "/".
    expect(r.slash).toMatch(/failed .*Permission denied/);
  });

  it('a read-only grant cannot be written, renamed or deleted, not even after a remount attempt', async () => {
    const { output } = await h.run(
      `${TRY}; try read cat /data/ro/file.txt; try create sh -c 'echo x > /data/ro/new'; try append sh -c 'echo x >> /data/ro/file.txt';
       try rename mv /data/ro/file.txt /data/ro/moved; try delete rm /data/ro/file.txt; try mkdir mkdir /data/ro/d;
       echo "remount: $(/app/probe remount-rw /data/ro)"; try write-after sh -c 'echo x > /data/ro/file.txt'`,
      { grants: grants() },
    );
    const r = results(output);
    expect(r.read).toBe('ok');
    for (const k of ['create', 'append', 'rename', 'delete', 'mkdir', 'write-after'])
      expect(r[k], k).toMatch(/^failed/);
    expect(r.remount).toMatch(/errno=EPERM/);
    expect(fs.readdirSync(roDir)).toEqual(['file.txt']);
    expect(fs.readFileSync(path.join(roDir, 'file.txt'), 'utf8')).toBe('original');
  });

  it('read+write allows creating and writing but not deleting; the delete right allows deleting', async () => {
    const { output } = await h.run(
      `${TRY}; try create sh -c 'echo new > /data/rw/new.txt'; try write sh -c 'echo more >> /data/rw/keep.txt';
       try delete rm /data/rw/keep.txt; try rename mv /data/rw/keep.txt /data/rw/renamed.txt;
       try delete-rwd rm /data/rwd/gone.txt`,
      { grants: grants() },
    );
    const r = results(output);
    expect(r.create).toBe('ok');
    expect(r.write).toBe('ok');
    expect(r.delete).toMatch(/failed .*Permission denied/);
    expect(r.rename).toMatch(/failed/);
    expect(r['delete-rwd']).toBe('ok');
    expect(fs.readdirSync(rwDir).sort()).toEqual(['keep.txt', 'new.txt']);
    expect(fs.existsSync(path.join(rwdDir, 'gone.txt'))).toBe(false);
  });
});

describe('identity (issue 16: the sandbox ran as host root)', () => {
  it('the app runs as the unprivileged sandbox user, with no capability and no way back', async () => {
    const user = h.host.user!;
    expect(process.getuid?.()).toBe(0); // the suite runs as root, as the server does by default
    expect(user.uid).not.toBe(0);
    const { output } = await h.run(
      `echo "uid: $(id -u)"; echo "gid: $(id -g)"; echo "groups: $(id -G)";
       for f in CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs; do echo "$f: $(grep "^$f:" /proc/self/status | cut -f2)"; done;
       echo "uidmap: $(tr -s ' ' < /proc/self/uid_map)"`,
    );
    const r = results(output);
    expect(r.uid).toBe(String(user.uid));
    expect(r.gid).toBe(String(user.gid));
    expect(r.groups).toBe(String(user.gid));
    for (const f of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(r[f], f).toBe('0000000000000000');
    expect(r.NoNewPrivs).toBe('1');
    // No user namespace that maps root to root: the app is the host's unprivileged user itself.
    expect(r.uidmap).toBe(' 0 0 4294967295');
  });

  it('what it writes is the sandbox user’s, a setuid file it leaves is nobody’s privilege, grants are nosuid,nodev', async () => {
    const user = h.host.user!;
    const { output } = await h.run(
      `${TRY}; try copy cp /usr/bin/id /data/rw/suid; try setuid chmod 4755 /data/rw/suid; try mkdir mkdir /data/rw/made;
       try chown chown 0:0 /data/rw/suid; try mknod mknod /data/rw/null c 1 3;
       echo "rw-options: $(grep ' /data/rw ' /proc/self/mountinfo | cut -d' ' -f6)";
       echo "ro-options: $(grep ' /data/ro ' /proc/self/mountinfo | cut -d' ' -f6)"`,
      { grants: grants() },
    );
    const r = results(output);
    expect(r.copy).toBe('ok');
    expect(r.chown).toMatch(/failed .*(not permitted|Function not implemented)/);
    expect(r.mknod).toMatch(/^failed/);
    for (const name of ['suid', 'made']) {
      const st = fs.lstatSync(path.join(rwDir, name));
      expect([st.uid, st.gid], name).toEqual([user.uid, user.gid]);
    }
    // Whatever mode it set, the file is not root's: a setuid bit on it grants nothing but the
    // sandbox user, and the grant mounts do not honour it (nor device files) inside either.
    expect(fs.lstatSync(path.join(rwDir, 'suid')).uid).not.toBe(0);
    for (const k of ['rw-options', 'ro-options']) {
      expect(r[k], k).toMatch(/(^|,)nosuid(,|$)/);
      expect(r[k], k).toMatch(/(^|,)nodev(,|$)/);
    }
    fs.rmSync(path.join(rwDir, 'suid'));
    fs.rmSync(path.join(rwDir, 'made'), { recursive: true });
  });

  it('a shared folder the server did not make is given to the sandbox user when first shared', async () => {
    const user = h.host.user!;
    const legacy = h.dir('grant-legacy', { 'report.txt': 'old' });
    fs.chmodSync(path.join(legacy, 'report.txt'), 0o600);
    fs.mkdirSync(path.join(legacy, 'sub'), { mode: 0o700 });
    fs.symlinkSync('/etc/shadow', path.join(legacy, 'sub', 'link'));
    const { output } = await h.run(
      `${TRY}; try read cat /data/legacy/report.txt; try write sh -c 'echo x > /data/legacy/sub/new'`,
      {
        grants: [{ hostPath: legacy, sandboxPath: '/data/legacy', access: 'read-write' }],
      },
    );
    const r = results(output);
    expect(r.read).toBe('ok');
    expect(r.write).toBe('ok');
    for (const p of ['', 'report.txt', 'sub', 'sub/new', 'sub/link']) {
      const st = fs.lstatSync(path.join(legacy, p));
      expect([st.uid, st.gid], p || '.').toEqual([user.uid, user.gid]);
    }
    // The link itself changed owner; what it points at did not.
    expect(fs.statSync('/etc/shadow').uid).toBe(0);
  });
});

describe('shared folders through the grant filesystem (issue 16: host paths, write limits)', () => {
  it('mountinfo shows no host path of a shared folder, only the grant filesystem at /', async () => {
    const { output } = await h.run(
      `grep ' /data/' /proc/self/mountinfo; echo "all: $(cat /proc/self/mountinfo | tr '\\n' '|')"`,
      {
        grants: grants(),
      },
    );
    const lines = output.split('\n').filter((l) => / \/data\/r/.test(l) && !l.startsWith('all:'));
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      const fields = l.split(' ');
      expect(fields[3], l).toBe('/'); // the mount's root inside its filesystem
      expect(l, l).toMatch(/ - fuse\.vitrine-grant vitrine-grant /);
    }
    const all = results(output).all!;
    // Not even relative to the filesystem they are on (a bind mount's root is shown that way):
    // neither the shared folders' names nor the session folder's place under the runtime folder.
    for (const hostPath of [roDir, rwDir, rwdDir]) expect(all).not.toContain(path.basename(hostPath));
    expect(all).not.toContain(path.basename(h.sessionsDir) + '/');
    expect(all).toMatch(/ \/x11 \/tmp\/\.X11-unix .* - tmpfs vitrine-session /);
  });

  it('a writable grant stops at its budget: a 2 GiB dd ends with ENOSPC, deleting gives room back', async () => {
    const MiB = 2 ** 20;
    const { output } = await h.run(
      `${TRY}; try dd dd if=/dev/zero of=/data/rwd/big bs=1M count=2048; echo "size: $(stat -c %s /data/rwd/big)";
       try full dd if=/dev/zero of=/data/rwd/small bs=1 count=1; try rm rm /data/rwd/big /data/rwd/small;
       try after dd if=/dev/zero of=/data/rwd/again bs=1M count=8;
       try many sh -c 'for i in $(seq 1 20); do : > /data/rwd/n$i || exit 1; done'`,
      { grants: grants().slice(2), writeBudget: { bytes: 16 * MiB, entries: 12 }, timeoutMs: 60_000 },
    );
    const r = results(output);
    expect(r.dd).toMatch(/failed .*No space left on device/);
    expect(Number(r.size)).toBeLessThanOrEqual(16 * MiB);
    // Not one more byte once it is spent (dd reports the kernel's errno; the shell's own echo would
    // only say "I/O error").
    expect(r.full).toMatch(/failed .*No space left on device/);
    expect(r.rm).toBe('ok');
    expect(r.after).toBe('ok');
    expect(r.many).toMatch(/failed .*No space left on device/);
    expect(fs.statSync(path.join(rwdDir, 'again')).size).toBe(8 * MiB);
    const made = fs.readdirSync(rwdDir).filter((n) => /^n\d+$/.test(n));
    expect(made.length).toBeLessThan(12);
    for (const n of [...made, 'again']) fs.rmSync(path.join(rwdDir, n));
  });
});

describe('runtime and control channel', () => {
  it('the Node runtime is read-only at /opt/vitrine/node, first on PATH; the control folder is read-only', async () => {
    const runtime = hostNodeRuntime();
    // A plain file of the installation (the binary itself would only say "text file busy").
    const plain = ['LICENSE', 'README.md', 'include/node/node.h']
      .map((f) => path.join(runtime, f))
      .find((f) => fs.existsSync(f))!;
    const plainBefore = fs.readFileSync(plain);
    fs.writeFileSync(
      path.join(h.appDir, 'ctl.cjs'),
      `const s = require('node:net').connect(process.env.VITRINE_CONTROL_SOCKET);
       s.on('connect', () => s.write('ping\\n'));
       s.on('data', (d) => { process.stdout.write(String(d)); s.end(); });
       s.on('error', (e) => console.log(e.code));`,
    );
    let control: net.Server | undefined;
    const received: string[] = [];
    const { output } = await h.run(
      `${TRY}; echo "which: $(command -v node)"; echo "version: $(node -e 'process.stdout.write(process.version)')";
       try create sh -c 'echo x > /opt/vitrine/node/bin/evil'; try append sh -c 'echo x >> /opt/vitrine/node/${path.relative(runtime, plain)}';
       try host ls ${runtime}; try hostparent ls ${path.dirname(runtime)};
       echo "socket: $VITRINE_CONTROL_SOCKET"; echo "grants: $VITRINE_GRANTS";
       echo "reply: $(node /app/ctl.cjs)"; try plant sh -c 'echo x > /run/vitrine/control/control2.sock'`,
      {
        nodeRuntime: runtime,
        controlSocket: true,
        grants: grants().slice(0, 1),
        onStarted: (policy) => {
          control = net.createServer((c) =>
            c.on('data', (d) => {
              received.push(String(d));
              c.end('pong\n');
            }),
          );
          // As the server's paced listener does: the app's user is not the server's.
          const socket = path.join(policy.sessionDir, 'control', 'control.sock');
          control.listen({ path: socket, readableAll: true, writableAll: true });
        },
      },
    );
    control?.close();
    const r = results(output);
    expect(r.which).toBe('/opt/vitrine/node/bin/node');
    expect(r.version).toBe(process.version);
    expect(r.create).toMatch(/failed .*(Read-only|Permission denied)/);
    expect(r.append).toMatch(/failed .*(Read-only|Permission denied)/);
    expect(fs.readFileSync(plain).equals(plainBefore)).toBe(true);
    if (!runtime.startsWith('/usr/')) {
      expect(r.host).toMatch(/failed .*No such file or directory/);
      expect(r.hostparent).toMatch(/failed .*No such file or directory/);
    }
    expect(r.socket).toBe('/run/vitrine/control/control.sock');
    expect(JSON.parse(r.grants!)).toEqual([{ path: '/data/ro', access: 'read' }]);
    expect(r.reply).toBe('pong');
    expect(received).toEqual(['ping\n']);
    expect(r.plant).toMatch(/failed .*(Read-only|Permission denied)/);
  });

  it('without them, there is no /opt/vitrine and no control socket', async () => {
    const { output } = await h.run(
      `${TRY}; try opt ls /opt/vitrine; echo "socket: [\${VITRINE_CONTROL_SOCKET-unset}]"`,
    );
    const r = results(output);
    expect(r.opt).toMatch(/failed .*No such file or directory/);
    expect(r.socket).toBe('[unset]');
  });
});

describe('network', () => {
  let listener: net.Server;
  let port: number;
  let hostX: ChildProcess | undefined;
  beforeAll(async () => {
    listener = net.createServer((s) => s.end('hello'));
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    port = (listener.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    listener.close();
    // SIGTERM: Xvfb removes its socket and lock file in /tmp on the way out (SIGKILL would not).
    if (hostX && hostX.exitCode === null && hostX.signalCode === null) {
      const exited = new Promise((r) => hostX!.once('exit', r));
      hostX.kill('SIGTERM');
      await exited;
    }
  });

  it('cannot reach a listener on the host loopback, send UDP to it, or bind a TCP port', async () => {
    const udp = dgram.createSocket('udp4');
    let udpReceived = 0;
    udp.on('message', () => udpReceived++);
    await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r));
    const { output } = await h.run(
      `echo "tcp: $(/app/probe tcp-connect 127.0.0.1 ${port})"; echo "udp: $(/app/probe udp-send 127.0.0.1 ${port})";
       echo "bind: $(/app/probe tcp-bind 8081)"; echo "ifaces: $(ls /sys/class/net 2>/dev/null || cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"`,
    );
    const r = results(output);
    expect(r.tcp).toMatch(/errno=(ECONNREFUSED|EACCES)/);
    expect(r.bind).toMatch(/errno=EACCES/);
    expect(r.ifaces!.trim()).toBe('lo');
    // The datagram goes to the sandbox's own loopback; the host listener on the same port never sees it.
    expect(r.udp).toBeDefined();
    udp.close();
    expect(udpReceived).toBe(0);
  });

  it('with loopback TCP allowed, talks to itself but still cannot reach the host', async () => {
    const { output } = await h.run(
      `/app/probe tcp-serve 8081 5 > /tmp/serving & while ! grep -q ok /tmp/serving; do sleep 0.01; done;
       echo "self: $(/app/probe tcp-connect 127.0.0.1 8081)"; echo "host: $(/app/probe tcp-connect 127.0.0.1 ${port})"; kill %1`,
      { loopbackTcp: true },
    );
    const r = results(output);
    expect(r.self).toMatch(/ok/);
    expect(r.host).toMatch(/errno=ECONNREFUSED/);
  });

  it("cannot connect to the host's X display", async () => {
    const display = 90 + Math.floor(Math.random() * 9);
    hostX = spawn('Xvfb', [`:${display}`, '-nolisten', 'tcp', '-screen', '0', '64x64x24'], { stdio: 'ignore' });
    const { output } = await h.run(
      `echo "x: $(xdpyinfo -display :${display} >/dev/null 2>&1 && echo connected || echo refused)"; echo "own: $(xdpyinfo -display :0 >/dev/null 2>&1 && echo connected || echo refused)"`,
    );
    const r = results(output);
    expect(r.x).toBe('refused');
    expect(r.own).toBe('connected');
  });
});

describe('kernel interfaces', () => {
  const CALLS = [
    'ptrace',
    'unshare',
    'unshare-net',
    'clone-newns',
    'mount',
    'setns',
    'keyctl',
    'bpf',
    'perf_event_open',
    'init_module',
    'finit_module',
    'kexec_load',
    'reboot',
    'swapon',
    'userfaultfd',
    'io_uring_setup',
    'open_by_handle_at',
    'clock_settime',
    'personality',
    'chroot',
    'pivot_root',
  ];

  /** Each probe's answer ("ok", "errno=EPERM", …) in a sandbox of the given seccomp profile. */
  async function probe(calls: string[], syscalls: SyscallProfile = 'base'): Promise<Record<string, string>> {
    const { output } = await h.run(calls.map((c) => `/app/probe ${c}`).join('; '), { syscalls });
    return Object.fromEntries(
      output
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
  }

  it('dangerous syscalls fail with EPERM, whatever the profile', async () => {
    for (const profile of SYSCALL_PROFILES) {
      const got = await probe(CALLS, profile);
      for (const c of CALLS) expect(got[c], `${c} (${profile})`).toBe('errno=EPERM');
    }
  });

  it("a syscall outside the app's allow-list fails with ENOSYS; threads still start", async () => {
    // msgget is on no list; memfd_create only on the browser's (Chromium and Node use it).
    expect(await probe(['msgget', 'memfd', 'thread'])).toEqual({
      msgget: 'errno=ENOSYS',
      memfd: 'errno=ENOSYS',
      thread: 'ok',
    });
    expect(await probe(['msgget', 'memfd'], 'browser')).toEqual({ msgget: 'errno=ENOSYS', memfd: 'ok' });
  });

  it('cannot see or signal processes outside the sandbox', async () => {
    const { output } = await h.run(
      `echo "pids: $(ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' ')"; echo "kill-host: $(/app/probe kill ${process.pid})"; echo "kill-init: $(/app/probe kill 1)"`,
    );
    const r = results(output);
    // bubblewrap's init (1), Xvfb, the shell, ls and friends: all small numbers in their own namespace.
    expect(
      r
        .pids!.trim()
        .split(' ')
        .every((p) => Number(p) < 100),
    ).toBe(true);
    expect(r['kill-init']).toMatch(/errno=EPERM/);
    expect(r['kill-host']).toMatch(/errno=(ESRCH|EPERM)/);
  });

  it("cannot reach another session's X socket", async () => {
    const other = h.policy('sleep 30');
    const { startSandbox } = await import('../../src/sandbox/start-sandbox.ts');
    const a = await startSandbox(h.host, other, 10_000, 'other-x');
    await a.ready;
    const { output } = await h.run(
      `echo "sockets: $(ls /tmp/.X11-unix | tr '\\n' ' ')"; echo "other: $(ls ${a.xSocket} 2>&1 | head -n1)"`,
    );
    await a.destroyed();
    const r = results(output);
    expect(r.sockets!.trim()).toBe('X0');
    expect(r.other).toMatch(/No such file or directory/);
  });
});

describe('resource limits', () => {
  it('a fork bomb stops at the PIDs limit', async () => {
    const { output } = await h.run('/app/probe fork-bomb 500', { limits: { pids: 40 } });
    const m = /forked=(\d+)/.exec(output);
    expect(Number(m![1])).toBeLessThan(40);
    expect(output).toMatch(/errno=EAGAIN|errno=\d+/);
  });

  it('a memory hog is OOM-killed at the memory limit', async () => {
    const { output, oomKilled } = await h.run('/app/probe alloc 1024', { limits: { memoryBytes: 96 * 2 ** 20 } });
    const reached = [...output.matchAll(/alloc reached=(\d+)/g)].map((m) => Number(m[1]));
    expect(oomKilled).toBe(true);
    expect(Math.max(0, ...reached)).toBeLessThan(96);
  });

  it('a CPU spinner stays within its quota', async () => {
    const { output } = await h.run('/app/probe spin 2', { limits: { cpu: 0.25 } });
    const m = /cpu_ms=(\d+) wall_ms=(\d+)/.exec(output)!;
    expect(Number(m[1]) / Number(m[2])).toBeLessThan(0.35);
  });
});

it('shows an app file under /etc read-only (e.g. a browser policy), next to the host files it sits among', async () => {
  const policyFile = path.join(h.appDir, 'policy.json');
  fs.writeFileSync(policyFile, '{"DeveloperToolsAvailability": 2}');
  const { output } = await h.run(
    `${TRY}; echo "policy: $(cat /etc/chromium/policies/managed/app.json)";
     echo "host: $(ls /etc/chromium | tr '\\n' ' ')";
     try write sh -c 'echo x > /etc/chromium/policies/managed/app.json'; try plant sh -c 'echo x > /etc/chromium/evil'`,
    { etcFiles: { '/etc/chromium/policies/managed/app.json': policyFile } },
  );
  const r = results(output);
  expect(r.policy).toBe('{"DeveloperToolsAvailability": 2}');
  if (fs.existsSync('/etc/chromium/master_preferences')) expect(r.host).toContain('master_preferences');
  expect(r.write).toMatch(/failed .*(Read-only|Permission denied)/);
  expect(r.plant).toMatch(/failed .*(Read-only|Permission denied)/);
  expect(fs.readFileSync(policyFile, 'utf8')).toBe('{"DeveloperToolsAvailability": 2}');
});
