import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grant, SandboxHandle, SandboxPolicy } from '../../src/sandbox/sandbox.ts';
import { startSandbox } from '../../src/sandbox/start-sandbox.ts';
import { mountPoints } from '../../src/sandbox/session-mounts.ts';
import { AttackHarness, results, TRY } from './attack-harness.ts';
import { processesMentioning, waitFor } from '../helpers.ts';

// Grants bound into a sandbox that is already running (warm start): it starts with an empty,
// read-only /files, and grants appear there later, mounted by the server; or, for an owner's own
// storage, the grant filesystem at /files from the start is told the folder later.
const h = new AttackHarness();
let ownerDir: string;
let ownerFile: string;
beforeAll(async () => {
  await h.init();
  // Host names the sandbox must never learn: they differ from the names the grants get inside.
  ownerDir = h.dir('owner-folder-7f3a', { 'a.txt': 'from the owner\n' });
  fs.writeFileSync(path.join(ownerDir, 'run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
  ownerFile = path.join(h.root, 'owner-note-9c1d.txt');
  fs.writeFileSync(ownerFile, 'a shared file\n');
});
afterAll(() => h.cleanup());

const sharedGrants = (): Grant[] => [
  { hostPath: ownerDir, sandboxPath: '/files/shared', access: 'read' },
  { hostPath: ownerFile, sandboxPath: '/files/note.txt', access: 'read' },
];

/**
 * Reports /files as the app first sees it, waits (up to 20 s) for the shared folder's file and
 * the shared file to appear (they are mounted one after the other), then reports what it can do
 * there; stays up until killed. Renames with perl (rename(2)): coreutils' mv uses renameat2, which
 * the seccomp lists do not allow, and would fail with ENOSYS whatever the mount allows.
 */
const APP = `${TRY}
echo "files-dir: $([ -d /files ] && echo yes || echo no)"
echo "before: [$(ls -A /files 2>&1)]"
echo "waiting: yes"
i=0; until [ -e /files/shared/a.txt ] && [ -r /files/note.txt ] || [ $i -ge 200 ]; do sleep 0.1; i=$((i+1)); done
echo "read: $(cat /files/shared/a.txt 2>&1)"
echo "note: $(cat /files/note.txt 2>&1)"
echo "list: $(ls -A /files | tr '\\n' ' ')"
try create sh -c ': > /files/shared/new.txt'
try write sh -c 'echo x >> /files/shared/a.txt'
try rename perl -e 'rename("/files/shared/a.txt", "/files/shared/b.txt") or die "$!\\n"'
try delete rm /files/shared/a.txt
try mkdir mkdir /files/shared/sub
try note-write sh -c 'echo x >> /files/note.txt'
try top sh -c ': > /files/top.txt'
try exec /files/shared/run.sh
echo "shared-mount: $(grep ' /files/shared ' /proc/self/mountinfo)"
echo "all: $(tr '\\n' '|' < /proc/self/mountinfo)"
echo "done: yes"
sleep 60`;

const appLog = (policy: SandboxPolicy) => {
  try {
    return fs.readFileSync(path.join(policy.sessionDir, 'log', 'app.log'), 'utf8');
  } catch {
    return '';
  }
};
const untilSaid = (policy: SandboxPolicy, label: string) =>
  waitFor(`"${label}" from the app`, () => results(appLog(policy))[label], 30_000);

/** Mount points at or below the session folder, on the host. */
const mountsBelow = (dir: string) => mountPoints().filter((p) => p === dir || p.startsWith(dir + '/'));
/** Processes that name the session folder (bubblewrap, the grant filesystems). */
const processesOf = (dir: string) => processesMentioning(dir + '/');

async function startLate(
  script = APP,
  access: Grant['access'] = 'read',
  atFiles = false,
): Promise<{ policy: SandboxPolicy; sandbox: SandboxHandle }> {
  const policy: SandboxPolicy = { ...h.policy(script), lateGrants: { access, atFiles } };
  const sandbox = await startSandbox(h.host, policy, 10_000, path.basename(policy.sessionDir));
  await sandbox.ready;
  return { policy, sandbox };
}

/** After destroyed(): nothing mounted in the session folder, no process of it (grant filesystems included); then it goes. */
function expectNothingLeft(policy: SandboxPolicy): void {
  expect(mountsBelow(policy.sessionDir)).toEqual([]);
  expect(processesOf(policy.sessionDir)).toEqual([]);
  fs.rmSync(policy.sessionDir, { recursive: true, force: true });
}

async function end(policy: SandboxPolicy, sandbox: SandboxHandle) {
  await sandbox.destroyed();
  fs.rmSync(policy.sessionDir, { recursive: true, force: true });
}

describe('grants bound into a running sandbox', () => {
  it('appear read-only at /files/<name>, hide their host paths, once; nothing is left after', async () => {
    // What the test relies on: this host's sandbox is the root server's, with Landlock.
    expect(h.host.user).not.toBeNull();
    expect(h.host.landlock).toBe('enforced');
    const { policy, sandbox } = await startLate();
    const lateDir = path.join(policy.sessionDir, 'late-grants');
    try {
      await untilSaid(policy, 'waiting');
      let r = results(appLog(policy));
      // Before: /files exists (without lateGrants it would not) and is empty.
      expect(r['files-dir']).toBe('yes');
      expect(r.before).toBe('[]');

      // Refused, and nothing mounted, nothing started, no mount point made.
      const mountsBefore = mountsBelow(policy.sessionDir);
      const processesBefore = processesOf(policy.sessionDir).length;
      const refused: Array<[Grant[], RegExp]> = [
        [[{ hostPath: ownerDir, sandboxPath: '/files/shared', access: 'read-write' }], /must be read:/],
        [[{ hostPath: ownerDir, sandboxPath: '/files/shared', access: 'read-write-delete' }], /must be read:/],
        [[{ hostPath: ownerDir, sandboxPath: '/files/a/b', access: 'read' }], /\/files\/<name>/],
        [[{ hostPath: ownerDir, sandboxPath: '/files', access: 'read' }], /\/files\/<name>/],
        [[{ hostPath: ownerDir, sandboxPath: '/files/..', access: 'read' }], /\/files\/<name>/],
        [[{ hostPath: ownerDir, sandboxPath: '/data/x', access: 'read' }], /\/files\/<name>/],
        // One bad grant among good ones: none of them is mounted.
        [[...sharedGrants(), { hostPath: ownerDir, sandboxPath: '/files/w', access: 'read-write' }], /must be read:/],
        [[...sharedGrants(), { hostPath: ownerFile, sandboxPath: '/files/shared', access: 'read' }], /same name/],
      ];
      for (const [grants, why] of refused) await expect(sandbox.bindGrants(grants)).rejects.toThrow(why);
      expect(mountsBelow(policy.sessionDir)).toEqual(mountsBefore);
      expect(fs.readdirSync(lateDir)).toEqual([]);
      expect(processesOf(policy.sessionDir)).toHaveLength(processesBefore);

      // Bound while it runs: the app, which started with an empty /files, now sees them.
      await sandbox.bindGrants(sharedGrants());
      await untilSaid(policy, 'done');
      r = results(appLog(policy));
      expect(r.read).toBe('from the owner');
      expect(r.note).toBe('a shared file');
      expect(r.list!.trim().split(' ').sort()).toEqual(['note.txt', 'shared']);
      // Read-only: the grant filesystem and its mount refuse every change, in the shared folder
      // and of the shared file; /files itself takes nothing either.
      for (const label of ['create', 'write', 'rename', 'delete', 'mkdir', 'note-write', 'top']) {
        expect(r[label], `${label}: ${r[label]}`).toMatch(/^failed .*(Read-only file system|Permission denied)/);
      }
      // Landlock denies by default: that the file was readable at all shows the rule on /files
      // covers a mount made below it after the rule was applied; that it is read-only, not more,
      // shows in exec, which nothing else forbids there (the mount is not noexec, the file is 0755).
      const sharedMount = r['shared-mount']!;
      expect(sharedMount).toMatch(/ - fuse\.vitrine-grant vitrine-grant /);
      expect(sharedMount.split(' ')[3]).toBe('/');
      expect(sharedMount.split(' ')[5]).not.toMatch(/noexec/);
      expect(r.exec).toMatch(/^failed .*Permission denied/);
      // No host path of the owner's: neither the folder's or file's names nor where they are.
      const all = r.all!;
      expect(all).toMatch(/ \/files\/shared /);
      expect(all).toMatch(/ \/files\/note\.txt /);
      for (const hostName of [path.basename(ownerDir), path.basename(ownerFile)]) expect(all).not.toContain(hostName);
      // The session folder shows as its own filesystem, not where it is under the runtime folder.
      expect(all).not.toContain(path.basename(h.sessionsDir) + '/');
      expect(all).toMatch(/ \/late-grants \/files .* - tmpfs vitrine-session /);
      // Nothing was changed on the host.
      expect(fs.readdirSync(ownerDir).sort()).toEqual(['a.txt', 'run.sh']);
      expect(fs.readFileSync(path.join(ownerDir, 'a.txt'), 'utf8')).toBe('from the owner\n');
      expect(fs.readFileSync(ownerFile, 'utf8')).toBe('a shared file\n');

      // Once only: a second call is refused and mounts nothing more.
      const mountsBound = mountsBelow(policy.sessionDir);
      expect(mountsBound).toEqual(
        expect.arrayContaining([path.join(lateDir, 'shared'), path.join(lateDir, 'note.txt')]),
      );
      await expect(
        sandbox.bindGrants([{ hostPath: ownerDir, sandboxPath: '/files/again', access: 'read' }]),
      ).rejects.toThrow(/already/);
      expect(mountsBelow(policy.sessionDir)).toEqual(mountsBound);
      expect(fs.readdirSync(lateDir).sort()).toEqual(['note.txt', 'shared']);
    } finally {
      await sandbox.destroyed();
    }
    // After: nothing mounted in the session folder, no grant filesystem (nor anything) of it left.
    expectNothingLeft(policy);
  }, 60_000);

  it('takes writable grants of its one access: Landlock holds them to it, the budget to its room', async () => {
    const drafts = h.dir('owner-drafts-5e2b', { 'keep.txt': 'keep\n', 'old.txt': 'old\n' });
    const script = `${TRY}
echo "waiting: yes"
i=0; until [ -e /files/Drafts/keep.txt ] || [ $i -ge 200 ]; do sleep 0.1; i=$((i+1)); done
echo "read: $(cat /files/Drafts/keep.txt 2>&1)"
try create sh -c 'echo new > /files/Drafts/new.txt'
try write sh -c 'echo more >> /files/Drafts/keep.txt'
try mkdir mkdir /files/Drafts/sub
try delete rm /files/Drafts/old.txt
try top sh -c ': > /files/top.txt'
try big sh -c 'head -c 300000 /dev/zero > /files/Drafts/sub/big.bin'
echo "done: yes"
sleep 60`;
    const { policy, sandbox } = await startLate(script, 'read-write');
    try {
      await untilSaid(policy, 'waiting');
      // Only grants of its access: not read-only ones, nor ones that may also delete.
      for (const access of ['read', 'read-write-delete'] as const) {
        await expect(sandbox.bindGrants([{ hostPath: drafts, sandboxPath: '/files/Drafts', access }])).rejects.toThrow(
          /must be read-write:/,
        );
      }
      await sandbox.bindGrants([{ hostPath: drafts, sandboxPath: '/files/Drafts', access: 'read-write' }], {
        bytes: 100_000,
        entries: 100,
      });
      await untilSaid(policy, 'done');
      const r = results(appLog(policy));
      expect(r.read).toBe('keep');
      for (const label of ['create', 'write', 'mkdir']) expect(r[label], `${label}: ${r[label]}`).toBe('ok');
      // Landlock's rule for /files, set before the grant existed, is read-write: no deleting.
      expect(r.delete).toMatch(/^failed .*Permission denied/);
      // /files itself stays a read-only mount.
      expect(r.top).toMatch(/^failed .*(Read-only file system|Permission denied)/);
      // The session's room in the owner's storage holds (the grant filesystem's budget).
      expect(r.big).toMatch(/^failed .*No space left on device/);
      expect(fs.readdirSync(drafts).sort()).toEqual(['keep.txt', 'new.txt', 'old.txt', 'sub']);
      expect(fs.readFileSync(path.join(drafts, 'keep.txt'), 'utf8')).toBe('keep\nmore\n');
    } finally {
      await sandbox.destroyed();
    }
    expectNothingLeft(policy);
  }, 60_000);

  it('takes an owner’s storage at /files itself: empty and unchangeable until then, all rights within the budget after', async () => {
    const storage = h.dir('owner-storage-3d8e', { 'keep.txt': 'keep\n', 'old.txt': 'old\n' });
    fs.writeFileSync(path.join(storage, 'run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
    const script = `${TRY}
echo "before: [$(ls -A /files 2>&1)]"
try early sh -c ': > /files/early.txt'
echo "waiting: yes"
i=0; until [ -e /files/keep.txt ] || [ $i -ge 200 ]; do sleep 0.1; i=$((i+1)); done
echo "read: $(cat /files/keep.txt 2>&1)"
try create sh -c 'echo new > /files/new.txt'
try mkdir mkdir /files/sub
try delete rm /files/old.txt
try rename perl -e 'rename("/files/new.txt", "/files/renamed.txt") or die "$!\\n"'
try big sh -c 'head -c 300000 /dev/zero > /files/sub/big.bin'
try exec /files/run.sh
echo "files-mount: $(grep ' /files ' /proc/self/mountinfo)"
echo "all: $(tr '\\n' '|' < /proc/self/mountinfo)"
echo "done: yes"
sleep 60`;
    const { policy, sandbox } = await startLate(script, 'read-write-delete', true);
    try {
      await untilSaid(policy, 'waiting');
      // Before: an empty /files that takes nothing.
      let r = results(appLog(policy));
      expect(r.before).toBe('[]');
      expect(r.early).toMatch(/^failed .*(Read-only file system|Permission denied)/);
      // Refused, and the one hand-over not used up: another access, a name below /files, a file.
      const mounts = mountsBelow(policy.sessionDir);
      const own = { hostPath: storage, sandboxPath: '/files', access: 'read-write-delete' } as const;
      await expect(sandbox.bindGrants([{ ...own, access: 'read' }])).rejects.toThrow(/must be read-write-delete/);
      await expect(sandbox.bindGrants([{ ...own, sandboxPath: '/files/x' }])).rejects.toThrow(/one folder at/);
      await expect(sandbox.bindGrants([{ ...own, hostPath: ownerFile }])).rejects.toThrow(/must be a folder/);
      expect(mountsBelow(policy.sessionDir)).toEqual(mounts);

      await sandbox.bindGrants([own], { bytes: 100_000, entries: 100 });
      await untilSaid(policy, 'done');
      r = results(appLog(policy));
      expect(r.read).toBe('keep');
      for (const label of ['create', 'mkdir', 'delete', 'rename']) expect(r[label], `${label}: ${r[label]}`).toBe('ok');
      // The session's room in the owner's storage (the budget came with the folder).
      expect(r.big).toMatch(/^failed .*No space left on device/);
      // Landlock's rule for /files (read, write, delete) never included running programs.
      expect(r.exec).toMatch(/^failed .*Permission denied/);
      // The grant filesystem's own mount at /files, no host path of the owner's anywhere.
      expect(r['files-mount']).toMatch(/ \/ \/files .* - fuse\.vitrine-grant vitrine-grant /);
      expect(r.all).not.toContain(path.basename(storage));
      expect(fs.readdirSync(storage).sort()).toEqual(['keep.txt', 'renamed.txt', 'run.sh', 'sub']);
      // Once only.
      await expect(sandbox.bindGrants([own])).rejects.toThrow(/already/);
    } finally {
      await sandbox.destroyed();
    }
    expectNothingLeft(policy);
  }, 60_000);

  it('destroyed() while grants are still being bound leaves nothing mounted or running', async () => {
    const { policy, sandbox } = await startLate('sleep 60');
    const binding = sandbox.bindGrants(sharedGrants());
    const destroyed = sandbox.destroyed();
    await binding.catch(() => {});
    await destroyed;
    await expect(sandbox.bindGrants(sharedGrants())).rejects.toThrow();
    expectNothingLeft(policy);
  }, 30_000);

  it('a sandbox started with its grants refuses more', async () => {
    const policy = h.policy('sleep 60', { grants: [sharedGrants()[0]!] });
    const sandbox = await startSandbox(h.host, policy, 10_000, path.basename(policy.sessionDir));
    try {
      await sandbox.ready;
      const before = mountsBelow(policy.sessionDir);
      await expect(sandbox.bindGrants([sharedGrants()[1]!])).rejects.toThrow(/when it started/);
      expect(mountsBelow(policy.sessionDir)).toEqual(before);
      expect(fs.existsSync(path.join(policy.sessionDir, 'late-grants'))).toBe(false);
    } finally {
      await end(policy, sandbox);
    }
  }, 30_000);

  it('cannot start with grants of its own, nor without the grant filesystem; nothing is made', async () => {
    const withGrants = {
      ...h.policy('true', { grants: sharedGrants() }),
      lateGrants: { access: 'read', atFiles: false },
    } satisfies SandboxPolicy;
    await expect(startSandbox(h.host, withGrants, 10_000, 'late-refused')).rejects.toThrow(/starts with none/);
    expect(fs.existsSync(withGrants.sessionDir)).toBe(false);
    const noGrantFs = { ...h.policy('true'), lateGrants: { access: 'read', atFiles: false } } satisfies SandboxPolicy;
    await expect(startSandbox({ ...h.host, grantFs: null }, noGrantFs, 10_000, 'late-refused')).rejects.toThrow(
      /grant filesystem/,
    );
    expect(fs.existsSync(noGrantFs.sessionDir)).toBe(false);
  });
});
