// Turns strace output of session sandboxes into the seccomp allow-lists of
// server/src/sandbox/syscalls/. Run by scripts/trace-syscalls.sh (which makes the traces); on its own:
//
//   node scripts/trace-syscalls.ts [--fresh] TRACE_DIR "COMMAND THAT WAS TRACED"
//
// TRACE_DIR holds one folder per sandbox, each with `strace -ff -o t` files (t.<pid>, one per
// process or thread, --pidns-translation so that clone's result names the child's file).
// Only what runs under the init helper's filter counts: from its exec of /run/vitrine/init on,
// in that process and everything it starts. Each process has a role, inherited by its children:
// "platform" (session-init.sh, Xvfb, their tools) → base.txt; "audio" (the sound server, from its
// exec of /run/vitrine/sound-server) → audio.txt; "app" (from the first exec of a file under
// /app) → the list of the profile the sandbox was started with (its --syscalls arguments).
// Without --fresh the lists only grow (a trace sees only the paths the tests took); with it, each
// list something was traced for is replaced (so trace every bundled app in one run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SYSCALL_LISTS_DIR, SYSCALL_PROFILES } from '../server/src/sandbox/syscall-profiles.ts';

export type Role = 'platform' | 'audio' | 'app';

export interface SandboxTrace {
  /** The lists the helper was given, by name (base, audio, browser...). */
  lists: string[];
  calls: Record<Role, Set<string>>;
  /** Names strace could not name (syscall_0x...): a newer kernel than strace knows. */
  unnamed: Set<string>;
}

const HELPER = '/run/vitrine/sandbox-init';
const SESSION_INIT = '/run/vitrine/init';
const SOUND_SERVER = '/run/vitrine/sound-server';

/** One strace line: `name(args) = ret`, `name(args <unfinished ...>` or `<... name resumed>...) = ret`. */
const LINE = /^(?:<\.\.\. )?([a-z_][a-z0-9_]*)(?:\(| resumed>)/;
// clone/fork's result: "= 3", or for a child in another PID namespace "= 3 /* 2345 in strace's PID NS */".
const CHILD = /= (\d+)(?: \/\* (\d+) in strace's PID NS \*\/)?$/;

function execPath(line: string): string | null {
  const m = /^execve\("([^"]*)",.*\) = 0$/.exec(line);
  return m ? m[1]! : null;
}

function nextRole(role: Role, exec: string): Role {
  if (role !== 'platform') return role;
  if (exec === SOUND_SERVER) return 'audio';
  return exec.startsWith('/app/') ? 'app' : 'platform';
}

/** Reads one sandbox's trace folder; null when it is not a session sandbox (e.g. `bwrap --version`). */
export function readSandboxTrace(dir: string): SandboxTrace | null {
  const files = new Map<number, string[]>();
  for (const f of fs.readdirSync(dir)) {
    const m = /^t\.(\d+)$/.exec(f);
    if (m) files.set(Number(m[1]), fs.readFileSync(path.join(dir, f), 'utf8').split('\n'));
  }
  let root: number | undefined;
  let lists: string[] = [];
  for (const [pid, lines] of files) {
    const start = lines.find((l) => l.startsWith(`execve("${HELPER}", `));
    if (!start) continue;
    root = pid;
    lists = [...start.matchAll(/"--syscalls", "[^"]*\/([\w-]+)\.txt"/g)].map((m) => m[1]!);
  }
  if (root === undefined) return null;
  const trace: SandboxTrace = {
    lists,
    calls: { platform: new Set(), audio: new Set(), app: new Set() },
    unnamed: new Set(),
  };
  // Breadth-first over the process tree: [pid, role, whether this process counts from its first line].
  const queue: Array<[number, Role, boolean]> = [[root, 'platform', false]];
  const seen = new Set<number>();
  while (queue.length) {
    const [pid, startRole, counting] = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    let role = startRole;
    let on = counting;
    for (const line of files.get(pid) ?? []) {
      const exec = execPath(line);
      if (!on && exec === SESSION_INIT) on = true;
      if (!on) continue;
      const name = LINE.exec(line)?.[1];
      if (!name) continue;
      if (name.startsWith('syscall_')) trace.unnamed.add(name);
      else trace.calls[role].add(name);
      if (exec) role = nextRole(role, exec);
      if (/^(?:<\.\.\. )?(clone|clone3|fork|vfork)\b/.test(line) && !line.includes('<unfinished')) {
        const m = CHILD.exec(line);
        if (m) queue.push([Number(m[2] ?? m[1]), role, true]);
      }
    }
  }
  return trace;
}

/** The syscalls the helper refuses whatever a list says (its `denied[]`, and clone3). */
export function alwaysRefused(initSource: string): Set<string> {
  const body = /static const char \*const denied\[\] = \{([^}]*)\}/.exec(initSource)?.[1];
  if (!body) throw new Error('cannot find denied[] in vitrine-sandbox-init.c');
  return new Set([...body.matchAll(/"(\w+)"/g)].map((m) => m[1]!).concat('clone3'));
}

/** Per list name, what the traces saw: base takes the platform (and base apps), each profile its apps. */
export function listsFromTraces(traces: SandboxTrace[], refused: Set<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>(['base', 'audio', ...SYSCALL_PROFILES].map((n) => [n, new Set()]));
  for (const t of traces) {
    const profile = t.lists.filter((n) => n !== 'base' && n !== 'audio').at(-1) ?? 'base';
    const target = out.get(profile);
    if (!target) throw new Error(`a sandbox was given an unknown list "${profile}"`);
    for (const n of t.calls.platform) out.get('base')!.add(n);
    for (const n of t.calls.audio) out.get('audio')!.add(n);
    for (const n of t.calls.app) target.add(n);
  }
  for (const set of out.values()) for (const n of refused) set.delete(n);
  // base is in every sandbox: the others need not repeat it.
  for (const [name, set] of out) if (name !== 'base') for (const n of out.get('base')!) set.delete(n);
  return out;
}

const ABOUT: Record<string, string> = {
  base: 'every sandbox: session-init.sh, Xvfb and its tools, and apps whose manifest names no profile (xclock, diagnostics)',
  audio: 'added for apps with "audio": true: the sound server (PulseAudio) and its start script',
  browser:
    'added to base for apps whose manifest says "syscalls": "browser": Chromium, Node.js, LibreOffice and what the File Explorer runs',
};

/** The line after which a list's names were added by hand, each with its reason; kept as they are. */
export const BY_HAND = '# Added by hand (kept when the list is regenerated), what a trace cannot show:';

/** The names of list lines (comments and blank lines dropped). */
const namesOf = (lines: string[]) => lines.map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);

