import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppReload } from '@vitrine/protocol';
import { AppCatalog, appReloadDetail } from '../apps/app-catalog.ts';
import type { App } from '../apps/registry.ts';
import { operatorCommands, type AdminDeps } from '../admin/commands.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditStore } from '../audit/audit-store.ts';
import { openAudit } from '../audit/open-audit.ts';
import type { CheckpointExporter } from '../audit/checkpoints.ts';
import { sweepExpirations } from '../audit/expiry-sweep.ts';
import { Accounts } from '../auth/accounts.ts';
import { Invitations } from '../auth/invitations.ts';
import { SignIns } from '../auth/sign-ins.ts';
import { Users } from '../auth/users.ts';
import { WebAuthn } from '../auth/webauthn.ts';
import type { Config } from '../config/config.ts';
import type { ControlServices } from '../control/ports.ts';
import { claimJournalDir, replayClaimJournals } from '../control/claim-journal.ts';
import { openSessionChannel } from '../control/session-channel.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { EncryptedAtRest } from '../encryption/at-rest.ts';
import { ColumnCipher, columnKeyFrom } from '../encryption/column-cipher.ts';
import type { Launch } from '../launch/entitlements.ts';
import { LaunchPlanner } from '../launch/planner.ts';
import type { PlanSettings } from '../launch/plan.ts';
import { FRAME_PUMP } from '../media/encoder.ts';
import { buildMetrics } from '../metrics/registry.ts';
import { removeInstanceGroups } from '../sandbox/cgroups.ts';
import { apiTierHost, prepareSandboxHost } from '../sandbox/host.ts';
import { hostNodeRuntime, type SandboxHost } from '../sandbox/sandbox.ts';
import { crashRecoveryPaths, recoverFromCrash } from '../sessions/crash-recovery.ts';
import { SessionRuntime } from '../sessions/runtime.ts';
import { sessionAuditObserver, sessionAuditScope, sessionEndAudit } from '../sessions/session-audit.ts';
import { RecordingService } from '../recording/recording-service.ts';
import { RecordingReplay } from '../recording/recording-replay.ts';
import { RecordingStore } from '../recording/recording-store.ts';
import { verifyRecordings } from '../recording/recording-verify.ts';
import type { SessionDirectory, SessionObserver } from '../sessions/ports.ts';
import { SessionManager } from '../sessions/session-manager.ts';
import { sessionPersistenceObserver } from '../sessions/session-persistence.ts';
import { SessionStore } from '../sessions/session-store.ts';
import { ShareStore } from '../shares/share-store.ts';
import { TermsAcceptanceStore } from '../shares/terms-store.ts';
import { endSessionsOfInactiveShares } from '../shares/share-watch.ts';
import { OwnerStorage } from '../storage/owner-storage.ts';
import { iceSettingsFor } from '../webrtc/ice-settings.ts';
import { LinkTally } from '../webrtc/link-tally.ts';
import { openCluster, type Cluster } from './cluster.ts';
import { sessionReactions } from './reactions.ts';
import { warmStarts } from './warm-starts.ts';
import { ReadingReports } from '../insights/reading-report.ts';
import type { Job } from './scheduler.ts';

export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: object): Log;
}

/** What the operator's tools need (the CLI opens only this when no server runs). */
export interface CoreServices {
  database: Database;
  audit: AuditLog;
  auditStore: AuditStore;
  /** Signed checkpoints of the trail's head, exported outside the database. */
  auditCheckpoints: CheckpointExporter;
  users: Users;
  invitations: Invitations;
  admin: AdminDeps;
  /** The encrypted volume and its keys; null with ENCRYPTION=off. */
  atRest: EncryptedAtRest | null;
  /** Seals the sensitive columns (audit details, passkey challenges) under the system key; null unencrypted. */
  columnCipher: ColumnCipher | null;
  close(): Promise<void>;
}

