// vitrine-sandbox-init in real bubblewrap sandboxes: Landlock must confine the filesystem, TCP,
// abstract sockets and signals, the seccomp filter must refuse the escape syscalls (proved
// against a control run without it), and Xvfb with an X client must still work.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NATIVE = path.resolve(import.meta.dirname, '..');
const BUILD = path.join(NATIVE, 'build');
const INIT = '/opt/native/vitrine-sandbox-init';
const PROBE = '/opt/native/syscall-probe';
/** The server's seccomp allow-lists, bound read-only at /opt/syscalls. */
const LISTS = path.resolve(NATIVE, '../server/src/sandbox/syscalls');

let tmp = '';
const dirs = { ro: '', rw: '', secret: '' };

beforeAll(() => {
  execFileSync('make', ['-s', '-C', NATIVE], { stdio: 'inherit' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-native-'));
  for (const d of ['ro', 'rw', 'secret'] as const) fs.mkdirSync((dirs[d] = path.join(tmp, d)));
  fs.writeFileSync(path.join(dirs.ro, 'file'), 'read me\n');
  fs.mkdirSync(path.join(dirs.ro, 'sub'));
  fs.writeFileSync(path.join(dirs.secret, 'key'), 'secret\n');
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** The sandbox the server builds, reduced: /data/ro is bound WRITABLE on purpose. */
function bwrap(opts: { shareNet?: boolean; extra?: string[] } = {}): string[] {
  // prettier-ignore
  return [
    '--unshare-all', ...(opts.shareNet ? ['--share-net'] : []),
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
    '--ro-bind', BUILD, '/opt/native', '--ro-bind', LISTS, '/opt/syscalls',
    '--bind', dirs.ro, '/data/ro', '--bind', dirs.rw, '/data/rw', '--bind', dirs.secret, '/data/secret',
    ...(opts.extra ?? []),
    '--',
  ];
}

// prettier-ignore
const LANDLOCK = [
  '--rox', '/usr', '--rox', '/opt/native', '--ro', '/data/ro', '--rw', '/data/rw',
  '--rw', '/tmp', '--rw', '/dev/null', '--ro', '/proc',
];
const BASE = ['--syscalls', '/opt/syscalls/base.txt'];
const BROWSER = ['--syscalls', '/opt/syscalls/browser.txt'];
/** The widest allow-list an app can have (the shell tools the tests use need more than base). */
const POLICY = [...BASE, ...BROWSER, ...LANDLOCK];
/** The lists read but not enforced: seccomp is then only the deny-list. */
const PERMISSIVE = ['--syscalls-permissive'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bwrap; `fd3` (e.g. for --seccomp 3) is passed to it as descriptor 3. */
function run(args: string[], fd3?: number, timeoutMs = 20_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bwrap', args, { stdio: ['ignore', 'pipe', 'pipe', fd3 ?? 'ignore'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `sh -c script` in the sandbox, through the init with `policy` unless policy is null. */
function sh(
  script: string,
  policy: string[] | null = POLICY,
  opts: { shareNet?: boolean; extra?: string[] } = {},
): Promise<Result> {
  const init = policy ? [INIT, ...policy, '--'] : [];
  return run([...bwrap(opts), ...init, '/bin/sh', '-c', script]);
}

/** Runs probes (each "NAME ARGS...") in one sandbox; returns NAME → result ("ok", "errno=EPERM"). */
async function probes(
  list: string[],
  policy: string[] | null = POLICY,
  opts: { shareNet?: boolean } = {},
): Promise<Record<string, string>> {
  const script = list.map((p) => `${PROBE} ${p}`).join('; ');
  const { stdout, stderr } = await sh(script, policy, opts);
  const out: Record<string, string> = {};
  const lines = stdout.trim().split('\n');
  expect(lines, stderr).toHaveLength(list.length);
  lines.forEach((line, i) => (out[list[i]!] = line.slice(line.indexOf(' ') + 1)));
  return out;
}

describe('filesystem (Landlock)', () => {
  it('--ro: reading works; writing, creating, deleting and renaming are EACCES although the mount is writable', async () => {
    expect(
      await probes(
        [
          'read /data/ro/file',
          'readdir /data/ro',
          'write /data/ro/file',
          'create /data/ro/new',
          'truncate /data/ro/file',
          'mkdir /data/ro/dir',
          'unlink /data/ro/file',
          'rmdir /data/ro/sub',
          'rename /data/ro/file /data/ro/moved',
        ],
        [...PERMISSIVE, ...POLICY],
      ), // truncate(2) is on no allow-list: here Landlock must refuse it
    ).toEqual({
      'read /data/ro/file': 'ok',
      'readdir /data/ro': 'ok',
      'write /data/ro/file': 'errno=EACCES',
      'create /data/ro/new': 'errno=EACCES',
      'truncate /data/ro/file': 'errno=EACCES',
      'mkdir /data/ro/dir': 'errno=EACCES',
      'unlink /data/ro/file': 'errno=EACCES',
      'rmdir /data/ro/sub': 'errno=EACCES',
      'rename /data/ro/file /data/ro/moved': 'errno=EACCES',
    });
    expect(fs.readFileSync(path.join(dirs.ro, 'file'), 'utf8')).toBe('read me\n');
  });

  it('a mounted but unlisted folder is EACCES', async () => {
    expect(await probes(['read /data/secret/key', 'readdir /data/secret', 'create /data/secret/x'])).toEqual({
      'read /data/secret/key': 'errno=EACCES',
      'readdir /data/secret': 'errno=EACCES',
      'create /data/secret/x': 'errno=EACCES',
    });
  });

  it('--rw: create, write and mkdir work; delete and rename are EACCES', async () => {
    const r = await sh(
      `echo data > /data/rw/a && cat /data/rw/a && mkdir /data/rw/d && rm /data/rw/a; ${PROBE} unlink /data/rw/a; ${PROBE} rename /data/rw/a /data/rw/b; ${PROBE} rmdir /data/rw/d`,
    );
    expect(r.stdout).toBe('data\nunlink errno=EACCES\nrename errno=EACCES\nrmdir errno=EACCES\n');
    expect(r.stderr).toMatch(/rm: cannot remove '\/data\/rw\/a': Permission denied/);
    expect(fs.readFileSync(path.join(dirs.rw, 'a'), 'utf8')).toBe('data\n');
  });

  it('--rwd: delete, rename and moves between folders work', async () => {
    const policy = POLICY.map((a, i) => (a === '--rw' && POLICY[i + 1] === '/data/rw' ? '--rwd' : a));
    const r = await sh(
      `mkdir -p /data/rw/x /data/rw/y && echo 1 > /data/rw/x/f && ${PROBE} rename /data/rw/x/f /data/rw/x/g && ` +
        `${PROBE} rename /data/rw/x/g /data/rw/y/g && ${PROBE} unlink /data/rw/y/g && ${PROBE} rmdir /data/rw/y && rm -r /data/rw/x && echo removed`,
      policy,
    );
    expect(r.stdout, r.stderr).toBe('rename ok\nrename ok\nunlink ok\nrmdir ok\nremoved\n');
  });
});

// Every escape syscall the filter refuses, with the arguments the probe takes.
// prettier-ignore
const DENIED = [
  'ptrace', 'unshare', 'unshare-net', 'clone-newns', 'mount', 'remount-rw /data/ro', 'umount /data/ro', 'setns',
  'keyctl', 'bpf', 'perf_event_open', 'init_module', 'finit_module', 'kexec_load', 'reboot', 'swapon', 'userfaultfd',
  'io_uring_setup', 'open_by_handle_at', 'clock_settime', 'personality', 'chroot', 'pivot_root',
];

describe('syscalls (seccomp)', () => {
  it('every escape syscall is EPERM, clone3 ENOSYS, x32 killed; the personality query still works', async () => {
    const got = await probes([...DENIED, 'clone3', 'x32', 'personality-query']);
    for (const name of DENIED) expect(got[name], name).toBe('errno=EPERM');
    expect(got['clone3']).toBe('errno=ENOSYS');
    expect(got['x32']).toBe('signal=SIGSYS');
    expect(got['personality-query']).toBe('ok');
  });

  it('without the init the same sandbox allows several of them, so the filter is what blocks them', async () => {
    const got = await probes([...DENIED, 'clone3'], null);
    const notEperm = Object.keys(got).filter((k) => got[k] !== 'errno=EPERM');
    // bwrap's own --cap-drop stops mount & co. already; these need no capability at all.
    expect(notEperm).toEqual(expect.arrayContaining(['unshare', 'keyctl', 'personality', 'ptrace', 'clone3']));
  });

  it('threads and processes still start (glibc falls back from clone3 to clone)', async () => {
    const r = await sh(`${PROBE} thread; ${PROBE} fork-bomb 3`);
    expect(r.stdout).toBe('thread ok\nfork-bomb forked=3 errno=none\n');
  });
});

describe('syscall allow-lists', () => {
  it('a syscall on no list fails with ENOSYS; the browser list adds its own; permissive runs allow both', async () => {
    const list = ['msgget', 'memfd'];
    const [base, browser, permissive] = await Promise.all([
      probes(list, [...BASE, ...LANDLOCK]),
      probes(list, [...BASE, ...BROWSER, ...LANDLOCK]),
      probes(list, [...PERMISSIVE, ...BASE, ...LANDLOCK]),
    ]);
    expect(base).toEqual({ msgget: 'errno=ENOSYS', memfd: 'errno=ENOSYS' });
    expect(browser).toEqual({ msgget: 'errno=ENOSYS', memfd: 'ok' });
    // --syscalls-permissive is the former deny-list alone: the allow-list is what refuses them.
    expect(permissive).toEqual({ msgget: 'ok', memfd: 'ok' });
  });

  it('permissive runs still refuse every escape syscall', async () => {
    const got = await probes([...DENIED, 'clone3', 'x32'], [...PERMISSIVE, ...BASE, ...LANDLOCK]);
    for (const name of DENIED) expect(got[name], name).toBe('errno=EPERM');
    expect(got['clone3']).toBe('errno=ENOSYS');
    expect(got['x32']).toBe('signal=SIGSYS');
  });

  it('a bad list stops the sandbox before the command runs (exit 125, with the file, line and name)', async () => {
    const bad = (name: string, text: string) => {
      fs.writeFileSync(path.join(dirs.ro, name), text);
      return run([...bwrap(), INIT, '--syscalls', `/data/ro/${name}`, ...POLICY, '--', '/bin/echo', 'ran']);
    };
    const cases = await Promise.all([
      bad('unknown.txt', '# a comment\nread\nnot_a_syscall\n'),
      bad('escape.txt', 'read\nptrace  # no\n'),
      bad('clone3.txt', 'clone3\n'),
      bad('two.txt', 'read write\n'),
      bad('foreign.txt', 'socketcall\n'), // i386 only
      bad('long.txt', `${'x'.repeat(300)}\n`),
      run([...bwrap(), INIT, '--syscalls', '/data/ro/missing.txt', '--', '/bin/echo', 'ran']),
      run([...bwrap(), INIT, ...LANDLOCK, '--', '/bin/echo', 'ran']),
    ]);
    expect(cases.map((c) => [c.code, c.stdout, c.stderr.split('\n')[0]])).toEqual([
      [125, '', 'vitrine-sandbox-init: /data/ro/unknown.txt:3: not_a_syscall: unknown syscall'],
      [125, '', 'vitrine-sandbox-init: /data/ro/escape.txt:2: ptrace: always refused, remove it from the list'],
      [125, '', 'vitrine-sandbox-init: /data/ro/clone3.txt:1: clone3: always refused, remove it from the list'],
      [125, '', 'vitrine-sandbox-init: /data/ro/two.txt:1: one syscall name per line'],
      [125, '', 'vitrine-sandbox-init: /data/ro/foreign.txt:1: socketcall: not a syscall of this architecture'],
      [125, '', 'vitrine-sandbox-init: /data/ro/long.txt:1: line too long'],
      [125, '', 'vitrine-sandbox-init: cannot read syscall list /data/ro/missing.txt: No such file or directory'],
      [125, '', 'vitrine-sandbox-init: missing --syscalls LIST'],
    ]);
    // A comment may be longer than a line may (a header naming the long command that was traced).
    expect(await bad('commented.txt', `# ${'x'.repeat(600)}\nread\n`)).toEqual({
      code: 0,
      stdout: 'ran\n',
      stderr: '',
    });
  });
});

describe('network and scopes', () => {
  let server: net.Server;
  let port = 0;
  const abstractName = `vitrine-native-test-${process.pid}`;
  let abstract: net.Server;

  beforeAll(async () => {
    server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
    abstract = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => abstract.listen('\0' + abstractName, r));
  });
  afterAll(() => {
    server.close();
    abstract.close();
  });

  it('TCP connect and bind are EACCES (Landlock), in the private netns and with --share-net', async () => {
    const list = [`tcp-connect 127.0.0.1 ${port}`, 'tcp-bind 0', `unix-connect @${abstractName}`];
    const [own, shared, controlOwn, controlShared] = await Promise.all([
      probes(list),
      probes(list, POLICY, { shareNet: true }),
      probes(list, null),
      probes(list, null, { shareNet: true }),
    ]);
    expect(controlOwn[list[0]!]).toBe('errno=ECONNREFUSED'); // nothing listens on the sandbox's loopback
    expect(controlShared[list[0]!]).toBe('ok'); // the host listener is reachable without Landlock
    expect(controlShared[list[2]!]).toBe('ok');
    expect(own[list[0]!]).toBe('errno=EACCES'); // Landlock refuses before routing
    expect(own[list[1]!]).toBe('errno=EACCES');
    expect(shared[list[0]!]).toBe('errno=EACCES');
    expect(shared[list[1]!]).toBe('errno=EACCES');
    expect(shared[list[2]!]).toBe('errno=EPERM'); // abstract socket outside the Landlock domain
  });

  it('signals reach only processes inside the Landlock domain', async () => {
    const script = `${PROBE} kill 1; sleep 5 & ${PROBE} kill $!; kill $!`;
    expect((await sh(script)).stdout).toBe('kill errno=EPERM\nkill ok\n'); // pid 1 is bwrap's init
    expect((await sh(script, null)).stdout).toBe('kill ok\nkill ok\n');
  });
});

describe('apps and options', () => {
  it('Xvfb and xclock run under it, with the base allow-list alone', async () => {
    const landlock = LANDLOCK.map((a, i) => (a === '--rw' && LANDLOCK[i + 1] === '/tmp' ? '--rwd' : a)); // xkbcomp replaces its output file
    // As session-init.sh starts it (-displayfd, the socket folder made by bubblewrap). Processes
    // are checked in /proc and never killed: base has no kill (the sandbox's end stops them).
    const r = await sh(
      [
        '{ Xvfb :0 -nolisten tcp -screen 0 320x240x24 -displayfd 3 3>&1 1>/dev/null 2>/tmp/xvfb.log & } | read -r _',
        'xdpyinfo -display :0 | grep -m1 "^name of display"',
        'xclock -display :0 2>/dev/null & C=$!',
        'sleep 1',
        'grep -qx Xvfb /proc/[0-9]*/comm && echo xvfb alive; [ -d /proc/$C ] && echo xclock alive',
        'cat /tmp/xvfb.log >&2',
      ].join('\n'),
      [...BASE, ...landlock],
      { extra: ['--dir', '/tmp/.X11-unix'] },
    );
    expect(r.stdout, r.stderr).toBe('name of display:    :0\nxvfb alive\nxclock alive\n');
  });

  it('--allow-degraded is accepted and, with Landlock present, changes nothing', async () => {
    const r = await sh(`${PROBE} read /data/secret/key`, ['--allow-degraded', ...POLICY]);
    expect(r).toEqual({ code: 0, stdout: 'read errno=EACCES\n', stderr: '' });
  });

  it('without Landlock it refuses to start, unless --allow-degraded (then seccomp only)', async () => {
    // A filter given to bwrap (--seccomp) that makes landlock_create_ruleset fail with ENOSYS, as
    // on a kernel without Landlock. struct sock_filter = u16 code, u8 jt, u8 jf, u32 k.
    const insns: [number, number, number, number][] = [
      [0x20, 0, 0, 4], // ld arch
      [0x15, 0, 3, 0xc000003e], // x86_64? else allow
      [0x20, 0, 0, 0], // ld nr
      [0x15, 0, 1, 444], // landlock_create_ruleset?
      [0x06, 0, 0, 0x00050000 | os.constants.errno.ENOSYS], // SECCOMP_RET_ERRNO | ENOSYS
      [0x06, 0, 0, 0x7fff0000], // SECCOMP_RET_ALLOW
    ];
    const bpf = Buffer.alloc(insns.length * 8);
    insns.forEach(([code, jt, jf, k], i) => {
      bpf.writeUInt16LE(code, i * 8);
      bpf.writeUInt8(jt, i * 8 + 2);
      bpf.writeUInt8(jf, i * 8 + 3);
      bpf.writeUInt32LE(k, i * 8 + 4);
    });
    const file = path.join(tmp, 'no-landlock.bpf');
    fs.writeFileSync(file, bpf);
    const degraded = async (flags: string[]) => {
      const fd = fs.openSync(file, 'r');
      try {
        const cmd = ['/bin/sh', '-c', `${PROBE} read /data/secret/key; ${PROBE} unshare`];
        return await run([...bwrap({ extra: ['--seccomp', '3'] }), INIT, ...flags, ...POLICY, '--', ...cmd], fd);
      } finally {
        fs.closeSync(fd);
      }
    };
    expect(await degraded([])).toEqual({
      code: 125,
      stdout: '',
      stderr: 'vitrine-sandbox-init: landlock unavailable: Function not implemented\n',
    });
    expect(await degraded(['--allow-degraded'])).toEqual({
      code: 0,
      stdout: 'read ok\nunshare errno=EPERM\n',
      stderr:
        'vitrine-sandbox-init: warning: landlock unavailable (Function not implemented), continuing with seccomp only\n',
    });
  });

  it('a missing path, a bad option or a missing command exit 125 with a message', async () => {
    const missing = await run([...bwrap(), INIT, ...POLICY, '--ro', '/data/nope', '--', '/bin/true']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toBe('vitrine-sandbox-init: cannot open /data/nope: No such file or directory\n');
    const bad = await run([...bwrap(), INIT, '--rx', '/usr', '--', '/bin/true']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/^vitrine-sandbox-init: unknown option\nusage:/);
    const noCommand = await run([...bwrap(), INIT, ...POLICY]);
    expect(noCommand.code).toBe(125);
    const notFound = await run([...bwrap(), INIT, ...POLICY, '--', '/usr/bin/does-not-exist']);
    expect(notFound).toMatchObject({
      code: 125,
      stderr: 'vitrine-sandbox-init: /usr/bin/does-not-exist: No such file or directory\n',
    });
  });

  it('--uid/--gid: never 0, always both, and a uid change it is not allowed to make stops the sandbox', async () => {
    for (const ids of [
      ['--uid', '0', '--gid', '0'],
      ['--uid', '999'],
      ['--uid', 'x', '--gid', '1'],
    ]) {
      const r = await run([...bwrap(), INIT, ...POLICY, ...ids, '--', '/bin/true']);
      expect([r.code, r.stderr.split('\n')[0]], ids.join(' ')).toEqual([
        125,
        ids.length === 2
          ? 'vitrine-sandbox-init: --uid and --gid go together'
          : 'vitrine-sandbox-init: --uid/--gid need a number other than 0',
      ]);
    }
    // This sandbox drops every capability: the change cannot be made, so nothing runs at all.
    const denied = await run([...bwrap(), INIT, ...POLICY, '--uid', '65534', '--gid', '65534', '--', '/bin/true']);
    expect(denied.code).toBe(125);
    expect(denied.stderr).toMatch(
      /^vitrine-sandbox-init: (drop capability bounding set|setgroups|setresgid): Operation not permitted/,
    );
  });

  it('the probe helpers for resource limits report as documented', async () => {
    const r = await sh(`${PROBE} alloc 20; ${PROBE} spin 0.2`);
    expect(r.stdout).toMatch(/^alloc reached=16\nalloc reached=20\nalloc ok\nspin cpu_ms=\d+ wall_ms=2\d\d\n$/);
  });

  it('costs little start-up time (median of 20)', async () => {
    const median = async (args: string[]) => {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        expect((await run(args)).code).toBe(0);
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b)[10]!;
    };
    const plain = await median([...bwrap(), '/bin/true']);
    const init = await median([...bwrap(), INIT, ...POLICY, '--', '/bin/true']);
    console.log(`bwrap /bin/true: ${plain.toFixed(1)} ms, through vitrine-sandbox-init: ${init.toFixed(1)} ms`);
    expect(init - plain).toBeLessThan(100);
  });
});
