/**
 * The viewer's states and how a viewer connection ends, and the words the viewer shows for them:
 * what it is waiting for, why the session ended, what to call that end.
 */
import type { SessionEndReason } from '@vitrine/protocol';

/**
 * Lifecycle, in order: signaling (socket connecting) → negotiating (waiting for / answering the
 * offer) → connecting (ICE) → connected (media path up) → streaming (first frame decoded and input
 * channel open). `reconnecting` while ICE is disconnected. Terminal: ended, failed, error.
 */
export type ViewerState =
  | 'idle'
  | 'signaling'
  | 'negotiating'
  | 'connecting'
  | 'connected'
  | 'streaming'
  | 'reconnecting'
  | 'ended'
  | 'failed'
  | 'error';

export const TERMINAL_STATES: ReadonlySet<ViewerState> = new Set(['ended', 'failed', 'error']);

const PROGRESS_TEXT: Partial<Record<ViewerState, string>> = {
  idle: 'Connecting…',
  signaling: 'Connecting…',
  negotiating: 'Connecting…',
  connecting: 'Connecting…',
  reconnecting: 'The connection was interrupted. Reconnecting…',
};

/** What the viewer is waiting for, shown over the video until it streams; undefined when nothing. */
export function progressText(state: ViewerState): string | undefined {
  return !TERMINAL_STATES.has(state) && state !== 'streaming' ? PROGRESS_TEXT[state] : undefined;
}

/** How the viewer gets a lost session back (useStreamSession's recovery), for the words it shows. */
export type RecoveryKind = 'reconnecting' | 'restarting' | 'reopening';

export interface Recovery {
  kind: RecoveryKind;
  /** Attempts made so far (0 while waiting for the first). */
  attempt: number;
}

/**
 * What the overlay over the video says, in order of precedence: a recovery under way, the
 * connection being made, then the app opening (streaming, but the app has not drawn yet).
 * Undefined once the app shows (or the session is over: the end message says the rest).
 */
export function overlayText(
  state: ViewerState,
  opts: { recovery: Recovery | null; appShown: boolean; appName: string | null; ended: boolean },
): { kind: RecoveryKind | 'connecting' | 'opening'; text: string; detail?: string } | undefined {
  if (opts.ended) return undefined;
  const app = opts.appName ?? 'the app';
  switch (opts.recovery?.kind) {
    case 'restarting':
      return {
        kind: 'restarting',
        text: 'The server is restarting…',
        detail: 'This page reconnects by itself as soon as it is back.',
      };
    case 'reopening':
      return { kind: 'reopening', text: `Opening ${app} again…` };
    case 'reconnecting':
      return { kind: 'reconnecting', text: 'The connection was interrupted. Reconnecting…' };
  }
  const progress = progressText(state);
  if (progress) return { kind: state === 'reconnecting' ? 'reconnecting' : 'connecting', text: progress };
  if (!opts.appShown) return { kind: 'opening', text: `Opening ${app}…` };
  return undefined;
}

export type EndKind =
  | 'user'
  | 'server-bye'
  | 'ice-failed'
  | 'unknown-session'
  | 'already-viewed'
  /** Another tab (or device) of the same person took the session ("Use here" there). */
  | 'taken-over'
  /** The server said it is stopping (restart): the viewer recovers by itself. */
  | 'server-restarting'
  /** The session ended with the server's restart and opening the app again failed. */
  | 'reopen-failed'
  | 'unreachable'
  | 'signaling-failed'
  | 'signaling-lost'
  | 'timeout';

export interface SessionEnd {
  kind: EndKind;
  /** The server's end reason for `server-bye` (e.g. "app exited", "idle timeout"). */
  reason?: SessionEndReason;
  detail?: string;
  message: string;
}