/** The database, the audit trail and the accounts the operator's commands act on. */
export async function openCoreServices(
  config: Config,
  publicUrl: () => string,
  log: { error(obj: object, msg: string): void; info?(obj: object, msg: string): void },
): Promise<CoreServices> {
  // The volume first: the database's folder is on it, under the system key.
  const atRest = config.encryption.enabled ? await EncryptedAtRest.open(config.encryption, log) : null;
  const database = await openDatabase({
    databaseUrl: config.database.url,
    dataDir: config.database.dataDir,
  }).catch(async (err: unknown) => {
    await atRest?.close();
    throw err;
  });
  // Sealed on PGlite too, though its files are on the volume: one behaviour, and a dump (backup) stays sealed.
  const columnCipher = atRest && new ColumnCipher(columnKeyFrom(atRest.systemKey));
  const trail = await openAudit(database.db, config.audit, log, columnCipher).catch(async (err: unknown) => {
    await database.close();
    await atRest?.close();
    throw err;
  });
  const { audit, store: auditStore } = trail;
  // `audit verify` also compares each recording's segments with the hashes the trail holds.
  auditStore.evidence = () => verifyRecordings(database.db, config.recordings.dir, columnCipher);
  const users = new Users(database.db);
  const invitations = new Invitations(database.db);
  return {
    database,
    audit,
    auditStore,
    auditCheckpoints: trail.checkpoints,
    users,
    invitations,
    admin: {
      users,
      invitations,
      publicUrl,
      invitationTtlMs: config.auth.invitationTtlMs,
      db: database.db,
      atRest,
      storageDir: config.storage.dir,
      recordingsDir: config.recordings.dir,
      backup: {
        dataDir: config.encryption.dataDir,
        masterKeyFile: config.encryption.masterKeyFile,
        auditKeyFile: config.audit.keyFile,
        checkpointFile: config.audit.checkpointFile,
        storageDir: config.storage.dir,
        recordingsDir: config.recordings.dir,
      },
    },
    atRest,
    columnCipher,
    close: async () => {
      await trail.close();
      await database.close();
      await atRest?.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof buildServices>>;

/**
 * Every service of a running server, built in one place for the server, the CLI and the test
 * kit; each is handed its own slice of the configuration.
 */
export async function buildServices(config: Config, publicUrl: () => string, log: Log) {
  // Each app runs from a copy of its folder in RUNTIME_DIR/apps (the API tier runs none: it only hashes them).
  const apps = await AppCatalog.open({
    root: config.apps.root,
    snapshotsDir: config.cluster.role === 'api' ? null : path.join(config.sandbox.runtimeDir, 'apps'),
    log,
  });
  const sandboxOptions = {
    bwrapPath: config.sandbox.bwrapPath,
    runtimeDir: config.sandbox.runtimeDir,
    allowDegraded: config.sandbox.allowDegraded,
    user: config.sandbox.user,
  };
  // The API tier runs no session: it is not refused for a host (or container) that cannot confine one.
  const sandbox: SandboxHost =
    config.cluster.role === 'api' ? apiTierHost(sandboxOptions, log) : await prepareSandboxHost(sandboxOptions, log);
  const core = await openCoreServices(config, publicUrl, log);
  const { database, audit, auditStore, users, invitations } = core;
  const db = database.db;
  log.info({ database: database.kind }, 'database ready');
  /** The system's own reload of the apps (not an admin's: they are recorded by their route or command), on the trail. */
  const reloadApps = async (via: 'worker'): Promise<AppReload> => {
    const changes = await apps.reload();
    void warm?.fill();
    await audit.record({
      actor: { id: null, role: 'system' },
      action: 'app.reload',
      outcome: 'ok',
      detail: { via, ...appReloadDetail(changes) },
    });
    return changes;
  };
  await audit.record({
    actor: { id: null, role: 'system' },
    action: 'server.start',
    outcome: 'ok',
    detail: { database: database.kind, sandboxDegraded: sandbox.degraded },
  });
  const storage = new OwnerStorage({
    rootDir: config.storage.dir,
    maxUploadBytes: config.storage.maxUploadBytes,
    quotaBytes: config.storage.quotaBytes,
    trashRetentionMs: config.storage.trashRetentionMs,
    fileOwner: sandbox.user,
    ...(core.atRest && { prepareOwner: core.atRest.prepareOwner.bind(core.atRest) }),
  });
  const signIns = new SignIns(db, {
    idleTimeoutMs: config.auth.signInIdleTimeoutMs,
    maxAgeMs: config.auth.signInMaxAgeMs,
  });
  const webauthn = new WebAuthn(db, users, publicUrl, core.columnCipher);
  const shares = new ShareStore(db);
  const termsAcceptances = new TermsAcceptanceStore(db);
  const accounts = new Accounts({
    db,
    users,
    invitations,
    webauthn,
    claimShare: (shareId, clientId, tx) => shares.claim(shareId, clientId, tx),
    ownerCreated: (ownerId) => storage.prepare(ownerId),
  });

  /** Owners whose storage is held still (a key rotation's switch). */
  const heldOwners = new Set<string>();
  const sessionStore = new SessionStore(db, config.cluster.role === 'worker' ? config.cluster.worker.id : null);
  const paths = crashRecoveryPaths(config.sandbox.runtimeDir);
  // Claims a killed run had received go on the trail before its sessions are recorded as ended.
  const claimJournals = claimJournalDir(config.database.dataDir);
  await replayClaimJournals({ dir: claimJournals, audit, log });
  await recoverFromCrash({ ...paths, store: sessionStore, audit, log });
  const recordingStore = new RecordingStore(db);
  const recordings = new RecordingService(
    recordingStore,
    audit,
    {
      root: config.recordings.dir,
      budgetBytes: config.recordings.budgetBytes,
      segmentMs: config.recordings.segmentMs,
      retentionMs: config.recordings.retentionMs,
      ...(core.atRest && { prepareOwner: core.atRest.prepareOwner.bind(core.atRest) }),
    },
    log,
  );
  // Recordings a killed run was writing: what was finished stays, the trail says what was lost.
  await recordings.recoverInterrupted();
  const controlServices: ControlServices = {
    trash: (ownerId, hostPath) => storage.trashHostPath(ownerId, hostPath),
    move: (ownerId, from, to) => storage.moveHostPaths(ownerId, from, to),
    storagePath: (ownerId, hostPath) => storage.storagePathOf(ownerId, hostPath),
  };
  const findApp = (id: string): App | undefined => apps.get(id);
  const viewerLinks = new LinkTally();
  const metrics = buildMetrics({
    maxSessions: config.sessions.maxSessions,
    sessions: () => sessions.census(),
    audit: () => ({ queued: audit.backlog, writable: audit.healthy }),
    links: viewerLinks,
    encoderNames: [path.basename(config.media.ffmpegPath), path.basename(FRAME_PUMP)],
    workers: () => (cluster.role === 'api' ? cluster.sessions.workers : []),
    // Read at each scrape, once the pool (made below, with the sessions) exists.
    warm: () => warm && { ready: warm.size, ...warm.counts },
  });
  const persistence = sessionPersistenceObserver(sessionStore, log, sessionEndAudit(audit, log));
  // A session keeps the copy of the app it started from, whatever reloads happen meanwhile.
  const appCopiesInUse: SessionObserver = {
    launched: async (plan) => apps.sessionStarted(plan.sessionId, plan.app),
    refused: (plan) => apps.sessionEnded(plan.sessionId),
    startFailed: (plan) => apps.sessionEnded(plan.sessionId),
    ended: (plan) => apps.sessionEnded(plan.sessionId),
  };
  // What a session's sandbox and media are made of (launch/plan.ts), for launches and warm starts alike.
  const planSettings: PlanSettings = {
    sessionsDir: paths.sessionsDir,
    limits: config.sandbox.limits,
    nodeRuntime: hostNodeRuntime,
    controlChannel: true,
    video: {
      bitrateKbps: config.media.bitrateKbps,
      minBitrateKbps: config.media.minBitrateKbps,
      keyframeIntervalS: config.media.keyframeIntervalS,
      maxSize: config.media.maxSize,
    },
    inputRatePerSecond: config.sessions.inputRatePerSecond,
    startTimeoutMs: config.sessions.startTimeoutMs,
    lifecycle: {
      graceMs: config.sessions.peerGraceMs,
      idleTimeoutMs: config.sessions.idleTimeoutMs,
      warningLeadMs: WARNING_LEAD_MS,
    },
    iceFor: (sessionId) => iceSettingsFor(config.webrtc, sessionId),
  };
  // Sandboxes started before their sessions, for apps that take warm starts (sessions/warm-pool.ts).
  const warm = warmStarts(config, {
    apps,
    sandbox,
    plan: planSettings,
    log,
    busy: () => localSessions.appsStarting() > 0,
  });
  const localSessions: SessionManager = new SessionManager({
    limits: {
      maxSessions: config.sessions.maxSessions,
      // A person's limit counts their sessions on every worker: the API tier holds it, not each worker.
      maxPerUser: config.cluster.role === 'worker' ? config.sessions.maxSessions : config.sessions.maxPerUser,
    },
    runtime: (spec) =>
      new SessionRuntime(
        spec,
        {
          sandbox,
          ffmpegPath: config.media.ffmpegPath,
          cpuAbuseAfterMs: config.sandbox.cpuAbuseAfterMs,
          encoderIdleStopMs: config.media.idleStopMs,
          links: viewerLinks,
          appShutdownGraceMs: config.sessions.appShutdownGraceMs,
          warm,
        },
        log.child({ sessionId: spec.sessionId }),
      ),
    openControl: (plan, hooks) =>
      openSessionChannel(
        {
          sessionDir: plan.runtime.policy.sessionDir,
          grants: plan.runtime.policy.grants,
          storageOwnerId: plan.launch.storageOwnerId,
          about: sessionAuditScope(plan),
          onClaim: (claim) => {
            hooks.onClaim(claim);
            log.info({ sessionId: plan.sessionId, claim }, 'app claim');
          },
          session: hooks.session,
          adopt: hooks.adopt,
        },
        { services: controlServices, audit, log, claimJournalDir: claimJournals },
      ),
    observers: [persistence, sessionAuditObserver(audit), metrics.sessions, appCopiesInUse],
    record: (plan, clock, failed) => recordings.begin(plan, sessionAuditScope(plan), clock, failed),
    records: sessionStore,
    findApp,
    log,
    attentionIdleMs: config.sessions.readingIdleAfterMs,
  });
  void warm?.fill();
  const cluster = await openCluster(config, {
    db,
    local: localSessions,
    store: sessionStore,
    audit,
    findApp,
    sandboxUser: sandbox.user,
    sandbox: { degraded: sandbox.degraded, landlock: sandbox.landlock, cgroups: sandbox.cgroups.version },
    sessionsDir: paths.sessionsDir,
    nodeRuntime: hostNodeRuntime,
    iceFor: (sessionId) => iceSettingsFor(config.webrtc, sessionId),
    // A worker asked for an app version it has not loaded rescans its own (after an admin's reload on the API tier).
    reloadApps: () => reloadApps('worker'),
    log,
  });
  // The API tier acts on the sessions its workers run; every other process on its own.
  const sessions: SessionDirectory = cluster.role === 'api' ? cluster.sessions : localSessions;
  const launches = new LaunchPlanner({
    // A folder changed since it was loaded is refused (409 app-changed) until an admin reloads.
    findApp: (id) => apps.forLaunch(id),
    storageRoom: (ownerId) => storage.room(ownerId),
    storageHeld: (ownerId) => heldOwners.has(ownerId),
    entitlements: {
      getShare: (id) => shares.get(id),
      ownerRoot: (ownerId) => storage.ensureRoot(ownerId),
      resolveExisting: (ownerId, relPath) => storage.resolveExisting(ownerId, relPath),
      personName: async (userId) => (await users.get(userId))?.displayName,
      termsAccepted: async (shareId, userId, version) =>
        (await termsAcceptances.acceptedAt(shareId, userId, version)) !== null,
      log,
    },
    settings: planSettings,
  });
  const reactions = sessionReactions(sessions);
  const onFilesOf = (ownerId: string) => (l: Launch) => l.storageOwnerId === ownerId || l.userId === ownerId;
  const sessionsGone = async (ownerId: string, waiting: (n: number) => void = () => {}) => {
    for (let n = sessions.liveCount(onFilesOf(ownerId)); n > 0; n = sessions.liveCount(onFilesOf(ownerId))) {
      waiting(n);
      await sleep(SESSION_POLL_MS);
    }
  };
  const admin: AdminDeps = {
    ...core.admin,
    reloadApps: () => apps.reload().finally(() => void warm?.fill()),
    endOwnerSessions: async (ownerId) => {
      const ended = sessions.endWhere(onFilesOf(ownerId), 'account deleted');
      await sessionsGone(ownerId);
      return ended;
    },
    // A key rotation's switch: no session starts on the owner's files, those running are waited for.
    holdOwner: async (ownerId, waiting) => {
      heldOwners.add(ownerId);
      try {
        await sessionsGone(ownerId, waiting);
        const paused = await storage.gate.pause(ownerId);
        return {
          release: () => {
            paused.release();
            heldOwners.delete(ownerId);
          },
        };
      } catch (err) {
        heldOwners.delete(ownerId);
        throw err;
      }
    },
  };

  const everyJob: Job[] = [
    { name: 'purge expired trash', everyMs: HOUR, runAtStart: true, run: () => storage.purgeExpired() },
    { name: 'purge dead sign-ins', everyMs: HOUR, runAtStart: true, run: () => signIns.purgeDead() },
    { name: 'purge old recordings', everyMs: HOUR, runAtStart: true, run: () => recordings.sweep() },
    {
      name: 'record expirations',
      everyMs: config.audit.expiryCheckMs,
      run: () => sweepExpirations(db, audit, { idleTimeoutMs: config.auth.signInIdleTimeoutMs }),
    },
    {
      name: 'export an audit checkpoint',
      everyMs: config.audit.checkpointIntervalMs,
      run: () => core.auditCheckpoints.export(),
    },
    {
      name: SHARES_JOB,
      everyMs: 1000,
      run: () =>
        endSessionsOfInactiveShares({
          shares,
          liveShareIds: reactions.liveShareIds,
          endSessions: reactions.shareEnded,
        }),
    },
  ];
  if (config.audit.retentionMs > 0) {
    const retentionMs = config.audit.retentionMs;
    everyJob.push({
      name: 'purge old audit events',
      everyMs: HOUR,
      runAtStart: true,
      run: () => auditStore.purgeBefore(new Date(Date.now() - retentionMs)),
    });
  }

  const jobs = jobsFor(cluster, everyJob);

  return {
    ...core,
    db,
    apps,
    sandbox,
    storage,
    signIns,
    webauthn,
    shares,
    termsAcceptances,
    recordings,
    recordingReplay: new RecordingReplay({
      store: recordingStore,
      dirOf: (r) => recordings.dirOf(r),
      ffmpegPath: config.media.ffmpegPath,
      person: (id) => users.get(id),
      shareLabel: async (id) => (await shares.get(id))?.label,
      usage: async (ownerId) => ({ usedBytes: await recordings.usedBy(ownerId), budgetBytes: recordings.budgetBytes }),
    }),
    readingReports: new ReadingReports({
      shares,
      trail: auditStore,
      idleAfterMs: config.sessions.readingIdleAfterMs,
    }),
    accounts,
    /** This process's own sessions (none on the API tier). */
    sessions: localSessions,
    /** The sessions routes and reactions act on: this process's, or (ROLE=api) its workers'. */
    directory: sessions,
    cluster,
    launches,
    reactions,
    metrics,
    jobs,
    admin,
    operator: operatorCommands(admin, { log: audit, store: auditStore }, 'server'),
    /** Ends sessions, then closes the audit trail and the database (in that order). */
    async close(): Promise<void> {
      await warm?.close();
      await localSessions.shutdown();
      await persistence.settled();
      if (cluster.role === 'worker') await cluster.agent.stop();
      removeInstanceGroups(sandbox.cgroups, sandbox.instance);
      audit.note({ actor: { id: null, role: 'system' }, action: 'server.stop', outcome: 'ok' });
      await core.close();
    },
  };
}

/**
 * Which process runs which job: a worker checks only its own sessions' shares (it runs them);
 * the API tier runs the rest once for the install, and reads what the workers do.
 */
function jobsFor(cluster: Cluster, jobs: Job[]): Job[] {
  const sharesJob = (j: Job) => j.name === SHARES_JOB;
  if (cluster.role === 'worker') return jobs.filter(sharesJob);
  if (cluster.role === 'api') return [...jobs.filter((j) => !sharesJob(j)), ...cluster.jobs];
  return jobs;
}

const SHARES_JOB = 'end sessions of revoked or expired shares';
const HOUR = 60 * 60_000;
/** Warnings come this long before a session is ended for idleness or its time limit. */
const WARNING_LEAD_MS = 60_000;
/** How often ending sessions are checked for (they end within a second or two; nothing else tells). */
const SESSION_POLL_MS = 250;
