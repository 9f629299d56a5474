import type { Kysely } from 'kysely';
import { SessionState, type SessionEndReason, type SessionInfo } from '@vitrine/protocol';
import type { App } from '../apps/registry.ts';
import type { Tables, WorkerSandbox } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import type { Launch } from '../launch/entitlements.ts';
import type { LaunchPlan } from '../launch/plan.ts';
import type { Actor } from '../policies/policies.ts';
import type { SessionDirectory } from '../sessions/ports.ts';
import type { SessionStore } from '../sessions/session-store.ts';
import { issueTicket } from './signatures.ts';
import type { WorkerClient } from './worker-client.ts';
import type { WorkerRecord, WorkerRegistry } from './worker-registry.ts';

/** A live session of some worker, as the shared database says. */
interface RemoteSession {
  id: string;
  appId: string;
  state: SessionInfo['state'];
  createdAt: string;
  shareId: string | null;
  launch: Launch;
  worker: { id: string; url: string; publicUrl: string };
  /** How many watch it, as its worker last wrote. */
  watchers: number;
}

/**
 * A full or draining worker, one that stopped answering, or one without the app's pinned version
 * (`app-changed`: its APPS_ROOT differs): the launch is offered to the next one.
 */
const TRY_ELSEWHERE = new Set(['busy', 'worker-draining', 'worker-unavailable', 'app-changed']);
const MAX_PLACEMENTS = 3;

/**
 * The sessions of a multi-node install as the API tier (ROLE=api) sees them: placed on workers
 * through the registry, read back from the shared database (refreshed every second, and at once
 * for what this process placed), ended by a signed call to the worker that runs them. The API
 * tier holds nothing a restart could lose: sessions go on without it.
 */
export class RemoteSessions implements SessionDirectory {
  private live = new Map<string, RemoteSession>();
  /** The registry as last read: for the operator's metrics. */
  workers: WorkerRecord[] = [];
  private readonly deps: {
    db: Kysely<Tables>;
    registry: WorkerRegistry;
    client: WorkerClient;
    records: SessionStore;
    secret: Buffer;
    findApp: (id: string) => App | undefined;
    maxPerUser: number;
    lostAfterMs: number;
    log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  };

  constructor(deps: RemoteSessions['deps']) {
    this.deps = deps;
  }

  /** Reads the live sessions of every worker (a job runs it every second). */
  async refresh(): Promise<void> {
    const rows = await this.deps.db
      .selectFrom('streamed_sessions as s')
      .innerJoin('workers as w', 'w.id', 's.worker_id')
      .select([
        's.id',
        's.app_id',
        's.state',
        's.created_at',
        's.share_id',
        's.launch',
        's.watchers',
        'w.id as worker_id',
      ])
      .select(['w.url', 'w.public_url'])
      .where('s.state', '!=', 'ended')
      .where('s.launch', 'is not', null)
      .execute();
    const live = new Map<string, RemoteSession>();
    for (const r of rows) {
      live.set(r.id, {
        id: r.id,
        appId: r.app_id,
        state: SessionState.catch('starting').parse(r.state),
        createdAt: new Date(r.created_at).toISOString(),
        shareId: r.share_id,
        launch: r.launch as Launch,
        worker: { id: r.worker_id, url: r.url, publicUrl: r.public_url },
        watchers: r.watchers,
      });
    }
    this.live = live;
    this.workers = await this.deps.registry.list();
  }

  admit(plan: LaunchPlan): { start(): Promise<SessionInfo>; cancel(): void } {
    const { maxPerUser } = this.deps;
    const mine = this.liveCount((l) => l.userId === plan.launch.userId);
    if (mine >= maxPerUser) {
      throw new DomainError(
        429,
        'too-many-sessions',
        `You already have ${mine} sessions open (at most ${maxPerUser}); end one first.`,
      );
    }
    return { start: () => this.place(plan), cancel: () => {} };
  }

  private async place(plan: LaunchPlan): Promise<SessionInfo> {
    const tried: string[] = [];
    for (let attempt = 0; attempt < MAX_PLACEMENTS; attempt++) {
      const worker = await this.deps.registry.place(this.deps.lostAfterMs, tried);
      if (!worker) break;
      tried.push(worker.id);
      try {
        const info = await this.deps.client.launch(worker.url, plan);
        this.live.set(plan.sessionId, {
          id: plan.sessionId,
          appId: plan.app.id,
          state: info.state,
          createdAt: info.createdAt,
          shareId: plan.launch.shareId,
          launch: plan.launch,
          worker: { id: worker.id, url: worker.url, publicUrl: worker.publicUrl },
          watchers: 0,
        });
        this.deps.log.info({ sessionId: plan.sessionId, worker: worker.id }, 'session placed');
        return info;
      } catch (err) {
        if (!(err instanceof DomainError) || !TRY_ELSEWHERE.has(err.code)) throw err;
        this.deps.log.warn({ sessionId: plan.sessionId, worker: worker.id, code: err.code }, 'worker refused; next');
      }
    }
    throw new DomainError(
      503,
      'no-worker',
      'No machine has room for another session right now; try again in a minute.',
    );
  }

