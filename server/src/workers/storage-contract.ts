import fs from 'node:fs/promises';
import { constants } from 'node:fs';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * What a session worker checks at start about the folder it shares with other workers
 * (STORAGE_DIR, RECORDINGS_DIR; docs/shared-storage.md): the POSIX behaviour storage/ and
 * recording/ rely on. A filesystem that lacks one of them fails later in ways that look like
 * Vitrine's bugs (a half-written file, a symlink followed out of an owner's folder, an app unable
 * to open its own files), so a worker refuses to start instead, saying which property is missing.
 */

export type StorageContractResult = { ok: true; checks: string[] } | { ok: false; failed: string; detail: string };

export interface StorageContractOptions {
  /**
   * The same shared folder reached another way (a second mount of the export, another client's
   * path): the child process of the visibility check works through it. Unset: through `dir`.
   */
  peerDir?: string;
  /** The sandbox user (sandbox/sandbox-user.ts), who owns what sessions write: probe chown to it. */
  fileOwner?: { uid: number; gid: number };
}

const runChild = promisify(execFile);
const POSIX_ADVICE = 'use a local folder, NFS v4.1+ or CephFS (docs/shared-storage.md)';

/** A property the folder lacks: `check` names it, `detail` is for the operator. */
class ContractBreach extends Error {
  readonly check: string;
  constructor(check: string, detail: string) {
    super(detail);
    this.check = check;
  }
}

