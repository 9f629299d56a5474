import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import fastifySwagger from '@fastify/swagger';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppInfo, ServerStatus } from '@vitrine/protocol';
import { discoverApps, toAppInfo } from '../apps/registry.ts';
import type { Config } from '../config/config.ts';
import { SessionManager } from '../sessions/session-manager.ts';
import type { SessionEndReason } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import { operatorCommands, type AdminDeps } from '../admin/commands.ts';
import { Accounts } from '../auth/accounts.ts';
import { registerAccountRoutes } from '../auth/account-routes.ts';
import { registerAuthRoutes } from '../auth/auth-routes.ts';
import { actorOf, registerSignInGuard } from '../auth/guard.ts';
import { Invitations } from '../auth/invitations.ts';
import { SignIns } from '../auth/sign-ins.ts';
import { Users } from '../auth/users.ts';
import { WebAuthn } from '../auth/webauthn.ts';
import { authorize } from '../policies/policies.ts';
import { resolveLaunch } from '../shares/launch.ts';
import { registerShareRoutes } from '../shares/share-routes.ts';
import { ShareStore } from '../shares/share-store.ts';
import { watchShares } from '../shares/share-watch.ts';
import { OwnerStorage } from '../storage/owner-storage.ts';
import { joinStoragePath, parseStoragePath } from '../storage/paths.ts';
import { registerStorageRoutes } from '../storage/storage-routes.ts';
import { startHousekeeping } from './housekeeping.ts';
import { registerSessionRoutes } from '../sessions/session-routes.ts';
import { registerSecurityHeaders, registerWebClient } from './web-client.ts';
import { registerSignaling, websocketOptions } from '../signaling/signaling-route.ts';
import { prepareSandboxHost } from '../sandbox/host.ts';
import { removeInstanceGroups } from '../sandbox/cgroups.ts';
import { FRAME_PUMP } from '../media/encoder.ts';
import { openDatabase } from '../db/database.ts';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import { SessionStore } from '../sessions/session-store.ts';
import { randomUUID } from 'node:crypto';
import { AuditLog } from '../audit/audit-log.ts';
import { AuditStore } from '../audit/audit-store.ts';
import { markPolicyRefusal, registerRequestAudit } from '../audit/request-audit.ts';
import { registerAuditRoutes } from '../audit/audit-routes.ts';
import { sweepExpirations } from '../audit/expiry-sweep.ts';

export interface Server {
  app: FastifyInstance;
  sessions: SessionManager;
  /** While nobody has an account: a fresh one-time link that creates the first (admin) owner. */
  issueSetupLink(): Promise<{ link: string; expiresAt: Date } | undefined>;
  admin: AdminDeps;
  /** The query layer, for operator tools and tests. */
  db: Kysely<Tables>;
  audit: AuditLog;
  auditStore: AuditStore;
}

