import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxUser } from './sandbox-user.ts';

/**
 * Grants served through the grant filesystem (native/vitrine-grant-fs.c) instead of bind mounts,
 * when the server runs as root (issue 16): the sandbox's mountinfo then shows `/` and
 * `vitrine-grant`, not where the owner's folder is on the host, and a writable grant is held to a
 * budget (ENOSPC), so an app cannot write past its owner's quota or fill the disk.
 */
export const GRANT_FS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../native/build/vitrine-grant-fs',
);

/** How much a session may add to its writable grants, together. */
export interface WriteBudget {
  /** Bytes of apparent size (the storage quota's unit), net of what it deletes. */
  bytes: number;
  /** Names (files, folders, links) it may add, net. */
  entries: number;
}

export interface GrantToServe {
  /** The descriptor the server opened and checked (openGrants). */
  fd: number;
  readOnly: boolean;
  budget: WriteBudget | null;
}

export interface ServedGrant {
  /** Where it is mounted on the host (inside the session folder): bubblewrap binds it from here. */
  mountPoint: string;
  /** Stops the filesystem (it unmounts itself); resolves once its processes are gone. */
  stop(): Promise<void>;
}

/** A filesystem that has not said it is serving by then is taken as failed. */
const READY_TIMEOUT_MS = 10_000;

/**
 * Each writable grant's share of the session's budget: split evenly, so that together they
 * never exceed it.
 */
export function budgetsFor(access: readonly boolean[], total: WriteBudget | null): Array<WriteBudget | null> {
  const writable = access.filter((w) => w).length;
  return access.map((w) =>
    w && total ? { bytes: Math.floor(total.bytes / writable), entries: Math.floor(total.entries / writable) } : null,
  );
}

/** Mounts every grant under `<sessionDir>/grants/`; on any failure, stops those already mounted. */
export async function serveGrants(
  sessionDir: string,
  grants: GrantToServe[],
  user: SandboxUser,
): Promise<ServedGrant[]> {
  const root = path.join(sessionDir, 'grants');
  fs.mkdirSync(root, { mode: 0o700 });
  return serveGrantsAt(
    grants.map((g, i) => ({ ...g, mountPoint: path.join(root, String(i)) })),
    user,
  );
}

/**
 * Mounts each grant at its own mount point (made here, of the grant's kind; it must not exist yet);
 * on any failure, stops those already mounted. Grants bound into a running sandbox (bindGrants)
 * choose their mount points by name, the others by number.
 */
export async function serveGrantsAt(
  grants: Array<GrantToServe & { mountPoint: string }>,
  user: SandboxUser,
): Promise<ServedGrant[]> {
  const served: ServedGrant[] = [];
  try {
    for (const grant of grants) served.push(await serveOne(grant.mountPoint, grant, user));
  } catch (err) {
    await Promise.all(served.map((s) => s.stop()));
    throw err;
  }
  return served;
}

/**
 * A grant filesystem serving an empty folder until it is handed the grant's (once): mounted
 * before the session exists, so the sandbox can have it at /files from its start.
 */
export interface LateRoot extends ServedGrant {
  /** Serves this folder from now on (the descriptor is the caller's to close); rejects if refused. */
  hand(grant: GrantToServe): Promise<void>;
}

/**
 * Mounts a grant filesystem at `<sessionDir>/grants/0` that serves an empty, unchangeable folder
 * until `hand` gives it the grant's folder, over a socket only root can reach (`0.sock` beside it;
 * the filesystem checks the peer is root). `readOnly`: the mount's own, for what it will serve.
 */
export async function serveLateRoot(sessionDir: string, readOnly: boolean, user: SandboxUser): Promise<LateRoot> {
  const root = path.join(sessionDir, 'grants');
  fs.mkdirSync(root, { mode: 0o700 });
  // What is served until the hand-over: root's, empty, and nobody may add to it.
  const placeholder = path.join(root, 'placeholder');
  fs.mkdirSync(placeholder, { mode: 0o555 });
  const socket = path.join(root, '0.sock');
  const fd = fs.openSync(placeholder, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  let served: ServedGrant;
  try {
    served = await serveOne(path.join(root, '0'), { fd, readOnly, budget: null }, user, ['--late-root', socket]);
  } finally {
    fs.closeSync(fd);
  }
  return { ...served, hand: (grant) => handRoot(socket, grant) };
}

/** Runs the grant filesystem's hand-over mode: it passes `grant.fd` to the waiting filesystem. */
async function handRoot(socket: string, grant: GrantToServe): Promise<void> {
  // prettier-ignore
  const args = [
    '--hand-root', socket, '--root-fd', '3',
    ...(grant.readOnly ? ['--read-only'] : []),
    ...(grant.budget ? ['--max-growth', String(grant.budget.bytes), '--max-new-entries', String(grant.budget.entries)] : []),
  ];
  const child = spawn(GRANT_FS, args, { stdio: ['ignore', 'ignore', 'pipe', grant.fd] });
  let errors = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (errors = (errors + d).slice(-1000)));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`cannot hand the folder over: ${errors.trim() || `exited (${code ?? signal})`}`);
}

async function serveOne(
  mountPoint: string,
  grant: GrantToServe,
  user: SandboxUser,
  extra: string[] = [],
): Promise<ServedGrant> {
  // The mount point is of the grant's kind: a folder, or an empty file for a shared file.
  if (fs.fstatSync(grant.fd).isDirectory()) fs.mkdirSync(mountPoint, { mode: 0o700 });
  else fs.writeFileSync(mountPoint, '', { mode: 0o600, flag: 'wx' });
  // prettier-ignore
  const args = [
    '--root-fd', '3', '--mount', mountPoint, '--uid', String(user.uid), '--gid', String(user.gid), '--ready-fd', '4',
    ...(grant.readOnly ? ['--read-only'] : []),
    ...(grant.budget ? ['--max-growth', String(grant.budget.bytes), '--max-new-entries', String(grant.budget.entries)] : []),
    ...extra,
  ];
  const child = spawn(GRANT_FS, args, { stdio: ['ignore', 'ignore', 'pipe', grant.fd, 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await whenReady(child);
  } catch (err) {
    await stop();
    throw err;
  }
  return { mountPoint, stop };
}

function whenReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    let errors = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (errors = (errors + d).slice(-1000)));
    const timer = setTimeout(() => fail('did not start in time'), READY_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`cannot serve a shared folder: ${why}${errors ? `: ${errors.trim()}` : ''}`));
    };
    const ready = child.stdio[4] as NodeJS.ReadableStream;
    ready.setEncoding('utf8');
    ready.on('data', (d: string) => {
      said += d;
      if (said.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal})`));
  });
}
