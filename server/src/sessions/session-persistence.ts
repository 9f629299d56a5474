import type { LaunchPlan } from '../launch/plan.ts';
import type { SessionEnd, SessionObserver } from './ports.ts';
import type { SessionStore } from './session-store.ts';

/**
 * Keeps the durable record of each session (what ran, with which policy, how it ended).
 * `endRecorded` runs once the end is on record, unless the record already said ended: another
 * process ended it first (the API tier, for a worker it declared lost). `settled()` waits for the
 * ends under way (a shutdown closes the trail after them).
 */
export function sessionPersistenceObserver(
  store: SessionStore,
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void },
  endRecorded: (plan: LaunchPlan, end: SessionEnd) => Promise<void>,
): SessionObserver & { settled(): Promise<void> } {
  const ending = new Set<Promise<void>>();
  const failed = (id: string, what: string) => (err: Error) =>
    log.error({ err: err.message, sessionId: id }, `could not record session ${what}`);
  return {
    // Awaited: a session that is not on record never runs.
    launched: (plan, createdAt) =>
      store.created({
        id: plan.sessionId,
        appId: plan.app.id,
        createdAt,
        policy: plan.runtime.policy,
        userId: plan.launch.userId,
        shareId: plan.launch.shareId,
        launch: plan.launch,
      }),
    stateChanged(plan, state) {
      store.stateChanged(plan.sessionId, state).catch(failed(plan.sessionId, 'state'));
    },
    watchersChanged(plan, count) {
      store.setWatchers(plan.sessionId, count).catch(failed(plan.sessionId, 'watchers'));
    },
    ended(plan, end) {
      const done = store.ended(plan.sessionId, end.reason, end.detail).then(
        async (first) => {
          if (first) await endRecorded(plan, end);
          else log.info({ sessionId: plan.sessionId, reason: end.reason }, 'the end was already on record');
        },
        async (err: Error) => {
          failed(plan.sessionId, 'end')(err);
          // The trail still hears of it: an end missing from both would be worse than a repeat.
          await endRecorded(plan, end);
        },
      );
      ending.add(done);
      void done.finally(() => ending.delete(done));
    },
    async settled() {
      await Promise.allSettled([...ending]);
    },
  };
}
