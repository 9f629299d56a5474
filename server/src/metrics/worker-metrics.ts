import { Gauge, type Registry } from 'prom-client';

/** A worker as the registry holds it (multi-node): labelled by its operator-chosen name only. */
export interface WorkerSample {
  id: string;
  state: 'up' | 'draining' | 'stopped' | 'lost';
  capacity: number;
  live: number;
}

const STATES: ReadonlyArray<WorkerSample['state']> = ['up', 'draining', 'stopped', 'lost'];

/**
 * Per-worker capacity and load, read by the API tier from the registry (ROLE=api; empty
 * elsewhere). The worker label is WORKER_ID: a node name the operator chose, bounded by the fleet.
 */
export function workerMetrics(registry: Registry, workers: () => readonly WorkerSample[]): void {
  new Gauge({
    name: 'vitrine_worker_sessions_max',
    help: 'Sessions each worker takes at most (its MAX_SESSIONS).',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of workers()) this.set({ worker: w.id }, w.capacity);
    },
  });
  new Gauge({
    name: 'vitrine_worker_sessions',
    help: 'Live sessions on each worker, as of its last heartbeat.',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of workers()) this.set({ worker: w.id }, w.live);
    },
  });
  new Gauge({
    name: 'vitrine_worker_state',
    help: 'Each worker’s state in the registry: 1 for its current state (up, draining, stopped, lost), 0 for the others.',
    labelNames: ['worker', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of workers())
        for (const state of STATES) this.set({ worker: w.id, state }, w.state === state ? 1 : 0);
    },
  });
}
