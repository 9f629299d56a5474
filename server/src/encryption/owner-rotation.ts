import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { ownerKeyName, loadOrMake, type EncryptedAtRest } from './at-rest.ts';
import { policyOf, setPolicy } from './fscrypt.ts';

export type RotationPhase = 'copying' | 'waiting' | 'switching' | 'done';

export interface RotationProgress {
  phase: RotationPhase;
  /** Of the copy under way (0–100). */
  percent: number;
  /** Sessions on the owner's files still running (phase `waiting`). */
  sessions?: number;
}

export interface OwnerRotationDeps {
  atRest: EncryptedAtRest;
  /**
   * Holds the owner's storage still: no new session on it, those running ended or waited for
   * (`waiting` hears how many are left), no storage operation under way. Released after the switch.
   */
  hold: (ownerId: string, waiting: (sessions: number) => void) => Promise<{ release(): void }>;
}

/**
 * Replaces an owner's key: a new key (`owner-<id>.next`, stored wrapped before anything is
 * written with it), their folders copied under it with rsync while the server goes on serving
 * them (resumable: a second run, or a run after a crash, copies only what is missing or changed),
 * then with their storage held still a last pass and the swap (EncryptedAtRest.swapRotated). The
 * old key is destroyed with the old folders, so what only it opened is gone.
 */
export async function rotateOwnerKey(
  deps: OwnerRotationDeps,
  ownerId: string,
  progress: (p: RotationProgress) => void = () => {},
): Promise<{ resumed: boolean; from: string; to: string }> {
  const { atRest } = deps;
  await atRest.prepareOwner(ownerId);
  const name = ownerKeyName(ownerId);
  const next = `${name}.next`;
  const resumed = atRest.keys.read(next) !== null;
  const from = await atRest.unlock(name, loadOrMake(atRest.keys, atRest.master, name));
  const to = await atRest.unlock(next, loadOrMake(atRest.keys, atRest.master, next));
  const dirs = atRest.rotationDirs(ownerId);
  for (const d of dirs) await copyUnder(d.live, d.next, to, (percent) => progress({ phase: 'copying', percent }));
  const held = await deps.hold(ownerId, (sessions) => progress({ phase: 'waiting', percent: 100, sessions }));
  try {
    progress({ phase: 'switching', percent: 0 });
    for (const d of dirs) await copyUnder(d.live, d.next, to, (percent) => progress({ phase: 'switching', percent }));
    await atRest.swapRotated(ownerId);
  } finally {
    held.release();
  }
  progress({ phase: 'done', percent: 100 });
  return { resumed, from, to };
}

/** Makes `target` a copy of `source` (files, folders, links, owners, modes, times, hard links) under the key `identifier`. */
async function copyUnder(source: string, target: string, identifier: string, percent: (p: number) => void) {
  fs.mkdirSync(target, { mode: 0o700, recursive: true });
  const policy = await policyOf(target);
  if (policy === null) await setPolicy(target, identifier);
  else if (policy !== identifier)
    throw new Error(`${target} is encrypted with another key than the one being rotated to`);
  await rsync(source, target, percent);
}

function rsync(source: string, target: string, percent: (p: number) => void): Promise<void> {
  // --no-inc-recursive: the whole list first, so the percentage is of everything.
  // prettier-ignore
  const args = ['-aH', '--numeric-ids', '--delete', '--no-inc-recursive', '--info=progress2', `${source}/`, `${target}/`];
  const child = spawn('rsync', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const m = / (\d{1,3})% /.exec(chunk.split('\r').at(-1) ?? '');
    if (m) percent(Number(m[1]));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`copying ${source} for the new key failed (rsync ${code}): ${err.trim()}`)),
    );
  });
}
