import type { SessionObserver } from './ports.ts';
import type { SessionStore } from './session-store.ts';

/** Keeps the durable record of each session (what ran, with which policy, how it ended). */
export function sessionPersistenceObserver(
  store: SessionStore,
  log: { error(obj: object, msg: string): void },
): SessionObserver {
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
    ended(plan, end) {
      store.ended(plan.sessionId, end.reason, end.detail).catch(failed(plan.sessionId, 'end'));
    },
  };
}