/** The error's code and message, never its stack: the operator reads this at a worker's start. */
function why(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code;

/**
 * Runs one check: `body` says what it saw when the property is missing (undefined: all well). An
 * error it throws is a breach too, with the error's code appended to `advice`.
 */
async function check(checks: string[], name: string, advice: string, body: () => Promise<string | undefined>) {
  const seen = await body().catch((err: unknown) => {
    const refusedRoot = process.getuid?.() === 0 && ['EACCES', 'EPERM'].includes(codeOf(err) ?? '');
    throw new ContractBreach(name, `${advice} (${why(err)}${refusedRoot ? '; root was refused: root_squash?' : ''})`);
  });
  if (seen !== undefined) throw new ContractBreach(name, `${advice} (${seen})`);
  checks.push(name);
}

/** What opening `file` with `flags` did, when it did not fail with `code`. */
async function openFailsWith(file: string, flags: number, code: string): Promise<string | undefined> {
  try {
    await (await fs.open(file, flags)).close();
    return 'the open succeeded';
  } catch (err) {
    return codeOf(err) === code ? undefined : why(err);
  }
}

async function writeSynced(file: string, content: string, flags = 'w'): Promise<void> {
  const handle = await fs.open(file, flags, 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    (err: unknown) => (codeOf(err) === 'ENOENT' ? false : Promise.reject(err)),
  );
}

// The child reads what the parent wrote and writes its own file, then exits: close-to-open
// consistency says each side sees the other's file once it was closed, with no waiting.
const CHILD_SCRIPT = `const fs = require('node:fs');
const [seen, expected, out, token] = process.argv.slice(1);
try {
  if (fs.readFileSync(seen, 'utf8') !== expected) throw new Error('the parent file has other content');
  fs.writeFileSync(out, token);
} catch (err) { process.stderr.write(err.code || err.message); process.exit(3); }`;

/** What each check needs and what to do about it, for the operator. */
const ADVICE = {
  writeRead: (dir: string) => `${dir} must be a folder where root can make, write and read back files; ${POSIX_ADVICE}`,
  renameOver: `renaming a file over an existing one must replace it atomically (every saved file is a temporary renamed over the old one); object-storage FUSE mounts (s3fs) and SMB/CIFS without unix extensions cannot; ${POSIX_ADVICE}`,
  nofollow: `opening a symlink with O_NOFOLLOW must fail with ELOOP (owners' files are opened so, refusing symlinks that escape their folder); the filesystem needs symlinks and O_NOFOLLOW: ${POSIX_ADVICE}`,
  exclusiveCreate: `creating a file with O_EXCL must fail with EEXIST when the name exists (two writers must never both create one file); ${POSIX_ADVICE}`,
  folderRename: `renaming a folder must move it at once, the old name gone and the new one there (trash, key rotations and uploads move folders); ${POSIX_ADVICE}`,
  ownership: (uid: number) =>
    `root must be able to give a file to the sandbox user (uid ${uid}) and still write it (root_squash?): export the folder to the worker nodes with no_root_squash and POSIX ownership (NFS v4.1+ with sec=sys, CephFS)`,
  visibility: (peerDir: string | undefined) =>
    `another process must see a file${peerDir ? ` through ${peerDir} (it must be this same shared folder)` : ''} as soon as its writer closed it: the mount must keep close-to-open consistency (NFS without "nocto", CephFS)`,
};

/** Runs the child in `folder`; what went wrong, or undefined when it saw and wrote as it should. */
async function childSeesAndWrites(folder: string, token: string): Promise<string | undefined> {
  const args = ['-e', CHILD_SCRIPT, path.join(folder, 'from-parent'), token, path.join(folder, 'from-child'), token];
  return runChild(process.execPath, args, { timeout: 15_000 }).then(
    () => undefined,
    (err: { stderr?: string; code?: unknown; killed?: boolean }) =>
      `the other process: ${err.killed ? 'no answer in 15 s (a hung mount?)' : err.stderr?.trim() || `exit ${String(err.code)}`}`,
  );
}

export async function checkSharedStorage(dir: string, opts?: StorageContractOptions): Promise<StorageContractResult> {
  const name = `.vitrine-probe-${randomBytes(8).toString('hex')}`;
  const probe = path.join(dir, name);
  const at = (file: string) => path.join(probe, file);
  const checks: string[] = [];
  let result: StorageContractResult;
  const run = (check_: string, advice: string, body: () => Promise<string | undefined>) =>
    check(checks, check_, advice, body);
  try {
    await run('write-read', ADVICE.writeRead(dir), async () => {
      await fs.mkdir(probe, { mode: 0o700 });
      await writeSynced(at('written'), 'written');
      const back = await fs.readFile(at('written'), 'utf8');
      return back === 'written' ? undefined : `a synced file read back as "${back}"`;
    });
    await run('rename-over', ADVICE.renameOver, async () => {
      await writeSynced(at('target'), 'old');
      await writeSynced(at('target.tmp'), 'new');
      await fs.rename(at('target.tmp'), at('target'));
      const now = await fs.readFile(at('target'), 'utf8');
      if (await exists(at('target.tmp'))) return 'the temporary is still there after the rename';
      return now === 'new' ? undefined : `after the rename the target holds "${now}"`;
    });
    await run('nofollow', ADVICE.nofollow, async () => {
      await fs.symlink('written', at('link'));
      return openFailsWith(at('link'), constants.O_RDONLY | constants.O_NOFOLLOW, 'ELOOP');
    });
    await run('exclusive-create', ADVICE.exclusiveCreate, () =>
      openFailsWith(at('written'), constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 'EEXIST'),
    );
    await run('folder-rename', ADVICE.folderRename, async () => {
      await fs.mkdir(at('folder'));
      await writeSynced(path.join(at('folder'), 'inside'), 'inside');
      await fs.rename(at('folder'), at('moved'));
      if (await exists(at('folder'))) return 'the old name is still there after the rename';
      const inside = await fs.readFile(path.join(at('moved'), 'inside'), 'utf8');
      return inside === 'inside' ? undefined : 'the moved file changed';
    });

    // Only noted: without links, replacing a file moves the old one out first (owner-storage.ts).
    try {
      await fs.link(at('written'), at('hard-link'));
      checks.push((await fs.stat(at('written'))).nlink === 2 ? 'hard-links' : 'hard-links (link count not kept)');
    } catch (err) {
      checks.push(`hard-links (not supported: ${codeOf(err) ?? why(err)})`);
    }

    const owner = opts?.fileOwner;
    if (owner) {
      await run('ownership', ADVICE.ownership(owner.uid), async () => {
        await fs.chown(at('written'), owner.uid, owner.gid);
        const stat = await fs.stat(at('written'));
        if (stat.uid !== owner.uid || stat.gid !== owner.gid) return `the file shows ${stat.uid}:${stat.gid}`;
        await writeSynced(at('written'), 'root again', 'r+'); // another user's 0600 file: only root may
        return undefined;
      });
    }

    await run('visibility', ADVICE.visibility(opts?.peerDir), async () => {
      const token = randomBytes(8).toString('hex');
      await writeSynced(at('from-parent'), token);
      const childSaw = await childSeesAndWrites(opts?.peerDir ? path.join(opts.peerDir, name) : probe, token);
      if (childSaw) return childSaw;
      const back = await fs.readFile(at('from-child'), 'utf8');
      return back === token ? undefined : "the other process's file has other content";
    });
    result = { ok: true, checks };
  } catch (err) {
    const breach = err instanceof ContractBreach ? err : new ContractBreach('unexpected', why(err));
    result = { ok: false, failed: breach.check, detail: breach.message };
  }
  try {
    await fs.rm(probe, { recursive: true, force: true });
  } catch (err) {
    const detail = `cannot remove the probe folder ${probe} (${why(err)}); ${POSIX_ADVICE}`;
    if (result.ok) result = { ok: false, failed: 'cleanup', detail };
  }
  return result;
}
