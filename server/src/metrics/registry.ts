import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { SessionObserver } from '../sessions/ports.ts';
import type { LinkTally } from '../webrtc/link-tally.ts';
import { mediaMetrics } from './media-metrics.ts';
import { sessionMetrics, type StateCounts } from './session-metrics.ts';
import { workerMetrics, type WorkerSample } from './worker-metrics.ts';

/**
 * The server's Prometheus metrics, in a registry of its own (never prom-client's global one: a
 * test process runs several servers). Served only on the operator's listener (METRICS_LISTEN),
 * never on the client-facing port. Values are read when scraped wherever they can be; counters of
 * events (launches, ends) are kept by the session observer this returns. No label carries a user
 * id, an e-mail address, a file path or a session id: totals and bounded vocabularies only.
 */

export interface MetricSources {
  /** MAX_SESSIONS: the capacity the states are measured against. */
  maxSessions: number;
  /** The live sessions: how many in each state, and each one's host PIDs (SessionManager.census). */
  sessions: () => { states: StateCounts; pids: number[][] };
  /** The audit writer's queue: events waiting to be stored, and whether the last write succeeded. */
  audit: () => { queued: number; writable: boolean };
  links: LinkTally;
  /** Command names of the encoders' processes (FFmpeg, the frame pump). */
  encoderNames: readonly string[];
  /** The workers of a multi-node install, as the API tier last read them; absent or empty elsewhere. */
  workers?: () => readonly WorkerSample[];
  /** Warm sandboxes waiting, and launches that took one or found none (sessions/warm-pool.ts); absent: none kept. */
  warm?: () => { ready: number; taken: number; missed: number } | undefined;
}

export interface ServerMetrics {
  registry: Registry;
  /** Counts launches, failures, ends and first frames: one of the session registry's observers. */
  sessions: SessionObserver;
}

export function buildMetrics(sources: MetricSources): ServerMetrics {
  const registry = new Registry();
  // Node's own (CPU, memory, event loop lag, GC, handles) under their usual names (process_*,
  // nodejs_*), so dashboards made for any Node.js service read them too.
  collectDefaultMetrics({ register: registry });
  const sessions = sessionMetrics(registry, {
    maxSessions: sources.maxSessions,
    states: () => sources.sessions().states,
  });
  mediaMetrics(registry, {
    sessionPids: () => sources.sessions().pids,
    encoderNames: sources.encoderNames,
    links: sources.links,
  });
  workerMetrics(registry, sources.workers ?? (() => []));
  const warm = sources.warm ?? (() => undefined);
  new Gauge({
    name: 'vitrine_warm_sandboxes_ready',
    help: 'Sandboxes started before their sessions, waiting for one (WARM_SANDBOXES per app that takes warm starts).',
    registers: [registry],
    collect() {
      this.set(warm()?.ready ?? 0);
    },
  });
  new Counter({
    name: 'vitrine_warm_starts_total',
    help: 'Launches that could start warm: took a warm sandbox (taken), or found none ready (missed).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      // The pool keeps the counts: read, not incremented here.
      const w = warm();
      this.reset();
      this.inc({ outcome: 'taken' }, w?.taken ?? 0);
      this.inc({ outcome: 'missed' }, w?.missed ?? 0);
    },
  });
  new Gauge({
    name: 'vitrine_audit_queue_events',
    help: 'Audit events waiting to be written to the trail (it fails closed when it cannot keep up).',
    registers: [registry],
    collect() {
      this.set(sources.audit().queued);
    },
  });
  new Gauge({
    name: 'vitrine_audit_writable',
    help: "1 while the audit trail's last write succeeded; 0 while commands are refused for want of it.",
    registers: [registry],
    collect() {
      this.set(sources.audit().writable ? 1 : 0);
    },
  });
  return { registry, sessions };
}
