import type { SessionEndReason } from '@vitrine/protocol';
import type { ShareStore } from './share-store.ts';

const CHECK_EVERY_MS = 1000;

/**
 * Ends live sessions whose share was revoked or has expired, within about a second. Revocation
 * through this server ends sessions at once; this check also catches expiry and changes made by
 * another server or the CLI, since the database is the only truth they share.
 */
export function watchShares(deps: {
  shares: ShareStore;
  liveShareIds: () => string[];
  endSessions: (shareId: string, reason: SessionEndReason) => void;
  log: { error(obj: object, msg: string): void };
}): () => void {
  let busy = false;
  const timer = setInterval(() => {
    const ids = deps.liveShareIds();
    if (busy || ids.length === 0) return;
    busy = true;
    deps.shares
      .inactive(ids, new Date())
      .then((gone) => {
        for (const g of gone) deps.endSessions(g.id, g.reason);
      })
      .catch((err: Error) => deps.log.error({ err: err.message }, 'could not check shares of live sessions'))
      .finally(() => {
        busy = false;
      });
  }, CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