/** A list file: its header (how it was made, every trace that fed it), the names sorted, the hand-added. */
export function listFile(name: string, names: Set<string>, traced: string[], byHand: string[] = []): string {
  const handNames = new Set(namesOf(byHand));
  return [
    `# seccomp allow-list "${name}" of the session sandbox: ${ABOUT[name] ?? name}.`,
    '# Produced by scripts/trace-syscalls.sh: the syscalls that programs in session sandboxes made while the',
    '# commands below ran, traced with strace on bubblewrap (the init helper not enforcing, see',
    '# docs/security.md). A syscall on no list of a session fails with ENOSYS; the escape syscalls are',
    '# refused (EPERM) whatever a list says. One name per line.',
    ...traced.map((t) => `# traced: ${t}`),
    ...[...names].filter((n) => !handNames.has(n)).sort(),
    ...(byHand.length ? ['', BY_HAND, ...byHand] : []),
    '',
  ].join('\n');
}

export function readList(text: string): { names: Set<string>; traced: string[]; byHand: string[] } {
  const lines = text.split('\n');
  const hand = lines.indexOf(BY_HAND);
  const byHand = hand < 0 ? [] : lines.slice(hand + 1).filter((l) => l.trim() !== '');
  const traced = lines.flatMap((l) => (l.startsWith('# traced: ') ? [l.slice('# traced: '.length)] : []));
  const names = new Set(namesOf(hand < 0 ? lines : lines.slice(0, hand)));
  return { names, traced, byHand };
}

function main(argv: string[]): void {
  const fresh = argv[0] === '--fresh';
  const [traceDir, command] = fresh ? argv.slice(1) : argv;
  if (!traceDir || !command) throw new Error('usage: node scripts/trace-syscalls.ts [--fresh] TRACE_DIR COMMAND');
  const traces = fs
    .readdirSync(traceDir)
    .map((d) => readSandboxTrace(path.join(traceDir, d)))
    .filter((t): t is SandboxTrace => t !== null);
  if (traces.length === 0) throw new Error(`no session sandbox was traced in ${traceDir}`);
  const initSource = fs.readFileSync(path.resolve(import.meta.dirname, '../native/vitrine-sandbox-init.c'), 'utf8');
  const seen = listsFromTraces(traces, alwaysRefused(initSource));
  const mode = fresh ? 'everything' : 'what base.txt did not allow yet';
  const stamp = `${new Date().toISOString().slice(0, 10)}, Linux ${os.release()}, ${mode}: ${command}`;
  console.log(`${traces.length} sandboxes traced`);
  const unnamed = new Set(traces.flatMap((t) => [...t.unnamed]));
  if (unnamed.size) console.log(`strace could not name (not listed): ${[...unnamed].join(' ')}`);
  // base first (the map's order): what it ends up with, hand-added names too, the others need not repeat.
  const inBase = new Set<string>();
  for (const [name, names] of seen) {
    const file = path.join(SYSCALL_LISTS_DIR, `${name}.txt`);
    const before = readList(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    if (names.size === 0) {
      console.log(`${name}.txt: nothing of this kind was traced, left as it is`);
      continue;
    }
    const after = new Set([...(fresh ? [] : before.names), ...names].filter((n) => !inBase.has(n)));
    if (name === 'base') for (const n of [...after, ...namesOf(before.byHand)]) inBase.add(n);
    const added = [...after].filter((n) => !before.names.has(n));
    const dropped = [...before.names].filter((n) => !after.has(n));
    fs.writeFileSync(file, listFile(name, after, [...(fresh ? [] : before.traced), stamp], before.byHand));
    console.log(
      `${name}.txt: ${after.size} syscalls; added: ${added.join(' ') || '-'}; dropped: ${dropped.join(' ') || '-'}`,
    );
  }
}

if (import.meta.main) main(process.argv.slice(2));
