import type { SessionEndReason } from '@vitrine/protocol';
import type { SessionDirectory } from '../sessions/ports.ts';

/**
 * Who reacts to what across capabilities, by name: auth and shares announce what happened,
 * sessions are ended here. Nothing else wires one capability's news into another's action.
 */
export function sessionReactions(sessions: SessionDirectory) {
  return {
    /** Signing out, or a sign-in revoked, ends the sessions that sign-in launched. */
    signedOut: (signInId: string) => sessions.endWhere((l) => l.signInId === signInId, 'signed out'),
    /** A share revoked, narrowed or expired ends every session opened through it. */
    shareEnded: (shareId: string, reason: SessionEndReason) => sessions.endWhere((l) => l.shareId === shareId, reason),
    /** How many sessions are open through a share (the owner is told before editing it). */
    liveSessionsOf: (shareId: string) => sessions.liveCount((l) => l.shareId === shareId),
    liveShareIds: () => sessions.liveShareIds(),
  };
}

export type SessionReactions = ReturnType<typeof sessionReactions>;
