import type { SessionEndReason } from '@vitrine/protocol';
import { recordEnded } from '../sessions/crash-recovery.ts';
import type { SessionStore } from '../sessions/session-store.ts';
import type { AuditEntry } from '../audit/chain.ts';
import type { WorkerSandbox } from '../db/schema.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/** A worker beats this often; it is lost after WORKER_LOST_AFTER (6 s by default: three beats). */
export const BEAT_MS = 2000;

type Log = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

/**
 * A worker's side of the registry: registers what it can take, beats with its live count, and
 * learns from each beat whether it is being drained (no new sessions; its own go on) or was
 * declared lost meanwhile (then its sessions were already ended for everyone: it ends them here too).
 */
export class WorkerAgent {
  private timer: NodeJS.Timeout | undefined;
  private state: 'up' | 'draining' = 'up';
  private readonly deps: {
    registry: WorkerRegistry;
    self: { id: string; url: string; publicUrl: string; capacity: number; sandbox: WorkerSandbox };
    live: () => number;
    endAll: (reason: SessionEndReason) => void;
    audit: { record(entry: AuditEntry): Promise<void> };
    log: Log;
  };

  constructor(deps: WorkerAgent['deps']) {
    this.deps = deps;
  }

  get draining(): boolean {
    return this.state === 'draining';
  }

  async start(): Promise<void> {
    await this.deps.registry.register(this.deps.self);
    const { id, capacity, publicUrl } = this.deps.self;
    await this.deps.audit.record({
      actor: { id: null, role: 'system' },
      action: 'worker.start',
      outcome: 'ok',
      detail: { worker: id, capacity, publicUrl },
    });
    this.deps.log.info({ worker: this.deps.self.id, capacity: this.deps.self.capacity }, 'worker registered');
    this.timer = setInterval(() => void this.beat(), BEAT_MS);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const { registry, self, log } = this.deps;
    try {
      const state = await registry.beat(self.id, this.deps.live());
      if (state === 'lost' || state === undefined) {
        // Declared lost while it could not beat (a network split): its sessions are over for everyone.
        log.error({ worker: self.id }, 'this worker was declared lost; ending its sessions and registering again');
        this.deps.endAll('worker lost');
        await registry.register(self);
        this.state = 'up';
        return;
      }
      if (state === 'draining' && this.state !== 'draining') log.info({ worker: self.id }, 'draining: no new sessions');
      if (state === 'up' || state === 'draining') this.state = state;
    } catch (err) {
      log.warn({ worker: self.id, err: (err as Error).message }, 'heartbeat failed');
    }
  }

  /** A clean stop: the registry hears it at once instead of waiting for silence. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.deps.registry.setState(this.deps.self.id, 'stopped').catch(() => false);
  }
}

/**
 * The API tier's sweep: workers silent for `lostAfterMs` are lost; their sessions are recorded as
 * ended ("worker lost") on the trail and in the database, so their clients can open them again elsewhere.
 */
export async function endSessionsOfLostWorkers(deps: {
  registry: WorkerRegistry;
  store: SessionStore;
  audit: { record(entry: AuditEntry): Promise<void> };
  lostAfterMs: number;
  log: Log;
}): Promise<void> {
  for (const id of await deps.registry.markLost(deps.lostAfterMs)) {
    const ended = await deps.store.endLiveOn(id, 'worker lost');
    await deps.audit.record({
      actor: { id: null, role: 'system' },
      action: 'worker.lost',
      outcome: 'failed',
      detail: { worker: id, silentForMs: deps.lostAfterMs, sessions: ended.length },
    });
    await recordEnded(ended, 'worker lost', deps.audit);
    deps.log.error({ worker: id, sessions: ended.map((s) => s.id) }, 'worker lost; its sessions ended');
  }
}
