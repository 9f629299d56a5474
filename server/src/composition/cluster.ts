import type { Kysely } from 'kysely';
import type { App } from '../apps/registry.ts';
import type { AuditEntry } from '../audit/chain.ts';
import type { Config } from '../config/config.ts';
import type { Tables, WorkerSandbox } from '../db/schema.ts';
import type { SandboxUser } from '../sandbox/sandbox-user.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { SessionStore } from '../sessions/session-store.ts';
import type { IceSettings } from '../webrtc/ice-options.ts';
import type { WorkerLocals } from '../workers/plan-transfer.ts';
import { RemoteSessions } from '../workers/remote-sessions.ts';
import { loadClusterSecret, UsedTickets } from '../workers/signatures.ts';
import { checkSharedStorage } from '../workers/storage-contract.ts';
import { endSessionsOfLostWorkers, WorkerAgent } from '../workers/worker-agent.ts';
import { WorkerClient } from '../workers/worker-client.ts';
import { WorkerRegistry } from '../workers/worker-registry.ts';
import type { Job } from './scheduler.ts';

type Log = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

/** The parts of a multi-node install this process plays (docs/workers.md); nothing with ROLE=all. */
export type Cluster =
  | { role: 'all' }
  | { role: 'api'; sessions: RemoteSessions; registry: WorkerRegistry; jobs: Job[] }
  | {
      role: 'worker';
      agent: WorkerAgent;
      registry: WorkerRegistry;
      secret: Buffer;
      tickets: UsedTickets;
      locals: WorkerLocals;
    };

export async function openCluster(
  config: Config,
  deps: {
    db: Kysely<Tables>;
    local: SessionManager;
    store: SessionStore;
    audit: { record(entry: AuditEntry): Promise<void> };
    findApp: (id: string) => App | undefined;
    sandboxUser: SandboxUser | null;
    /** This worker's sandbox layers, registered for what the API tier tells clients. */
    sandbox: WorkerSandbox;
    sessionsDir: string;
    nodeRuntime: () => string;
    iceFor: (sessionId: string) => IceSettings;
    /** Rescans this process's apps (a worker asked for a version it has not loaded). */
    reloadApps: () => Promise<unknown>;
    log: Log;
  },
): Promise<Cluster> {
  const { role, secretFile, worker, lostAfterMs } = config.cluster;
  if (role === 'all' || secretFile === null) return { role: 'all' };
  const secret = loadClusterSecret(secretFile);
  const registry = new WorkerRegistry(deps.db);
  if (role === 'api') {
    const sessions = new RemoteSessions({
      db: deps.db,
      registry,
      client: new WorkerClient(secret),
      records: deps.store,
      secret,
      findApp: deps.findApp,
      maxPerUser: config.sessions.maxPerUser,
      lostAfterMs,
      log: deps.log,
    });
    await sessions.refresh();
    const jobs: Job[] = [
      { name: 'read the workers’ live sessions', everyMs: 1000, run: () => sessions.refresh() },
      {
        name: 'end sessions of lost workers',
        everyMs: 1000,
        run: () =>
          endSessionsOfLostWorkers({ registry, store: deps.store, audit: deps.audit, lostAfterMs, log: deps.log }),
      },
    ];
    return { role, sessions, registry, jobs };
  }
  // A worker on a filesystem that breaks Vitrine's file semantics would corrupt owners' files: refuse to start.
  for (const dir of [config.storage.dir, config.recordings.dir]) {
    const result = await checkSharedStorage(dir, deps.sandboxUser ? { fileOwner: deps.sandboxUser } : undefined);
    if (!result.ok) throw new Error(`shared storage ${dir} fails "${result.failed}": ${result.detail}`);
  }
  const local = deps.local;
  const agent = new WorkerAgent({
    registry,
    self: {
      id: worker.id,
      url: worker.url,
      publicUrl: worker.publicUrl,
      capacity: config.sessions.maxSessions,
      sandbox: deps.sandbox,
    },
    live: () => local.liveCount(() => true),
    endAll: (reason) => local.endWhere(() => true, reason),
    audit: deps.audit,
    log: deps.log,
  });
  await agent.start();
  const locals: WorkerLocals = {
    findApp: deps.findApp,
    sessionsDir: deps.sessionsDir,
    storageDir: config.storage.dir,
    nodeRuntime: deps.nodeRuntime,
    iceFor: deps.iceFor,
    reloadApps: deps.reloadApps,
  };
  return { role, agent, registry, secret, tickets: new UsedTickets(), locals };
}
