import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The seccomp allow-lists an app may choose in its manifest (`syscalls`), strictest first:
 * "base" is what the sandbox's own programs (session-init.sh, Xvfb) and plain X11 apps use;
 * "browser" adds what Chromium, Node.js and LibreOffice use. A syscall on no list of the session
 * fails with ENOSYS (native/vitrine-sandbox-init.c); scripts/trace-syscalls.sh regenerates them.
 */
export const SYSCALL_PROFILES = ['base', 'browser'] as const;
export type SyscallProfile = (typeof SYSCALL_PROFILES)[number];

/** The lists' folder on the host: one `<name>.txt` per profile, and `audio.txt`. */
export const SYSCALL_LISTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'syscalls');

/**
 * The lists a session's init helper unites, by name: base always (the display runs in every
 * sandbox), audio when the sound server runs (it is part of the platform, not of the app), then
 * the app's profile.
 */
export function syscallListNames(profile: SyscallProfile, audio: boolean): string[] {
  const names = ['base', ...(audio ? ['audio'] : []), profile];
  return [...new Set(names)];
}

/** Every list, as host paths: the start-up check has the helper read them all. */
export function allSyscallLists(): string[] {
  return [...new Set(['base', 'audio', ...SYSCALL_PROFILES])].map((n) => path.join(SYSCALL_LISTS_DIR, `${n}.txt`));
}
