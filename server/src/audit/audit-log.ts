import type { Transaction } from 'kysely';
import type { Tables } from '../db/schema.ts';
import { flatten, type AuditEntry, type FlatEvent } from './chain.ts';
import type { AuditStore } from './audit-store.ts';

type Flat = FlatEvent;

interface Pending {
  event: Flat;
  /** Set for events whose action waits on them. */
  settle?: { resolve: () => void; reject: (err: Error) => void };
}

export interface AuditLogOptions {
  /** Events kept waiting for a write at most; beyond it new ones are counted as lost (and that is recorded). */
  maxBuffered?: number;
  flushIntervalMs?: number;
  now?: () => number;
}

interface ErrorLog {
  error(obj: object, msg: string): void;
}

export class AuditUnavailableError extends Error {}

/**
 * The one way events reach the audit trail. Everything goes through a single FIFO queue, so the
 * chain's order is the order things were recorded. `record` waits until its event is stored
 * (security events: the action fails if this throws); `note` is buffered and written within
 * `flushIntervalMs`, on a later `record`, or at `close`.
 */
export class AuditLog {
  private readonly store: AuditStore;
  private readonly log: ErrorLog;
  private readonly maxBuffered: number;
  private readonly flushIntervalMs: number;
  private readonly now: () => number;
  private queue: Pending[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lost = 0;
  private closed = false;
  /** False after a failed write, until one succeeds: callers refuse security-relevant actions meanwhile. */
  healthy = true;
  private unavailableSince: Date | undefined;

  constructor(store: AuditStore, log: ErrorLog, opts: AuditLogOptions = {}) {
    this.store = store;
    this.log = log;
    this.maxBuffered = opts.maxBuffered ?? 10_000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 250;
    this.now = opts.now ?? Date.now;
  }

  /** Events waiting to be written (the operator's metrics: a trail that cannot keep up shows here first). */
  get backlog(): number {
    return this.queue.length;
  }

  /** Stores the event (and everything queued before it) before returning; throws if that fails. */
  record(entry: AuditEntry): Promise<void> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('the audit trail is closed'));
    const done = new Promise<void>((resolve, reject) => {
      this.queue.push({ event: flatten(entry, new Date(this.now())), settle: { resolve, reject } });
    });
    void this.flush();
    return done;
  }

  /** Queues the event; it is written shortly. Never throws. */
  note(entry: AuditEntry): void {
    if (this.closed || this.queue.length >= this.maxBuffered) {
      if (this.lost++ === 0) this.log.error({ queued: this.queue.length }, 'audit buffer full: counting lost events');
      return;
    }
    this.queue.push({ event: flatten(entry, new Date(this.now())) });
    this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs);
  }

  /**
   * Records inside the caller's transaction: the action and its record commit or fail together.
   * (Flush before opening that transaction: the embedded database has a single connection.)
   */
  async recordIn(tx: Transaction<Tables>, entries: AuditEntry[]): Promise<void> {
    await this.store.append(
      entries.map((e) => flatten(e, new Date(this.now()))),
      tx,
    );
  }

  /**
   * Whether an action may go ahead. After a failed write, the first thing written again is that
   * the trail was unavailable (and since when); until that succeeds, the answer is no.
   */
  async writable(): Promise<boolean> {
    if (this.healthy) return true;
    try {
      await this.record({
        actor: { id: null, role: 'system' },
        action: 'audit.unavailable',
        outcome: 'failed',
        reason: 'the audit trail could not be written',
        detail: { since: this.unavailableSince?.toISOString() },
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Writes whatever is queued; resolves once it is stored (or has failed and been reported). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.writeQueued());
    return this.writing;
  }

  /** Writes what is left and refuses new events (server shutdown). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
    if (this.queue.length || this.lost) {
      this.log.error({ unwritten: this.queue.length + this.lost }, 'audit events could not be written before shutdown');
    }
  }

  private async writeQueued(): Promise<void> {
    if (!this.queue.length && !this.lost) return;
    const batch = this.queue;
    this.queue = [];
    const lost = this.lost;
    const events = batch.map((p) => p.event);
    if (lost) {
      events.push(
        flatten(
          {
            actor: { id: null, role: 'system' },
            action: 'audit.events-lost',
            outcome: 'failed',
            reason: 'audit buffer full',
            detail: { count: lost },
          },
          new Date(this.now()),
        ),
      );
    }
    try {
      await this.store.append(events);
      this.lost -= lost;
      this.healthy = true;
      this.unavailableSince = undefined;
      for (const p of batch) p.settle?.resolve();
    } catch (err) {
      this.healthy = false;
      this.unavailableSince ??= new Date(this.now());
      this.log.error({ err: (err as Error).message, events: batch.length }, 'could not write audit events');
      const failure = new AuditUnavailableError(`the audit trail cannot be written: ${(err as Error).message}`);
      for (const p of batch) p.settle?.reject(failure);
      // Buffered events are retried; those someone waited on have failed with their action.
      const retry = batch.filter((p) => !p.settle);
      const keep = [...retry, ...this.queue];
      this.queue = keep.slice(0, this.maxBuffered);
      this.lost += keep.length - this.queue.length;
      if (this.queue.length && !this.closed) this.timer ??= setTimeout(() => void this.flush(), 1000);
    }
  }
}
