import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alwaysRefused, BY_HAND, listFile, listsFromTraces, readList, readSandboxTrace } from './trace-syscalls.ts';

let dir = '';
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A sandbox's trace folder: one `t.<pid>` file per process, as `strace -ff -o t` writes them. */
function sandbox(files: Record<number, string[]>): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-trace-test-'));
  for (const [pid, lines] of Object.entries(files)) fs.writeFileSync(path.join(dir, `t.${pid}`), lines.join('\n'));
  return dir;
}

// bubblewrap (100) starts its init (101), which starts the helper (102); the helper becomes
// session-init.sh, which starts the sound server (103) and Xvfb (104) and then becomes the app,
// whose thread (105) is started while the call that made it was interrupted.
const TRACE = {
  100: [
    'execve("/usr/bin/bwrap", ["bwrap", "--unshare-all"], 0x7ffd /* 9 vars */) = 0',
    'mount("none", "/", NULL, MS_REC|MS_SILENT|MS_SLAVE, NULL) = 0',
    'clone(child_stack=NULL, flags=CLONE_NEWNS|CLONE_NEWPID|SIGCHLD) = 101',
  ],
  101: [
    'pivot_root(".", ".")                  = 0',
    "clone(child_stack=NULL, flags=SIGCHLD) = 2 /* 102 in strace's PID NS */",
  ],
  102: [
    'execve("/run/vitrine/sandbox-init", ["/run/vitrine/sandbox-init", "--syscalls", "/run/vitrine/syscalls/base.txt", "--syscalls", "/run/vitrine/syscalls/audio.txt", "--syscalls", "/run/vitrine/syscalls/browser.txt", "--syscalls-permissive", "--", "/run/vitrine/init"], 0x7ffc /* 12 vars */) = 0',
    'landlock_create_ruleset(0x7ffc, 24, 0) = 3',
    'execve("/run/vitrine/init", ["/run/vitrine/init", "1280", "720", "/app/run.sh"], 0x5 /* 12 vars */) = 0',
    "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = 3 /* 103 in strace's PID NS */",
    "vfork()                                 = 4 /* 104 in strace's PID NS */",
    'execve("/app/missing", ["/app/missing"], 0x5 /* 12 vars */) = -1 ENOENT (No such file or directory)',
    "wait4(-1, 0x7ffc, 0, NULL)              = 3 /* 103 in strace's PID NS */",
    'execve("/app/run.sh", ["/app/run.sh"], 0x5 /* 12 vars */) = 0',
    'clone(child_stack=0x7f, flags=CLONE_VM|CLONE_THREAD <unfinished ...>',
    "<... clone resumed>, parent_tid=[5], tls=0x7f) = 5 /* 105 in strace's PID NS */",
    'ptrace(PTRACE_TRACEME)                  = -1 EPERM (Operation not permitted)',
    'syscall_0x1d2(0, 0)                     = -1 ENOSYS (Function not implemented)',
  ],
  103: [
    'execve("/run/vitrine/sound-server", ["/run/vitrine/sound-server"], 0x5 /* 12 vars */) = 0',
    'sched_setscheduler(0, SCHED_OTHER) = 0',
  ],
  104: ['execve("/usr/bin/Xvfb", ["Xvfb", ":0"], 0x5 /* 12 vars */) = 0', 'shmget(IPC_PRIVATE, 4096, 0600) = 7'],
  105: ['memfd_create("x", MFD_CLOEXEC)         = 6'],
};

describe('readSandboxTrace', () => {
  it('counts from the exec of session-init on, follows children and threads, and gives each its role', () => {
    const t = readSandboxTrace(sandbox(TRACE))!;
    expect(t.lists).toEqual(['base', 'audio', 'browser']);
    expect([...t.calls.platform].sort()).toEqual(['clone', 'execve', 'shmget', 'vfork', 'wait4']);
    expect([...t.calls.audio]).toEqual(['sched_setscheduler']); // its execve is still session-init's shell
    expect([...t.calls.app].sort()).toEqual(['clone', 'memfd_create', 'ptrace']);
    expect([...t.unnamed]).toEqual(['syscall_0x1d2']);
  });

  it('is null for a bubblewrap run that started no session (bwrap --version)', () => {
    expect(
      readSandboxTrace(sandbox({ 7: ['execve("/usr/bin/bwrap", ["bwrap", "--version"], 0x1 /* 1 var */) = 0'] })),
    ).toBeNull();
  });
});

describe('listsFromTraces', () => {
  it('puts the platform in base, the sound server in audio, the app in its profile; never an escape syscall', () => {
    const t = readSandboxTrace(sandbox(TRACE))!;
    const refused = alwaysRefused('static const char *const denied[] = {\n\t"ptrace", "mount",\n};');
    expect(refused).toEqual(new Set(['ptrace', 'mount', 'clone3']));
    const lists = listsFromTraces([t], refused);
    expect([...lists.get('base')!].sort()).toEqual(['clone', 'execve', 'shmget', 'vfork', 'wait4']);
    expect([...lists.get('audio')!]).toEqual(['sched_setscheduler']);
    expect([...lists.get('browser')!]).toEqual(['memfd_create']);
  });

  it("reads the real helper's deny-list", () => {
    const source = fs.readFileSync(path.resolve(import.meta.dirname, '../native/vitrine-sandbox-init.c'), 'utf8');
    expect(alwaysRefused(source)).toEqual(expect.objectContaining({ size: 47 }));
    expect([...alwaysRefused(source)]).toEqual(
      expect.arrayContaining(['ptrace', 'unshare', 'io_uring_setup', 'clone3']),
    );
  });
});

describe('list files', () => {
  it('keeps the traces that fed a list and the names added by hand, with their reasons', () => {
    const byHand = ['exit            # a thread ends with it'];
    const text = listFile('base', new Set(['write', 'exit', 'read']), ['2025-01-01: npx vitest run x'], byHand);
    expect(text).toMatch(/^# seccomp allow-list "base"/);
    expect(text).toContain(
      `# traced: 2025-01-01: npx vitest run x\nread\nwrite\n\n${BY_HAND}\nexit            # a thread`,
    );
    expect(readList(text)).toEqual({
      names: new Set(['read', 'write']),
      traced: ['2025-01-01: npx vitest run x'],
      byHand,
    });
  });
});