  list(userId: string): SessionInfo[] {
    return this.matching((l) => l.userId === userId).map((s) => this.info(s));
  }

  async get(id: string): Promise<(SessionInfo & { userId: string | null }) | undefined> {
    const s = this.live.get(id);
    if (s) return { ...this.info(s), userId: s.launch.userId };
    const row = await this.deps.records.get(id);
    if (!row) return undefined;
    return { ...row, display: this.display(row.appId) };
  }

  watchInfo(id: string): { userId: string; ownerId: string | null; liveView: boolean } | undefined {
    const s = this.live.get(id);
    return s && { userId: s.launch.userId, ownerId: s.launch.storageOwnerId, liveView: s.launch.liveView };
  }

  /** How many watch: as each worker wrote it, up to a refresh (a second) old. */
  watchable(ownerId: string): Array<SessionInfo & { clientId: string; watchers: number }> {
    return this.matching((l) => l.liveView && l.storageOwnerId === ownerId && l.userId !== ownerId).map((s) => ({
      ...this.info(s),
      clientId: s.launch.userId,
      watchers: s.watchers,
    }));
  }

  async statsOf(id: string): Promise<unknown> {
    const s = this.live.get(id);
    return s && { ...((await this.deps.client.stats(s.worker.url, id)) as object), worker: s.worker.id };
  }

  async end(id: string, reason: SessionEndReason): Promise<boolean> {
    const s = this.live.get(id);
    if (!s) return false;
    return this.deps.client.end(s.worker.url, id, reason);
  }

  endWhere(which: (launch: Launch) => boolean, reason: SessionEndReason): number {
    const matching = this.matching(which);
    for (const s of matching) {
      this.deps.client.end(s.worker.url, s.id, reason).catch((err: Error) => {
        // The worker's own checks (shares, sign-ins) or its loss end it anyway.
        this.deps.log.warn({ sessionId: s.id, worker: s.worker.id, err: err.message }, 'could not end a session');
      });
    }
    return matching.length;
  }

  liveCount(which: (launch: Launch) => boolean): number {
    return this.matching(which).length;
  }

  liveShareIds(): string[] {
    return [...new Set(this.matching((l) => l.shareId !== null).map((s) => s.launch.shareId!))];
  }

  census(): { states: Record<SessionInfo['state'], number>; pids: number[][] } {
    const states = Object.fromEntries(SessionState.options.map((state) => [state, 0])) as Record<
      SessionInfo['state'],
      number
    >;
    for (const s of this.live.values()) states[s.state]++;
    return { states, pids: [] };
  }

  signalUrl(id: string, actor: Actor): string | null {
    const s = this.live.get(id);
    if (!s) throw new DomainError(404, 'unknown-session', 'no such session');
    const url = new URL(`/api/sessions/${encodeURIComponent(id)}/signal`, s.worker.publicUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', issueTicket(this.deps.secret, id, actor));
    return url.toString();
  }

  /** The API tier stopping leaves every session running on its worker. */
  async shutdown(): Promise<void> {}

  /** What clients are told of the sandbox: the workers' (weakestSandbox). */
  sandboxStatus(): WorkerSandbox {
    return weakestSandbox(this.workers);
  }

  private matching(which: (launch: Launch) => boolean): RemoteSession[] {
    return [...this.live.values()].filter((s) => which(s.launch));
  }

  private display(appId: string) {
    const app = this.deps.findApp(appId);
    return app ? { ...app.manifest.video } : { width: 0, height: 0, framerate: 0 };
  }

  private info(s: RemoteSession): SessionInfo {
    return {
      id: s.id,
      appId: s.appId,
      state: s.state,
      createdAt: s.createdAt,
      display: this.display(s.appId),
      shareId: s.shareId,
    };
  }
}

/**
 * The weakest sandbox of the workers that take sessions (one degraded worker makes the install
 * degraded); with none up, nothing runs, and nothing runs degraded.
 */
export function weakestSandbox(workers: ReadonlyArray<Pick<WorkerRecord, 'state' | 'sandbox'>>): WorkerSandbox {
  const up = workers.filter((w) => w.state === 'up' || w.state === 'draining').map((w) => w.sandbox);
  if (!up.length) return { degraded: false, landlock: 'unavailable', cgroups: 0 };
  return {
    degraded: up.some((s) => s.degraded),
    landlock: up.every((s) => s.landlock === 'enforced') ? 'enforced' : 'unavailable',
    cgroups: Math.min(...up.map((s) => s.cgroups)) as WorkerSandbox['cgroups'],
  };
}
