import type { SessionEndReason } from '@vitrine/protocol';

/**
 * How a session's app is stopped. Most ends give it a grace period: it hears `shutdown` on its
 * control channel and gets SIGTERM, and is killed only if it is still running when the period is
 * over. An app that broke a limit, is already gone, or never started properly is killed at once:
 * waiting on it would only prolong what the end is for.
 */
const KILLED_AT_ONCE: ReadonlySet<SessionEndReason> = new Set<SessionEndReason>([
  'app exited',
  'app crashed',
  'out of memory',
  'process limit',
  'cpu limit',
  'error',
  'server crash',
]);

/** The grace period an app gets when its session ends for `reason` (0: killed at once). */
export function shutdownGraceMs(reason: SessionEndReason, configuredMs: number): number {
  return KILLED_AT_ONCE.has(reason) ? 0 : Math.max(0, configuredMs);
}

/**
 * Why a session ends when its app's process ended by itself: a clean exit (status 0) is the app
 * closing; anything else (a non-zero status, a signal it did not ask for) is a crash.
 */
export function appEndReason(exit: {
  code: number | null;
  signal: NodeJS.Signals | null;
}): 'app exited' | 'app crashed' {
  return exit.code === 0 ? 'app exited' : 'app crashed';
}
