import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bwrapArgs, type SandboxPolicy } from './sandbox.ts';
import { allSyscallLists, SYSCALL_LISTS_DIR, SYSCALL_PROFILES, syscallListNames } from './syscall-profiles.ts';

const policy = (extra: Partial<SandboxPolicy> = {}): SandboxPolicy => ({
  sessionDir: '/run/vitrine-test/sessions/s1',
  appDir: '/srv/apps/demo',
  binary: 'run.sh',
  args: [],
  display: { width: 1280, height: 720 },
  grants: [],
  limits: { memoryBytes: 512 * 2 ** 20, pids: 256, cpu: 1 },
  loopbackTcp: false,
  nodeRuntime: null,
  controlSocket: false,
  etcFiles: {},
  ...extra,
});

/** The init helper's `--syscalls` files, and what bubblewrap binds at each. */
function lists(p: SandboxPolicy) {
  const args = bwrapArgs(p, { initHelper: '/opt/helper', allowDegraded: false, user: null });
  const helper = args.slice(args.indexOf('/run/vitrine/sandbox-init'));
  const given = helper.flatMap((a, i) => (a === '--syscalls' ? [helper[i + 1]!] : []));
  const bound = given.map((inside) => args[args.indexOf(inside) - 1]);
  return { given, bound };
}

describe('seccomp allow-lists', () => {
  it('base for an app that names none; base + audio + the profile for a browser app with sound', () => {
    expect(lists(policy())).toEqual({
      given: ['/run/vitrine/syscalls/base.txt'],
      bound: [path.join(SYSCALL_LISTS_DIR, 'base.txt')],
    });
    expect(lists(policy({ syscalls: 'browser', audio: true })).given).toEqual([
      '/run/vitrine/syscalls/base.txt',
      '/run/vitrine/syscalls/audio.txt',
      '/run/vitrine/syscalls/browser.txt',
    ]);
    expect(syscallListNames('base', true)).toEqual(['base', 'audio']);
  });

  it('every list exists and holds one lower-case name per line, with a header saying how it was made', () => {
    expect(allSyscallLists().map((f) => path.basename(f, '.txt'))).toEqual([
      'base',
      'audio',
      ...SYSCALL_PROFILES.slice(1),
    ]);
    for (const file of allSyscallLists()) {
      const text = fs.readFileSync(file, 'utf8');
      expect(text, file).toMatch(/^# .*\n# Produced by scripts\/trace-syscalls\.sh/);
      const names = text
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean);
      expect(names.length, file).toBeGreaterThan(0);
      for (const n of names) expect(n, file).toMatch(/^[a-z0-9_]+$/);
      expect(new Set(names).size, `${file} has duplicates`).toBe(names.length);
    }
  });
});
