// vitrine-grant-fs, a real FUSE mount of a temp grant: mountinfo hides the host path, files are
// made as the grant's uid, symlinks never lead the daemon out, setuid bits and devices are
// refused, --read-only and the quotas hold, and it leaves no mount or process behind; with
// --late-root, it serves an empty placeholder until one folder is handed over (--hand-root) by root.
// Everything that touches the mount runs as uid 65534, as the sandboxed app would.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NATIVE = path.resolve(import.meta.dirname, '..');
const BIN = path.join(NATIVE, 'build', 'vitrine-grant-fs');
const NOBODY = 65534;
const MiB = 1024 * 1024;

let tmp = '';
let secretDir = '';
const daemons: { child: ChildProcess; mnt: string }[] = [];

beforeAll(() => {
  execFileSync('make', ['-s', '-C', NATIVE], { stdio: 'inherit' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-native-'));
  fs.chmodSync(tmp, 0o755); // uid 65534 must reach the mounts
  // Readable by uid 65534 on the host, so only the daemon's confinement keeps it out of a grant.
  secretDir = path.join(tmp, 'outside');
  fs.mkdirSync(secretDir, { mode: 0o755 });
  fs.writeFileSync(path.join(secretDir, 'secret'), 'host secret\n', { mode: 0o644 });
});

afterAll(async () => {
  for (const { child } of daemons) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(daemons.map(({ child }) => exited(child)));
  for (const { mnt } of daemons) if (mounted(mnt)) spawnSync('umount', ['-l', mnt]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The line of /proc/self/mountinfo whose mount point is `mnt`, if any. */
function mountLine(mnt: string): string | undefined {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === mnt);
}
const mounted = (mnt: string) => mountLine(mnt) !== undefined;

/** Pids whose command line names `needle` (our mount points are unique temp paths). */
function processesNaming(needle: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle)) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Grant {
  grant: string;
  mnt: string;
  child: ChildProcess;
}

let seq = 0;
/** A fresh grant (folder, or a file with `file`) owned by 65534, served at a fresh mount point. */
async function mountGrant(flags: string[] = [], file?: string): Promise<Grant> {
  const dir = path.join(tmp, `g${++seq}`);
  fs.mkdirSync(path.join(dir, 'mnts'), { recursive: true });
  const grant = path.join(dir, 'grant');
  // The mount point is one level deeper than the grant, so that a relative symlink followed by
  // the kernel from the mount never lands where the same link followed on the host would.
  const mnt = path.join(dir, 'mnts', 'm');
  if (file === undefined) {
    fs.mkdirSync(grant);
    fs.writeFileSync(path.join(grant, 'a'), 'hello\n');
    fs.mkdirSync(mnt);
  } else {
    fs.writeFileSync(grant, file);
    fs.writeFileSync(mnt, '');
  }
  spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, grant]);
  const { O_RDONLY, O_NOFOLLOW, O_DIRECTORY } = fs.constants;
  const rootFd = fs.openSync(grant, O_RDONLY | O_NOFOLLOW | (file === undefined ? O_DIRECTORY : 0));
  const child = await startDaemon(rootFd, mnt, flags);
  return { grant, mnt, child };
}

/** Starts the daemon serving `rootFd` (closed here) at `mnt`, once it says it is ready. */
async function startDaemon(rootFd: number, mnt: string, flags: string[]): Promise<ChildProcess> {
  // prettier-ignore
  const args = ['--root-fd', '3', '--mount', mnt, '--uid', String(NOBODY), '--gid', String(NOBODY), '--ready-fd', '4', ...flags];
  const child = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe', rootFd, 'pipe'] });
  fs.closeSync(rootFd);
  daemons.push({ child, mnt });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdio[4]!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out === 'ready\n') resolve();
    });
    child.once('exit', (code) => reject(new Error(`vitrine-grant-fs exited ${code}: ${stderr}`)));
  });
  return child;
}

