import type { SessionEndReason } from '@vitrine/protocol';
import type { ShareStore } from './share-store.ts';

/**
 * Ends live sessions whose share was revoked or has expired (run every second by the scheduler).
 * Revocation through this server ends sessions at once; this check also catches expiry and
 * changes made by another server or the CLI, since the database is the only truth they share.
 */
export async function endSessionsOfInactiveShares(deps: {
  shares: ShareStore;
  liveShareIds: () => string[];
  endSessions: (shareId: string, reason: SessionEndReason) => void;
}): Promise<void> {
  const ids = deps.liveShareIds();
  if (ids.length === 0) return;
  for (const gone of await deps.shares.inactive(ids, new Date())) deps.endSessions(gone.id, gone.reason);
}
