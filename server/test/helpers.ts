import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import type { CreatedShare } from '@vitrine/protocol';
import { loadConfig, type Config } from '../src/config/config.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { EncryptedAtRest } from '../src/encryption/at-rest.ts';
import { isMountPoint } from '../src/encryption/volume.ts';
import { buildServer, type Server } from '../src/http/server.ts';
import { LATE_GRANTS_FOLDER } from '../src/sandbox/sandbox.ts';
import { WARM_PREFIX } from '../src/sessions/warm-pool.ts';
import { call, register, type Target, type TestUser } from './auth-client.ts';

export interface TestServer extends Server {
  url: string;
  config: Config;
  /** The origin browsers use (http://localhost:PORT unless PUBLIC_URL was given). */
  publicUrl(): string;
  /** Session folders and the sandbox's files of this server (RUNTIME_DIR). */
  runtimeDir: string;
  /**
   * The first account (owner + admin), created through the setup link with a software passkey
   * (absent with `registerOwner: false`, when a test makes it through the browser).
   */
  owner: TestUser;
  /** The (now used) setup link the owner registered with. */
  setupLink: string;
  close(): Promise<void>;
  /**
   * Stops this server as SIGTERM does (`app.close()`: sessions end, viewers are told) and starts a
   * new one on the same data, runtime folder and port, so browsers keep their origin and sign-in.
   * Resolves to the new server once it listens; `between` runs while no server is up.
   */
  restart(opts?: { between?: () => Promise<void> }): Promise<TestServer>;
}