const END_REASON_TEXT: Record<SessionEndReason, string> = {
  'user ended': 'The session was ended.',
  'peer gone': 'The viewer connection was lost.',
  'idle timeout': 'The session ended after being idle for too long (idle timeout).',
  'app exited': 'The app exited.',
  'app crashed': 'The app stopped unexpectedly. You can open it again.',
  'out of memory': 'The app ran out of memory (the session’s memory limit was reached).',
  'process limit': 'The app started too many processes (the session’s process limit was reached).',
  'cpu limit': 'The app used all the processor time it is allowed for too long.',
  'encoder failed': 'The video encoder failed.',
  error: 'The session ended because of a server error.',
  'server shutdown': 'The server is shutting down.',
  'server crash': 'The server stopped unexpectedly.',
  'worker lost': 'The machine running this session stopped answering. Open it again to continue.',
  'share revoked': 'The owner revoked this share, so the session ended.',
  'account deleted': "The files' owner no longer has an account here, so the session ended.",
  'share expired': 'This share has expired, so the session ended.',
  'share changed': 'The owner changed this share, so the session ended. Open the share again to continue.',
  'time limit': 'The session reached the time limit the owner set for this share. Open the share again to continue.',
  'signed out': 'You signed out (here or elsewhere), so the session ended.',
  'recording failed':
    'This share’s sessions are recorded, and the recording could not be written, so the session ended.',
};

/**
 * What ended a session the viewer then opened again by itself (reconnect.ts), as the start of a
 * sentence: a restart of the server, or (multi-node) the loss of the machine that ran it.
 */
export function reopenCause(reason: SessionEndReason): string {
  return reason === 'worker lost' ? 'The server running this session stopped' : 'The server restarted';
}

/** The server's end reason (`bye`) as a sentence; one this client does not know is quoted. */
export function describeEndReason(reason: string): string {
  return (END_REASON_TEXT as Record<string, string>)[reason] ?? `The session ended (${reason}).`;
}

/**
 * Ends after which "End session" makes no sense: nothing is left to delete on the server, or the
 * session belongs to another open viewer (which can be ended from the apps page deliberately).
 */
const NOTHING_LEFT_TO_END: ReadonlySet<SessionEnd['kind']> = new Set([
  'user',
  'server-bye',
  'unknown-session',
  'already-viewed',
  'taken-over',
  'server-restarting',
  'reopen-failed',
]);

/** Titles for server ends that are about the share or the sign-in rather than the app. */
const REASON_TITLE: Partial<Record<SessionEndReason, string>> = {
  'share revoked': 'Share revoked',
  'account deleted': 'Share no longer available',
  'share expired': 'Share expired',
  'share changed': 'Share changed',
  'time limit': 'Time limit reached',
  'signed out': 'Signed out',
  'app crashed': 'The app stopped',
};

/** Whether "End session" still has something to end (always, before the viewer connection ended). */
export function canEndSession(end: SessionEnd | null): boolean {
  return end === null || !NOTHING_LEFT_TO_END.has(end.kind);
}

/** The title of the message that says the viewer connection ended. */
export function endTitle(end: SessionEnd): string {
  switch (end.kind) {
    case 'server-bye':
      return (end.reason && REASON_TITLE[end.reason]) || 'Session ended';
    case 'user':
      return 'Session ended';
    case 'ice-failed':
      return 'Connection failed';
    case 'unknown-session':
      return 'Unknown session';
    case 'already-viewed':
      return 'Session already open';
    case 'taken-over':
      return 'Opened in another tab';
    case 'server-restarting':
      return 'The server is restarting';
    case 'reopen-failed':
      return 'Could not open it again';
    case 'unreachable':
      return 'Server unreachable';
    default:
      return 'Connection problem';
  }
}

/** An end the person chose or expects is news; a share or sign-in end a warning; a failure an error. */
export function endSeverity(end: SessionEnd): 'info' | 'warning' | 'error' {
  if (end.kind === 'server-bye' && end.reason && REASON_TITLE[end.reason]) return 'warning';
  if (end.kind === 'user' || end.kind === 'server-bye') return 'info';
  if (end.kind === 'already-viewed' || end.kind === 'taken-over') return 'info';
  if (end.kind === 'server-restarting' || end.kind === 'reopen-failed') return 'warning';
  return 'error';
}