interface LateMount {
  mnt: string;
  sock: string;
  child: ChildProcess;
}

/** A --late-root mount: serves an empty placeholder (root's, 0555) until a folder is handed over on `sock`. */
async function mountLate(flags: string[] = []): Promise<LateMount> {
  const dir = path.join(tmp, `g${++seq}`);
  fs.mkdirSync(path.join(dir, 'mnts'), { recursive: true });
  const placeholder = path.join(dir, 'placeholder');
  fs.mkdirSync(placeholder);
  fs.chmodSync(placeholder, 0o555);
  const mnt = path.join(dir, 'mnts', 'm');
  fs.mkdirSync(mnt);
  const sock = path.join(dir, 'sock');
  const rootFd = fs.openSync(placeholder, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  const child = await startDaemon(rootFd, mnt, ['--late-root', sock, ...flags]);
  return { mnt, sock, child };
}

/** A fresh folder holding `files`, owned by 65534: what a session hands over. */
function lateGrant(files: Record<string, string> = { a: 'hello\n' }): string {
  const grant = path.join(tmp, `h${++seq}`);
  fs.mkdirSync(grant);
  fs.chmodSync(grant, 0o755);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(grant, name), text);
  spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, grant]);
  return grant;
}

/** Runs `--hand-root sock` with `grant` opened as its fd 3, as root or (`asUid`) as that uid. */
function handRoot(sock: string, grant: string, flags: string[] = [], asUid?: number): Result {
  const fd = fs.openSync(grant, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  const cmd = [BIN, '--hand-root', sock, '--root-fd', '3', ...flags];
  // prettier-ignore
  const argv = asUid === undefined ? cmd : ['setpriv', '--reuid', String(asUid), '--regid', String(asUid), '--clear-groups', ...cmd];
  try {
    // prettier-ignore
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe', fd], encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.closeSync(fd);
  }
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sh -c script` as uid/gid 65534 with no groups, like the sandboxed app. */
function asNobody(script: string, env: Record<string, string> = {}): Result {
  // prettier-ignore
  const r = spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'sh', '-c', script], {
    encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env }, timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a script as 65534 in a bubblewrap sandbox that sees only /usr and `binds` (host → sandbox). */
function inSandbox(binds: [string, string][], script: string): Result {
  // prettier-ignore
  const bwrap = ['bwrap', '--unshare-all', '--die-with-parent', '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64',
    '--proc', '/proc', '--dev', '/dev', ...binds.flatMap(([h, s]) => ['--bind', h, s]), '--', 'sh', '-c', script];
  return asNobody(bwrap.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' '));
}

describe('vitrine-grant-fs', () => {
  it('the sandbox sees root "/" and type fuse.vitrine-grant, never the host path (a bind mount shows it)', async () => {
    const { grant, mnt } = await mountGrant();
    const info = (h: string) => inSandbox([[h, '/data']], 'grep " /data " /proc/self/mountinfo').stdout;
    const fuse = info(mnt);
    const [before, after] = fuse.split(' - ');
    expect(before!.split(' ')[3]).toBe('/');
    expect(before!.split(' ')[5]!.split(',')).toEqual(expect.arrayContaining(['nosuid', 'nodev']));
    expect(after).toMatch(/^fuse\.vitrine-grant vitrine-grant /);
    expect(fuse).not.toContain(tmp);
    expect(info(grant)).toContain(grant); // the leak this replaces
  });

  it('reads, writes, creates, makes folders, renames and deletes; what it makes belongs to 65534', async () => {
    const { grant, mnt } = await mountGrant();
    const r = asNobody(
      'cd "$M" && cat a && echo new > b && mkdir d && mv b d/c && cat d/c && echo more >> d/c && ' +
        'touch gone && rm gone && ls -A && ls d',
      { M: mnt },
    );
    expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'hello\nnew\na\nd\nc\n' });
    expect(fs.readFileSync(path.join(grant, 'd', 'c'), 'utf8')).toBe('new\nmore\n');
    for (const p of ['d', 'd/c']) expect(fs.statSync(path.join(grant, p))).toMatchObject({ uid: NOBODY, gid: NOBODY });
    expect(fs.existsSync(path.join(grant, 'gone'))).toBe(false);
  });

  it('symlinks are data: links the app makes only resolve inside the sandbox view', async () => {
    const { grant, mnt } = await mountGrant();
    const hostSecret = path.join(secretDir, 'secret');
    const r = inSandbox(
      [[mnt, '/data']],
      `cd /data && ln -s ../../outside/secret up && ln -s ${hostSecret} abs && readlink up abs; cat up abs`,
    );
    expect(r.stdout).toBe(`../../outside/secret\n${hostSecret}\n`);
    expect(r.stderr).not.toContain('host secret');
    expect(fs.readlinkSync(path.join(grant, 'up'))).toBe('../../outside/secret');
  });

  it('a name swapped for a symlink on the host (behind the kernel cache) never leads the daemon out', async () => {
    const { grant, mnt } = await mountGrant();
    fs.writeFileSync(path.join(grant, 'f'), 'inside\n');
    fs.writeFileSync(path.join(grant, 'g'), 'inside\n');
    fs.mkdirSync(path.join(grant, 'd'));
    spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, grant]);
    // /raw is the host folder as another writer (the owner, another session) sees it. The kernel
    // has just looked up f, g and d through the mount, so it sends the next calls on those names
    // straight to the daemon, which then meets the symlinks itself (relative and absolute).
    const r = inSandbox(
      [
        [mnt, '/data'],
        [grant, '/raw'],
      ],
      'cat /data/f /data/g >/dev/null && ls /data/d >/dev/null && ' +
        `rm /raw/f /raw/g && rmdir /raw/d && ln -s ../../outside/secret /raw/f && ln -s ${secretDir}/secret /raw/g && ` +
        `ln -s ../../outside /raw/d; cat /data/f; cat /data/g; cat /data/d/secret; echo done`,
    );
    expect(r.stdout).toBe('done\n');
    expect(r.stderr).not.toContain('host secret');
    expect(r.stderr.match(/Too many levels of symbolic links/g), r.stderr).toHaveLength(3);
  });

  it('chmod keeps no setuid/setgid/sticky bit on the host; device nodes are refused, FIFOs allowed', async () => {
    const { grant, mnt } = await mountGrant();
    const r = asNobody('cd "$M" && touch x && chmod 6755 x && mkdir s && chmod 1777 s && mkfifo p && echo ok', {
      M: mnt,
    });
    expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'ok\n' });
    expect(fs.statSync(path.join(grant, 'x')).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(path.join(grant, 's')).mode & 0o7777).toBe(0o777);
    expect(fs.statSync(path.join(grant, 'p')).isFIFO()).toBe(true);
    // As host root (CAP_MKNOD), so the kernel passes the request on to the daemon.
    const dev = spawnSync('mknod', [path.join(mnt, 'null'), 'c', '1', '3'], { encoding: 'utf8' });
    expect(dev.status).not.toBe(0);
    expect(dev.stderr).toMatch(/Operation not permitted/);
    expect(fs.existsSync(path.join(grant, 'null'))).toBe(false);
  });

  it('--read-only: reads work, every change fails with EROFS', async () => {
    const { grant, mnt } = await mountGrant(['--read-only']);
    const r = asNobody(
      'cd "$M"; cat a; echo x > new; echo x >> a; mkdir d; rm a; mv a b; chmod 600 a; touch a; ln -s a l; echo end',
      { M: mnt },
    );
    expect(r.stdout).toBe('hello\nend\n');
    expect(r.stderr.match(/Read-only file system/g), r.stderr).toHaveLength(8);
    expect(fs.readdirSync(grant)).toEqual(['a']);
    expect(fs.readFileSync(path.join(grant, 'a'), 'utf8')).toBe('hello\n');
  });

  it('--max-growth: a 2 GiB dd stops at the budget with ENOSPC; deleting gives the space back', async () => {
    const { grant, mnt } = await mountGrant(['--max-growth', String(16 * MiB)]);
    const dd = asNobody('dd if=/dev/zero of="$M/big" bs=1M count=2048', { M: mnt });
    expect(dd.code).not.toBe(0);
    expect(dd.stderr).toMatch(/No space left on device/);
    const size = fs.statSync(path.join(grant, 'big')).size;
    expect(size).toBeLessThanOrEqual(16 * MiB);
    expect(size).toBeGreaterThanOrEqual(15 * MiB);
    // Truncating and rewriting in place costs nothing more; growing does.
    expect(asNobody('truncate -s 20M "$M/big"', { M: mnt }).stderr).toMatch(/No space left on device/);
    const again = asNobody('rm "$M/big" && dd if=/dev/zero of="$M/big2" bs=1M count=12 status=none && echo ok', {
      M: mnt,
    });
    expect(again, again.stderr).toMatchObject({ code: 0, stdout: 'ok\n' });
    expect(fs.statSync(path.join(grant, 'big2')).size).toBe(12 * MiB);
  });

  it('--max-new-entries: creating stops at the limit with ENOSPC; deleting frees a slot', async () => {
    const { grant, mnt } = await mountGrant(['--max-new-entries', '50']);
    const r = asNobody('cd "$M" && mkdir d && i=0; while [ $i -lt 100 ] && touch d/f$i; do i=$((i+1)); done; echo $i', {
      M: mnt,
    });
    expect(r.stdout).toBe('49\n'); // the folder counts too
    expect(r.stderr).toMatch(/No space left on device/);
    expect(fs.readdirSync(path.join(grant, 'd'))).toHaveLength(49);
    const more = asNobody('cd "$M" && rm d/f0 && touch d/again && mkdir e', { M: mnt });
    expect(more.stderr).toMatch(/mkdir: cannot create directory 'e': No space left on device/);
    expect(fs.existsSync(path.join(grant, 'd', 'again'))).toBe(true);
  });

  it('a single-file grant is mounted on a file and can be read', async () => {
    const { mnt } = await mountGrant([], 'one file\n');
    const r = asNobody('cat "$M" && stat -c %F "$M"', { M: mnt });
    expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'one file\nregular file\n' });
  });

  it('SIGTERM unmounts and exits 0, with no process left', async () => {
    const { mnt, child } = await mountGrant();
    expect(processesNaming(mnt)).toHaveLength(2); // the root supervisor and the unprivileged server
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(mounted(mnt)).toBe(false);
    expect(processesNaming(mnt)).toEqual([]);
  });

  it('the server unmounting (umount -l) ends the daemon cleanly', async () => {
    const { mnt, child } = await mountGrant();
    expect(spawnSync('umount', ['-l', mnt]).status).toBe(0);
    expect(await exited(child)).toBe(0);
    expect(processesNaming(mnt)).toEqual([]);
  });

  it('when its parent dies it unmounts and exits', async () => {
    const dir = path.join(tmp, 'orphan');
    const grant = path.join(dir, 'grant');
    const mnt = path.join(dir, 'mnt');
    fs.mkdirSync(grant, { recursive: true });
    fs.mkdirSync(mnt);
    spawnSync('chown', [`${NOBODY}:${NOBODY}`, grant]);
    const rootFd = fs.openSync(grant, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    // The parent is a shell that waits; SIGKILL gives it no chance to clean anything up.
    const script = `"${BIN}" --root-fd 3 --mount "${mnt}" --uid ${NOBODY} --gid ${NOBODY} --ready-fd 4 & wait`;
    const parent = spawn('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit', rootFd, 'pipe'] });
    fs.closeSync(rootFd);
    daemons.push({ child: parent, mnt });
    await new Promise<void>((resolve) => parent.stdio[4]!.once('data', () => resolve()));
    expect(mounted(mnt)).toBe(true);
    parent.kill('SIGKILL');
    await until(() => !mounted(mnt) && processesNaming(mnt).length === 0, 'unmount and exit');
  });
});

describe('--late-root', () => {
  it('serves an empty placeholder refusing every change (EROFS) until a folder is handed over; then that folder, writable at once, with the budget handed over', async () => {
    const { mnt, sock } = await mountLate();
    expect(asNobody('ls -A "$M"', { M: mnt })).toMatchObject({ code: 0, stdout: '' });
    // As host root, so the kernel's own check (the placeholder is root's, 0555) lets the calls
    // through to the daemon, which refuses them.
    expect(() => fs.writeFileSync(path.join(mnt, 'x'), 'x')).toThrow(/EROFS/);
    expect(() => fs.mkdirSync(path.join(mnt, 'd'))).toThrow(/EROFS/);
    const grant = lateGrant();
    const h = handRoot(sock, grant, ['--max-growth', String(MiB)]);
    expect(h, h.stderr).toMatchObject({ code: 0, stderr: '' });
    // At once, the root is the new folder's (65534's, 0755), not what the kernel cached of the
    // placeholder (root's, 0555), and can be written to.
    const r = asNobody('cd "$M" && stat -c "%a %u" . && cat a && echo new > b && cat b && ls -A', { M: mnt });
    expect(r, r.stderr).toMatchObject({ code: 0, stdout: `755 ${NOBODY}\nhello\nnew\na\nb\n` });
    expect(fs.statSync(path.join(grant, 'b'))).toMatchObject({ uid: NOBODY, gid: NOBODY });
    const dd = asNobody('dd if=/dev/zero of="$M/big" bs=64K count=64', { M: mnt });
    expect(dd.stderr).toMatch(/No space left on device/);
    expect(fs.statSync(path.join(grant, 'big')).size).toBeLessThanOrEqual(MiB);
  });

  it('a second hand-over fails (exit 125) and changes nothing', async () => {
    const { mnt, sock } = await mountLate();
    const first = lateGrant();
    expect(handRoot(sock, first).code).toBe(0);
    const h = handRoot(sock, lateGrant({ other: 'other\n' }));
    expect(h.code).toBe(125);
    expect(h.stderr).toBe(`vitrine-grant-fs: ${sock}: Connection refused\n`);
    const r = asNobody('ls -A "$M" && echo more > "$M/b"', { M: mnt });
    expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'a\n' });
    expect(fs.readFileSync(path.join(first, 'b'), 'utf8')).toBe('more\n');
  });

  it('--hand-root --read-only on a writable mount: reads work, every change fails with EROFS', async () => {
    const { mnt, sock } = await mountLate();
    const grant = lateGrant();
    expect(handRoot(sock, grant, ['--read-only']).code).toBe(0);
    const r = asNobody('cd "$M"; cat a; echo x > new; echo x >> a; mkdir d; rm a; echo end', { M: mnt });
    expect(r.stdout).toBe('hello\nend\n');
    expect(r.stderr.match(/Read-only file system/g), r.stderr).toHaveLength(4);
    expect(fs.readdirSync(grant)).toEqual(['a']);
    expect(fs.readFileSync(path.join(grant, 'a'), 'utf8')).toBe('hello\n');
  });

  it('a --read-only mount refuses a writable hand-over, changes nothing, and then takes a read-only one', async () => {
    const { mnt, sock } = await mountLate(['--read-only']);
    const grant = lateGrant();
    const refused = handRoot(sock, grant);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/^vitrine-grant-fs: hand-over refused: the mount is read-only/);
    expect(asNobody('ls -A "$M"', { M: mnt })).toMatchObject({ code: 0, stdout: '' });
    const h = handRoot(sock, grant, ['--read-only']);
    expect(h, h.stderr).toMatchObject({ code: 0 });
    const r = asNobody('cat "$M/a"; echo x > "$M/new"', { M: mnt });
    expect(r.stdout).toBe('hello\n');
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(fs.readdirSync(grant)).toEqual(['a']);
  });

  it("the socket is root's, mode 0600; a non-root peer that reaches it anyway is refused and changes nothing", async () => {
    const { mnt, sock } = await mountLate();
    const st = fs.lstatSync(sock);
    expect(st.isSocket()).toBe(true);
    expect({ uid: st.uid, mode: st.mode & 0o7777 }).toEqual({ uid: 0, mode: 0o600 });
    const grant = lateGrant();
    expect(handRoot(sock, grant, [], NOBODY).stderr).toBe(`vitrine-grant-fs: ${sock}: Permission denied\n`);
    // Test only: opened to all, so that the daemon's own check (SO_PEERCRED) is what refuses.
    fs.chmodSync(sock, 0o666);
    const h = handRoot(sock, grant, [], NOBODY);
    expect(h.code).toBe(125);
    expect(h.stderr).toBe('vitrine-grant-fs: hand-over refused: the peer is not root\n');
    expect(asNobody('ls -A "$M"', { M: mnt })).toMatchObject({ code: 0, stdout: '' });
    expect(() => fs.writeFileSync(path.join(mnt, 'x'), 'x')).toThrow(/EROFS/);
    // Still listening: root's hand-over is taken.
    expect(handRoot(sock, grant).code).toBe(0);
    expect(asNobody('cat "$M/a"', { M: mnt }).stdout).toBe('hello\n');
  });

  it('SIGTERM (before or after the hand-over) unmounts, removes the socket and leaves no process', async () => {
    for (const hand of [false, true]) {
      const { mnt, sock, child } = await mountLate();
      if (hand) expect(handRoot(sock, lateGrant()).code).toBe(0);
      expect(processesNaming(mnt)).toHaveLength(2);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(fs.existsSync(sock)).toBe(false);
      expect(mounted(mnt)).toBe(false);
      expect(processesNaming(mnt)).toEqual([]);
    }
  });

  it('the server unmounting (umount -l) ends the daemon and removes the socket', async () => {
    const { mnt, sock, child } = await mountLate();
    expect(spawnSync('umount', ['-l', mnt]).status).toBe(0);
    expect(await exited(child)).toBe(0);
    expect(fs.existsSync(sock)).toBe(false);
    expect(processesNaming(mnt)).toEqual([]);
  });

  it('refuses a file placeholder, a command-line budget and a socket path that exists', () => {
    const dir = path.join(tmp, `g${++seq}`);
    fs.mkdirSync(dir);
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    const folder = path.join(dir, 'folder');
    fs.mkdirSync(folder);
    const run = (root: string, mnt: string, sock: string, extra: string[] = []) => {
      const fd = fs.openSync(root, fs.constants.O_RDONLY);
      // prettier-ignore
      const args = ['--root-fd', '3', '--late-root', sock, '--mount', mnt, '--uid', String(NOBODY), '--gid', String(NOBODY), ...extra];
      const r = spawnSync(BIN, args, { stdio: ['ignore', 'ignore', 'pipe', fd], encoding: 'utf8', timeout: 30_000 });
      fs.closeSync(fd);
      return { code: r.status, stderr: r.stderr };
    };
    const sock = path.join(dir, 'sock');
    expect(run(file, file, sock)).toMatchObject({ code: 125, stderr: expect.stringMatching(/must be a folder/) });
    expect(run(folder, folder, sock, ['--max-growth', '1'])).toMatchObject({
      code: 125,
      stderr: expect.stringMatching(/the budget comes with the hand-over/),
    });
    expect(run(folder, folder, file)).toMatchObject({
      code: 125,
      stderr: `vitrine-grant-fs: ${file}: Address already in use\n`,
    });
    expect(mounted(folder)).toBe(false);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.existsSync(sock)).toBe(false);
  });
});
