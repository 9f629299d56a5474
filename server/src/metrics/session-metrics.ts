import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { SessionEndReason, SessionState, type ErrorCode } from '@vitrine/protocol';
import type { SessionObserver } from '../sessions/ports.ts';

/**
 * The sessions as an operator sees them: how many in each state against the server's capacity,
 * launches started, refused and failed, why sessions ended, and how long a launch takes to show
 * the app. Labels are bounded vocabularies from protocol/ (states, error codes, end reasons): never
 * a user, an e-mail address, a path or a session id, which would make a series per person (a
 * privacy leak to whoever reads the metrics, and unbounded cardinality for Prometheus).
 */

/** How many sessions are in each state now (what `SessionManager.census` says). */
export type StateCounts = Record<SessionState, number>;

const LIVE_STATES = SessionState.options.filter((s) => s !== 'ended');

/** Ends that the app or its sandbox caused: it crashed, or broke a limit. */
const SANDBOX_ENDS: readonly SessionEndReason[] = [
  'app exited',
  'app crashed',
  'out of memory',
  'process limit',
  'cpu limit',
];
/** A launch whose sandbox or display did not come up is told this code (sessions/session-manager.ts). */
const START_FAILED: ErrorCode = 'start-failed';
/** Admission's refusals (session-manager.ts `admit`): the server at MAX_SESSIONS, a person at theirs. */
const REFUSALS: readonly ErrorCode[] = ['busy', 'too-many-sessions'];

/** From a launch to its first picture at the viewer: a quiet host takes 0.5–2 s, a loaded one several. */
const FIRST_FRAME_BUCKETS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 10, 15, 30];

export function sessionMetrics(
  registry: Registry,
  sources: { maxSessions: number; states: () => StateCounts },
): SessionObserver {
  const registers = [registry];
  new Gauge({
    name: 'vitrine_sessions',
    help: 'Sessions by state (starting, ready: waiting for a viewer, streaming).',
    labelNames: ['state'],
    registers,
    collect() {
      const counts = sources.states();
      for (const state of LIVE_STATES) this.set({ state }, counts[state]);
    },
  });
  new Gauge({
    name: 'vitrine_sessions_max',
    help: 'Sessions this server runs at most (MAX_SESSIONS); launches beyond it are refused as busy.',
    registers,
  }).set(sources.maxSessions);
  const starts = new Counter({
    name: 'vitrine_session_starts_total',
    help: 'Launches admitted and started (sandbox, display, app).',
    registers,
  });
  const failures = new Counter({
    name: 'vitrine_session_start_failures_total',
    help: 'Started launches that failed, by the error code the caller was told.',
    labelNames: ['reason'],
    registers,
  });
  const refusals = new Counter({
    name: 'vitrine_session_refusals_total',
    help: 'Launches refused before starting: the server (busy) or the person (too-many-sessions) at the limit.',
    labelNames: ['reason'],
    registers,
  });
  const ends = new Counter({
    name: 'vitrine_session_ends_total',
    help: 'Sessions ended, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const sandboxFailures = new Counter({
    name: 'vitrine_sandbox_failures_total',
    help: 'Sandboxes that failed: did not start (start-failed), or ended their session (app exited, a limit broken).',
    labelNames: ['reason'],
    registers,
  });
  const firstFrame = new Histogram({
    name: 'vitrine_session_first_frame_seconds',
    help: "From a launch to the app's first picture in the client's running stream.",
    buckets: FIRST_FRAME_BUCKETS,
    registers,
  });
  // Every series of a bounded vocabulary exists from the start, so rate() sees its first increase.
  failures.inc({ reason: START_FAILED }, 0);
  for (const reason of REFUSALS) refusals.inc({ reason }, 0);
  for (const reason of SessionEndReason.options) ends.inc({ reason }, 0);
  for (const reason of [START_FAILED, ...SANDBOX_ENDS]) sandboxFailures.inc({ reason }, 0);

  // A sandbox that dies while starting ends its session ("app exited") before the launch fails:
  // counted once, by that end.
  const sandboxEnded = new WeakSet<object>();
  return {
    launched: async () => starts.inc(),
    refused: (_plan, code) => refusals.inc({ reason: code }),
    startFailed: (plan, code) => {
      failures.inc({ reason: code });
      if (code === START_FAILED && !sandboxEnded.has(plan)) sandboxFailures.inc({ reason: code });
    },
    firstFrame: (_plan, sinceLaunchMs) => firstFrame.observe(sinceLaunchMs / 1000),
    ended: (plan, end) => {
      ends.inc({ reason: end.reason });
      if (!SANDBOX_ENDS.includes(end.reason)) return;
      sandboxFailures.inc({ reason: end.reason });
      sandboxEnded.add(plan);
    },
  };
}