/** A real Vitrine server on a random loopback port with its own runtime and data folders. */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: { registerOwner?: boolean } = {},
): Promise<TestServer> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-test-'));
  const shm = fs.mkdtempSync('/dev/shm/vitrine-test-');
  let config: Config;
  try {
    config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: path.join(tmp, 'data'),
      // The audit key and its checkpoints, outside DATA_DIR as in production (never /etc/vitrine from a test).
      AUDIT_KEY_FILE: path.join(tmp, 'audit', 'audit.key'),
      MASTER_KEY_FILE: path.join(tmp, 'keys', 'master.key'),
      ENCRYPTED_VOLUME_SIZE: '2G',
      RUNTIME_DIR: shm,
      LOG_LEVEL: 'warn',
      PEER_GRACE_MS: '20000',
      // Cold starts unless a test asks for warm ones (audit-key-setup.ts says why).
      WARM_SANDBOXES: process.env.WARM_SANDBOXES ?? '0',
      ...env,
    });
  } catch (err) {
    // A test of a refused configuration leaves no folder behind.
    for (const dir of [tmp, shm]) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const removeDirs = () => {
    unmountVolume(path.join(tmp, 'data'));
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(config.sandbox.runtimeDir, { recursive: true, force: true });
    fs.rmSync(shm, { recursive: true, force: true });
  };
  let server: Server;
  let port: number;
  try {
    server = await buildServer(config);
    // Passkeys need a host name: browsers in tests use localhost; Node clients may keep 127.0.0.1.
    ({ port } = await server.listen({ port: 0, host: '127.0.0.1' }));
  } catch (err) {
    removeDirs();
    throw err;
  }
  const setup = opts.registerOwner === false ? undefined : await server.issueSetupLink();
  const url = `${config.http.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const owner = setup
    ? await register(url, server.publicUrl(), setup.link, { displayName: 'Olive Owner', email: 'olive@example.test' })
    : undefined;
  return running(server, config, port, { owner: owner!, setupLink: setup?.link ?? '' }, removeDirs);
}

/**
 * Runs `./vitrine <args>` (the operator's CLI) as the operator would, with `env` over this process's
 * environment; resolves to its exit code and everything it printed.
 */
export function runCli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['server/src/cli.ts', ...args],
      { cwd: path.resolve(import.meta.dirname, '../..'), env: { ...process.env, ...env, LOG_LEVEL: 'warn' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err.code as number | undefined) ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

/**
 * Unmounts the encrypted volume of a data folder if a server left it mounted (it was killed, or
 * failed half-way), so that removing the folder never walks into the mounted volume.
 */
export function unmountVolume(dataDir: string): void {
  const volume = path.join(dataDir, 'volume');
  if (fs.existsSync(volume) && isMountPoint(volume)) execFileSync('umount', ['-l', volume]);
}

/**
 * The embedded database of a stopped server, opened as its files are (the encrypted volume
 * mounted with the server's keys), for a test that reads or changes it behind the server's back.
 */
export async function openStoppedDatabase(config: Config): Promise<Database> {
  const atRest = config.encryption.enabled ? await EncryptedAtRest.open(config.encryption, {}) : null;
  const database = await openDatabase({ dataDir: config.database.dataDir });
  return {
    ...database,
    close: async () => {
      await database.close();
      await atRest?.close();
    },
  };
}

/** A listening server as a TestServer; `restart` brings up its successor on the same folders and port. */
function running(
  server: Server,
  config: Config,
  port: number,
  who: { owner: TestUser; setupLink: string },
  removeDirs: () => void,
): TestServer {
  const url = `${config.http.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    ...server,
    config,
    runtimeDir: config.sandbox.runtimeDir,
    url,
    ...who,
    close: async () => {
      await server.app.close();
      removeDirs();
    },
    restart: async ({ between } = {}) => {
      await server.app.close();
      await between?.();
      let next: Server | undefined;
      // The old socket may linger a moment in the kernel: retry the same port briefly.
      for (let i = 0; ; i++) {
        try {
          next = await buildServer(config);
          await next.listen({ port, host: '127.0.0.1' });
          break;
        } catch (err) {
          await next?.app.close().catch(() => {});
          if (i >= 20 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
            removeDirs();
            throw err;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      return running(next!, config, port, who, removeDirs);
    },
  };
}

/** A JSON API call, anonymous (a URL) or as a signed-in user. */
export async function api<T = unknown>(
  target: Target,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const { status, body: parsed } = await call<T>(target, method, url, body);
  return { status, body: parsed };
}

/**
 * A share made by `owner` through the API, valid for an hour unless the body says otherwise;
 * anything but 201 fails the test with the server's answer.
 */
export async function createShare(owner: Target, body: Record<string, unknown>): Promise<CreatedShare> {
  const res = await api<CreatedShare>(owner, 'POST', '/api/shares', {
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    ...body,
  });
  if (res.status !== 201) throw new Error(`creating a share answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Command lines of live processes whose arguments mention `needle` (e.g. a session folder). */
export function processesMentioning(needle: string): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmd.includes(needle) && state !== 'Z') out.push({ pid: Number(pid), cmd });
    } catch {
      // raced with exit
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}

/** Decodes the diagnostics app's blocks straight from a session's Xvfb framebuffer file. */
export async function readDiagnosticsScreen(runtimeDir: string, sessionId: string) {
  const { FramebufferReader } = await import('../src/media/framebuffer.ts');
  const { decodeDiagnosticsFrame } = await import('../../e2e/lib/diagnostics-probe.ts');
  const fb = new FramebufferReader(path.join(runtimeDir, 'sessions', sessionId, 'fb', 'Xvfb_screen0'), 1);
  try {
    const bgr0 = fb.read();
    const rgba = Buffer.allocUnsafe(bgr0.length);
    for (let i = 0; i < bgr0.length; i += 4) {
      rgba[i] = bgr0[i + 2]!;
      rgba[i + 1] = bgr0[i + 1]!;
      rgba[i + 2] = bgr0[i]!;
      rgba[i + 3] = 255;
    }
    return decodeDiagnosticsFrame(rgba, fb.layout.width, fb.layout.height);
  } finally {
    fb.close();
  }
}

/** A process and all its descendants (walks /proc parent links), with command lines. */
export function processTree(root: number): Array<{ pid: number; cmd: string }> {
  const parent = new Map<number, number>();
  for (const p of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // raced with exit
    }
  }
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree].filter(isAlive).map((pid) => {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {}
    return { pid, cmd };
  });
}

/** Every live process of a session: the sandbox tree and the encoders. */
/**
 * What a warm sandbox waits for (sessions/warm-pool.ts): a client's read-only share (its grants
 * come below /files, in its `late-grants`) or an owner's own storage (the grant filesystem
 * waiting at /files).
 */
export type WarmKind = 'share' | 'owner';

/** The folders of a server's warm sandboxes there are now (waiting, or taken by a session), of one kind if asked. */
export function warmSandboxDirs(runtimeDir: string, kind?: WarmKind): string[] {
  const sessions = path.join(runtimeDir, 'sessions');
  if (!fs.existsSync(sessions)) return [];
  return fs
    .readdirSync(sessions)
    .filter((d) => d.startsWith(WARM_PREFIX))
    .map((d) => path.join(sessions, d))
    .filter((dir) => kind === undefined || fs.existsSync(path.join(dir, LATE_GRANTS_FOLDER)) === (kind === 'share'));
}

export function sessionProcesses(runtimeDir: string, sessionId: string, extraPids: number[] = []) {
  const bwrap = processesMentioning(path.join(runtimeDir, 'sessions', sessionId) + '/').filter((p) =>
    p.cmd.startsWith('bwrap'),
  );
  // A session started warm runs in a sandbox whose folder has another name: its sandbox process
  // is among the session's own pids (statsOf), and what runs below it is the session's too.
  const extra = extraPids
    .filter(isAlive)
    .flatMap((pid) => (commandOf(pid).startsWith('bwrap') ? processTree(pid) : [{ pid, cmd: '' }]));
  const seen = new Set<number>();
  return [...bwrap.flatMap((b) => processTree(b.pid)), ...extra].filter((p) => !seen.has(p.pid) && seen.add(p.pid));
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Which of `pids` are FFmpeg encoders themselves (not the frame pumps that start them). */
export function ffmpegProcesses(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === 'ffmpeg';
    } catch {
      return false;
    }
  });
}

/**
 * A folder of apps (for `APPS_ROOT`) holding one: `idle`, a sandboxed shell that only sits there
 * reading nothing, for tests about sessions rather than what an app draws. Remove it afterwards.
 */
export function idleAppsRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  fs.mkdirSync(path.join(root, 'idle'));
  fs.writeFileSync(path.join(root, 'idle', 'run.sh'), '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
  fs.writeFileSync(
    path.join(root, 'idle', 'manifest.json'),
    JSON.stringify({
      name: 'Idle',
      version: '1',
      type: 'x11',
      binary: 'run.sh',
      permissions: [{ path: '.', access: ['read'] }],
    }),
  );
  return root;
}

/**
 * The same server reached from a second address: connections accepted on [::1] are handed to the
 * server as the kernel gave them, so it sees a real ::1 peer (as it would listening on HOST=::).
 */
export async function alsoOnIPv6Loopback(server: TestServer): Promise<{ url: string; close: () => Promise<void> }> {
  const handed = new Set<net.Socket>();
  const v6 = net.createServer((socket) => {
    handed.add(socket.once('close', () => handed.delete(socket)));
    server.app.server.emit('connection', socket);
  });
  await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
  const { port } = v6.address() as net.AddressInfo;
  return {
    url: `http://[::1]:${port}`,
    close: () => {
      for (const socket of handed) socket.destroy();
      return new Promise((resolve) => v6.close(() => resolve()));
    },
  };
}
