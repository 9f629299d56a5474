/**
 * When and how the viewer gets a lost session back, as pure rules (the supervisor applies them):
 * which ends are worth recovering from, how long to wait between tries, and what to do once the
 * server answers again: rejoin the session (it is still alive: a network blip within its grace
 * period), open the same app again (the session ended with the server's restart), or stop.
 */
import { SessionEndReason, type SessionInfo } from '@vitrine/protocol';
import { ApiError } from '../shared/api.ts';
import { describeEndReason, type RecoveryKind, type SessionEnd } from './viewerState.ts';

/** Tries stop after this long without getting the session back; the person can try again. */
export const GIVE_UP_AFTER_MS = 3 * 60_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/**
 * The recovery an end calls for, or null when the end is final. A connection that never streamed
 * ends for good (its message says why, e.g. the connectivity diagnosis); one that streamed and was
 * then lost is tried again.
 */
export function recoveryFor(end: SessionEnd, streamed: boolean): RecoveryKind | null {
  switch (end.kind) {
    case 'server-restarting':
      return 'restarting';
    case 'signaling-lost':
    case 'unreachable':
    case 'signaling-failed':
    case 'ice-failed':
    case 'timeout':
      return streamed ? 'reconnecting' : null;
    default:
      return null;
  }
}

/** The wait before try `attempt` (0-based): 0.5, 1, 2, 4, 8, then 10 s, each ±20 % so a crowd spreads. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Ends that came with the server (or, multi-node, the machine running the session) stopping:
 * nobody chose them, so the app is opened again (on a machine that is up).
 */
const RESTART_REASONS: ReadonlySet<string> = new Set<SessionEndReason>([
  'server shutdown',
  'server crash',
  'worker lost',
]);

export type RecoveryStep =
  /** The session is alive: connect to it again. */
  | { do: 'rejoin' }
  /** The session ended with the server's restart (or its worker's loss): open the same app on the same share. */
  | { do: 'reopen'; appId: string; shareId: string | undefined; reason: SessionEndReason }
  /** No answer yet (the server is still down or starting): try again later. */
  | { do: 'wait' }
  /** Nothing to get back: say why. */
  | { do: 'end'; end: SessionEnd };

/** What to do once the session's record (`GET /api/sessions/:id`) answered, or failed to. */
export function stepAfterProbe(result: { info: SessionInfo } | { error: unknown }): RecoveryStep {
  if ('info' in result) {
    const { info } = result;
    if (info.state !== 'ended') return { do: 'rejoin' };
    const reason = info.endReason ?? '';
    if (RESTART_REASONS.has(reason) && isEndReason(reason))
      return { do: 'reopen', appId: info.appId, shareId: info.shareId ?? undefined, reason };
    return {
      do: 'end',
      end: {
        kind: 'server-bye',
        ...(isEndReason(reason) ? { reason } : {}),
        message: describeEndReason(reason || 'error'),
      },
    };
  }
  const err = result.error;
  if (err instanceof ApiError) {
    if (err.unreachable || err.status >= 500 || err.status === 429) return { do: 'wait' };
    if (err.status === 404) {
      return {
        do: 'end',
        end: { kind: 'unknown-session', message: 'This session does not exist any more.' },
      };
    }
    return { do: 'end', end: { kind: 'signaling-failed', message: err.message } };
  }
  return { do: 'wait' };
}

/** Whether opening the app again failed for a passing reason (worth another try) or for good. */
export function reopenFailureIsPassing(err: unknown): boolean {
  return err instanceof ApiError && (err.unreachable || err.status >= 500);
}

function isEndReason(reason: string): reason is SessionEndReason {
  return SessionEndReason.safeParse(reason).success;
}
