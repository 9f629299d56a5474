/**
 * The storage candidates of bench/encryption-candidates.ts (issue 18), each a folder made on
 * this machine: plain ext4, ext4 on a loop image (with and without fscrypt) and gocryptfs (FUSE).
 * Every step that mounts or writes outside the work folder pushes its undo onto a Cleanup.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { mountPoints } from '../../server/src/sandbox/session-mounts.ts';

export type CandidateKey = 'ext4' | 'fscrypt' | 'gocryptfs' | 'loop-ext4';

export interface Candidate {
  key: CandidateKey;
  /** What the table calls it. */
  label: string;
  /** Folder the video and the listing folder are put into. */
  dir: string;
}

/**
 * Undo steps, newest first, each run once. Synchronous, so that a signal handler can run them
 * before the process exits.
 */
export class Cleanup {
  #steps: Array<{ what: string; undo: () => void }> = [];

  push(what: string, undo: () => void): void {
    this.#steps.push({ what, undo });
  }

  /** Runs every step even when one fails; returns what failed. */
  runAll(): string[] {
    const failed: string[] = [];
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        step.undo();
      } catch (err) {
        failed.push(`${step.what}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    return failed;
  }
}

/** Runs a command to completion; its stderr goes into the error when it fails. */
export function run(cmd: string, args: string[], input?: Buffer): string {
  return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 120_000 });
}

const isMounted = (dir: string) => mountPoints().includes(dir);

/** Unmounts if mounted; lazily when something still holds the mount (it is gone from view either way). */
function unmount(dir: string): void {
  if (!isMounted(dir)) return;
  try {
    run('umount', [dir]);
  } catch {
    run('umount', ['-l', dir]);
  }
}

const IMAGE_BYTES = 4 * 2 ** 30;

/** An ext4 image file (sparse, 4 GiB) mounted through a loop device at `<work>/<name>`. */
function mountLoopImage(work: string, name: string, encrypt: boolean, cleanup: Cleanup): string {
  const image = path.join(work, `${name}.img`);
  fs.closeSync(fs.openSync(image, 'wx'));
  cleanup.push(`remove ${image}`, () => fs.rmSync(image, { force: true }));
  fs.truncateSync(image, IMAGE_BYTES);
  run('mkfs.ext4', ['-q', ...(encrypt ? ['-O', 'encrypt'] : []), image]);
  const mountPoint = path.join(work, name);
  fs.mkdirSync(mountPoint);
  // `mount -o loop` sets autoclear: the loop device goes away with the unmount.
  cleanup.push(`unmount ${mountPoint}`, () => unmount(mountPoint));
  run('mount', ['-o', 'loop', image, mountPoint]);
  return mountPoint;
}

export function plainExt4(work: string): Candidate {
  const dir = path.join(work, 'ext4');
  fs.mkdirSync(dir);
  return { key: 'ext4', label: 'plain ext4 (no encryption)', dir };
}

export function loopExt4(work: string, cleanup: Cleanup): Candidate {
  const dir = path.join(mountLoopImage(work, 'loop-ext4', false, cleanup), 'plain');
  fs.mkdirSync(dir);
  return { key: 'loop-ext4', label: 'ext4 on a loop image (no encryption)', dir };
}

/**
 * fscrypt: an `encrypt` ext4 image, a random 64-byte key added to it through the helper
 * (`native/build/vitrine-fscrypt`), and a folder with a v2 policy under that key.
 */
export function fscrypt(work: string, helper: string, cleanup: Cleanup): Candidate {
  const mountPoint = mountLoopImage(work, 'fscrypt', true, cleanup);
  const id = run(helper, ['add-key', mountPoint], randomBytes(64)).trim();
  cleanup.push('remove the fscrypt key', () => run(helper, ['remove-key', mountPoint, id]));
  const dir = path.join(mountPoint, 'encrypted');
  fs.mkdirSync(dir);
  run(helper, ['set-policy', dir, id]);
  return { key: 'fscrypt', label: 'fscrypt (ext4 loop image, v2 policy)', dir };
}

/**
 * gocryptfs returns once its daemon answers; the daemon keeps the parent's stdout and stderr, so
 * these go to a file (a pipe would stay open and execFileSync would wait for the daemon's exit).
 */
function mountGocryptfs(args: string[], log: string): void {
  const fd = fs.openSync(log, 'w');
  try {
    execFileSync('gocryptfs', args, { stdio: ['ignore', fd, fd], timeout: 60_000 });
  } catch (err) {
    const said = fs.readFileSync(log, 'utf8').trim();
    throw new Error(`gocryptfs ${args.at(-1)}: ${said || (err as Error).message}`, { cause: err });
  } finally {
    fs.closeSync(fd);
  }
}

/** gocryptfs with its defaults (AES-256-GCM, encrypted names), the cipher folder on plain ext4. */
export function gocryptfs(work: string, cleanup: Cleanup): Candidate {
  const cipher = path.join(work, 'gocryptfs-cipher');
  const plain = path.join(work, 'gocryptfs-plain');
  const passfile = path.join(work, 'gocryptfs-pass');
  fs.mkdirSync(cipher);
  fs.mkdirSync(plain);
  fs.writeFileSync(passfile, randomBytes(32).toString('hex'), { mode: 0o600 });
  cleanup.push(`unmount ${plain}`, () => unmount(plain));
  try {
    run('gocryptfs', ['-init', '-q', '-nosyslog', '-passfile', passfile, cipher]);
    mountGocryptfs(['-q', '-nosyslog', '-passfile', passfile, cipher, plain], path.join(work, 'gocryptfs.log'));
  } finally {
    fs.rmSync(passfile, { force: true });
  }
  return { key: 'gocryptfs', label: 'gocryptfs (FUSE, defaults)', dir: plain };
}

/** `count` small files (1 KiB each, as documents' names), in a new folder `dir`. */
export function writeSmallFiles(dir: string, count: number): void {
  fs.mkdirSync(dir);
  const body = Buffer.alloc(1024, 'x');
  for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, `document-${String(i).padStart(5, '0')}.txt`), body);
}
