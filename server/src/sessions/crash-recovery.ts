import path from 'node:path';
import type { AuditEntry } from '../audit/chain.ts';
import { removeSessionLeftovers } from '../sandbox/leftovers.ts';
import type { SessionEndReason } from '@vitrine/protocol';
import type { EndedSession, SessionStore } from './session-store.ts';

/**
 * At start-up, before any session: removes what a crashed previous run left behind (session
 * processes and folders) and records its sessions that were still live as ended by the crash.
 */
export async function recoverFromCrash(deps: {
  runtimeDir: string;
  sessionsDir: string;
  store: SessionStore;
  audit: { record(entry: AuditEntry): Promise<void> };
  log: { warn(obj: object, msg: string): void };
}): Promise<void> {
  const left = removeSessionLeftovers(deps.runtimeDir, deps.sessionsDir);
  if (left.processes || left.dirs) deps.log.warn(left, 'removed leftovers of a previous run');
  const crashed = await deps.store.endAllLive('server crash');
  await recordEnded(crashed, 'server crash', deps.audit);
  if (crashed.length)
    deps.log.warn({ sessions: crashed.map((c) => c.id) }, 'recorded sessions of a crashed run as ended');
}

/** Puts sessions ended without their runtime's word on the trail, as their runtime would have. */
export async function recordEnded(
  ended: EndedSession[],
  reason: SessionEndReason,
  audit: { record(entry: AuditEntry): Promise<void> },
): Promise<void> {
  for (const c of ended) {
    await audit.record({
      actor: c.userId && c.userRole ? { id: c.userId, role: c.userRole } : { id: null, role: 'system' },
      action: 'session.ended',
      target: { type: 'session', id: c.id },
      outcome: 'ok',
      reason,
      ownerId: c.ownerId,
      shareId: c.shareId,
      sessionId: c.id,
      detail: { app: c.appId, durationMs: c.endedAt.getTime() - c.createdAt.getTime() },
    });
  }
}

/** Where sessions live under the runtime folder (one folder per session). */
export function crashRecoveryPaths(runtimeDir: string): { runtimeDir: string; sessionsDir: string } {
  return { runtimeDir, sessionsDir: path.join(runtimeDir, 'sessions') };
}