export async function buildServer(config: Config): Promise<Server> {
  const tls =
    config.TLS_CERT && config.TLS_KEY
      ? { cert: fs.readFileSync(config.TLS_CERT), key: fs.readFileSync(config.TLS_KEY) }
      : undefined;
  const app = Fastify({
    // HTTPS through a factory: the rest of the code keeps Fastify's plain server types (the API is the same).
    ...(tls
      ? { serverFactory: (handler: http.RequestListener) => https.createServer(tls, handler) as unknown as http.Server }
      : {}),
    logger: { level: config.LOG_LEVEL, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    bodyLimit: 64 * 1024,
    // The correlation id of audit events and logs: ours, never taken from the client.
    genReqId: () => randomUUID(),
    logController: new LogController({
      disableRequestLogging: config.LOG_LEVEL !== 'debug' && config.LOG_LEVEL !== 'trace',
    }),
  });
  if (!fs.existsSync(FRAME_PUMP)) throw new Error(`frame pump missing at ${FRAME_PUMP}; run "make"`);
  const apps = await discoverApps(config.APPS_ROOT, app.log);
  const sandbox = await prepareSandboxHost(
    { bwrapPath: config.BWRAP_PATH, runtimeDir: config.RUNTIME_DIR, allowDegraded: config.SANDBOX_ALLOW_DEGRADED },
    app.log,
  );
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  app.log.info({ database: database.kind }, 'database ready');
  const auditStore = new AuditStore(database.db);
  const audit = new AuditLog(auditStore, app.log);
  await audit.record({
    actor: { id: null, role: 'system' },
    action: 'server.start',
    outcome: 'ok',
    detail: { database: database.kind, sandboxDegraded: sandbox.degraded },
  });
  const storage = new OwnerStorage({
    rootDir: config.STORAGE_DIR,
    maxUploadBytes: config.MAX_UPLOAD_SIZE,
    quotaBytes: config.OWNER_QUOTA,
    trashRetentionMs: config.TRASH_RETENTION_DAYS * 86_400_000,
  });
  const sessions = new SessionManager(
    config,
    apps,
    { sandbox, ffmpegPath: config.FFMPEG_PATH },
    new SessionStore(database.db),
    app.log as never,
    audit,
    {
      trash: (ownerId, hostPath) => storage.trashHostPath(ownerId, hostPath),
      move: (ownerId, from, to) => storage.moveHostPaths(ownerId, from, to),
      storagePath: (ownerId, hostPath) => storage.storagePathOf(ownerId, hostPath),
    },
  );
  await sessions.recoverFromCrash();

  const db = database.db;
  const publicUrl = () => config.PUBLIC_URL;
  const users = new Users(db);
  const invitations = new Invitations(db);
  const signIns = new SignIns(db, { idleTimeoutMs: config.SIGNIN_IDLE_TIMEOUT, maxAgeMs: config.SIGNIN_MAX_AGE });
  const webauthn = new WebAuthn(db, users, publicUrl);
  const shares = new ShareStore(db);
  const accounts = new Accounts({
    db,
    users,
    invitations,
    webauthn,
    claimShare: (shareId, clientId, tx) => shares.claim(shareId, clientId, tx),
  });
  const admin: AdminDeps = { users, invitations, publicUrl, invitationTtlMs: config.INVITATION_TTL };
  const endForShare = (shareId: string, reason: SessionEndReason) =>
    sessions.endWhere((l) => l.shareId === shareId, reason);
  const onSignedOut = (signInId: string) => sessions.endWhere((l) => l.signInId === signInId, 'signed out');
  const stopWatchingShares = watchShares({
    shares,
    liveShareIds: () => sessions.liveShareIds(),
    endSessions: endForShare,
    log: app.log,
  });
  const chores: Array<[string, () => Promise<unknown>]> = [
    ['purge expired trash', () => storage.purgeExpired()],
    ['purge dead sign-ins', () => signIns.purgeDead()],
  ];
  if (config.AUDIT_RETENTION_DAYS > 0) {
    const retentionMs = config.AUDIT_RETENTION_DAYS * 86_400_000;
    chores.push(['purge old audit events', () => auditStore.purgeBefore(new Date(Date.now() - retentionMs))]);
  }
  const housekeeping = startHousekeeping(app.log, chores);
  const expirySweep = setInterval(
    () =>
      void sweepExpirations(db, audit, { idleTimeoutMs: config.SIGNIN_IDLE_TIMEOUT }).catch((err: Error) =>
        app.log.error({ err: err.message }, 'could not record expirations'),
      ),
    config.EXPIRY_CHECK_INTERVAL,
  );

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    markPolicyRefusal(req, err);
    if (err instanceof DomainError) return reply.status(err.status).send({ error: err.code, message: err.message });
    if (hasZodFastifySchemaValidationErrors(err)) {
      const message = err.validation
        .map((v) => `${v.instancePath.replace(/^\//, '') || 'request'}: ${v.message}`)
        .join('; ');
      return reply.status(400).send({ error: 'bad-request', message });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) app.log.error({ err }, 'request failed');
    return reply.status(status).send({
      error: status === 500 ? 'internal' : 'bad-request',
      message: status === 500 ? 'internal error' : err.message,
    });
  });
  registerSecurityHeaders(app, { hsts: tls !== undefined });
  // Before the sign-in guard, so its refusals are recorded too.
  registerRequestAudit(app, audit);
  registerSignInGuard(app, { resolve: (token) => signIns.resolve(token), publicUrl });

  await app.register(fastifySwagger, {
    openapi: { info: { title: 'Vitrine API', version: '0.1.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyWebsocket, { options: websocketOptions });

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  api.get('/api/apps', { schema: { summary: 'Installed apps', response: { 200: z.array(AppInfo) } } }, async (req) => {
    authorize(actorOf(req), 'list', 'App', {});
    return [...apps.values()].map(toAppInfo);
  });
  api.get(
    '/api/status',
    { schema: { summary: 'What the server can guarantee (sandbox layers)', response: { 200: ServerStatus } } },
    async () => ({
      sandbox: { degraded: sandbox.degraded, landlock: sandbox.landlock, cgroups: sandbox.cgroups.version },
    }),
  );
  registerAuthRoutes(app, {
    accounts,
    users,
    invitations,
    signIns,
    webauthn,
    publicUrl,
    maxAgeMs: config.SIGNIN_MAX_AGE,
    describeShare: async (id) => {
      const s = await shares.get(id);
      return s ? { ownerName: s.ownerName, label: s.label, paths: s.paths } : null;
    },
    onSignedOut,
  });
  registerAccountRoutes(app, { ...admin, signIns, webauthn, onSignedOut });
  registerStorageRoutes(app, storage);
  registerShareRoutes(app, {
    shares,
    invitations,
    publicUrl,
    invitationTtlMs: config.INVITATION_TTL,
    normalisePath: async (ownerId, relPath) => {
      const normal = joinStoragePath(parseStoragePath(relPath));
      await storage.resolveExisting(ownerId, normal);
      return normal;
    },
    liveSessions: (id) => sessions.liveCount((l) => l.shareId === id),
    endSessions: endForShare,
  });
  registerSessionRoutes(
    app,
    sessions,
    (actor, shareId) =>
      resolveLaunch(actor, shareId, {
        getShare: (id) => shares.get(id),
        ownerRoot: (ownerId) => storage.ensureRoot(ownerId),
        resolveExisting: (ownerId, relPath) => storage.resolveExisting(ownerId, relPath),
        log: app.log,
      }),
    config.SESSION_LAUNCHES_PER_MINUTE,
  );
  registerSignaling(app, sessions, audit);
  registerAuditRoutes(app, auditStore);
  app.all('/api/*', { schema: { hide: true } }, async (_req, reply) =>
    reply.status(404).send({ error: 'not-found', message: 'no such endpoint' }),
  );

  if (!(await registerWebClient(app, config.WEB_DIST))) {
    app.log.warn({ webDist: config.WEB_DIST }, 'web client not built; serving the API only');
  }

  app.addHook('onClose', async () => {
    stopWatchingShares();
    housekeeping.stop();
    clearInterval(expirySweep);
    await sessions.shutdown();
    removeInstanceGroups(sandbox.cgroups, sandbox.instance);
    audit.note({ actor: { id: null, role: 'system' }, action: 'server.stop', outcome: 'ok' });
    await audit.close();
    await database.close();
  });
  return {
    app,
    sessions,
    admin,
    db,
    audit,
    auditStore,
    issueSetupLink: operatorCommands(admin, { log: audit, store: auditStore }, 'server').issueSetupLink,
  };
}
