import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { registerAppRoutes } from '../apps/app-routes.ts';
import { registerAuditRoutes } from '../audit/audit-routes.ts';
import { registerRequestAudit } from '../audit/request-audit.ts';
import { registerAccountRoutes } from '../auth/account-routes.ts';
import { registerAuthRoutes } from '../auth/auth-routes.ts';
import { registerSignInGuard } from '../auth/guard.ts';
import { registerSelfTestRoute } from '../connectivity/self-test-route.ts';
import { startScheduler } from '../composition/scheduler.ts';
import { buildServices, type Log, type Services } from '../composition/services.ts';
import type { Config } from '../config/config.ts';
import { FRAME_PUMP } from '../media/encoder.ts';
import { smtpMailer, type Mailer } from '../mail/mailer.ts';
import { registerWorkerRoutes, ticketActor } from '../workers/worker-routes.ts';
import { listenOperator, type OperatorListener } from '../metrics/operator-listener.ts';
import { Readiness, volumeMounted } from '../metrics/readiness.ts';
import { registerSessionRoutes } from '../sessions/session-routes.ts';
import { registerReadingRoutes } from '../insights/reading-routes.ts';
import { registerShareRoutes } from '../shares/share-routes.ts';
import { registerTermsRoutes } from '../shares/terms-routes.ts';
import { registerRecordingRoutes } from '../recording/recording-routes.ts';
import { registerSignaling, registerViewerShutdown, websocketOptions } from '../signaling/signaling-route.ts';
import { joinStoragePath, parseStoragePath } from '../storage/paths.ts';
import { registerStorageRoutes } from '../storage/storage-routes.ts';
import { registerUploadJournal, uploadJournalDir } from '../storage/upload-journal.ts';
import { ConnectionGuard, openFileLimit, registerRequestDeadline, serverTimeouts } from './connections.ts';
import { registerErrorHandler } from './error-handler.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { registerApiNotFound, registerMetaRoutes } from './meta-routes.ts';
import { PublicOrigin } from './public-origin.ts';
import { registerSecurityHeaders, registerWebClient, socketOrigins } from './web-client.ts';

export interface Server extends Services {
  app: FastifyInstance;
  /** The origin browsers use (PUBLIC_URL, or derived from the port once listening). */
  publicUrl(): string;
  /** Listens on HOST:PORT (or the given ones); resolves to the bound address and port. */
  listen(at?: { port: number; host: string }): Promise<{ address: string; port: number }>;
  /** While nobody has an account: a fresh one-time link that creates the first (admin) owner. */
  issueSetupLink(): Promise<{ link: string; expiresAt: Date } | undefined>;
  /** Where the operator's listener (METRICS_LISTEN) is bound once listening; null when it is off. */
  operatorAddress(): { host: string; port: number } | null;
}

/** The HTTP layer: a Fastify instance with its plugins and every capability's routes, over the services. */
export async function buildServer(config: Config): Promise<Server> {
  const { tls, connections, trustedProxies } = config.http;
  const credentials = tls ? { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) } : undefined;
  const guard = new ConnectionGuard({
    limits: connections,
    trustedProxies,
    log: () => app.log,
    fileLimit: openFileLimit(),
  });
  const app = Fastify({
    // Our own server (for each address Fastify listens on): its timeouts and caps (connections.ts)
    // and, under TLS, TLS 1.3 only. HTTPS keeps Fastify's plain server types (the API is the same).
    serverFactory: (handler: http.RequestListener) => {
      const options = serverTimeouts(connections);
      const server = credentials
        ? (https.createServer(
            { ...options, ...credentials, minVersion: 'TLSv1.3', handshakeTimeout: connections.headersTimeoutMs },
            handler,
          ) as unknown as http.Server)
        : http.createServer(options, handler);
      guard.attach(server, { tls: credentials !== undefined });
      return server;
    },
    // Behind a reverse proxy, the client's address (rate limits, audit) is the one it forwards.
    trustProxy: trustedProxies.length > 0 ? [...trustedProxies] : false,
    logger: {
      level: config.http.logLevel,
      redact: ['req.headers.cookie', 'req.headers.authorization'],
      // A worker's signaling ticket rides in the query (a browser's WebSocket sends no headers of ours).
      serializers: {
        req: (req: { method: string; url: string }) => ({
          method: req.method,
          url: req.url.replace(/([?&]ticket=)[^&]*/, '$1[ticket]'),
        }),
      },
      // Fastify's own "Server listening at http://127.0.0.1:8080" names the socket, not the address
      // to open (and says http even under TLS): main.ts announces PUBLIC_URL instead.
      hooks: {
        logMethod(args, method) {
          if (typeof args[0] === 'string' && args[0].startsWith('Server listening at ')) return;
          method.apply(this, args);
        },
      },
    },
    bodyLimit: 64 * 1024,
    // The correlation id of audit events and logs: ours, never taken from the client.
    genReqId: () => randomUUID(),
    logController: new LogController({
      disableRequestLogging: config.http.logLevel !== 'debug' && config.http.logLevel !== 'trace',
    }),
  });
  if (!fs.existsSync(FRAME_PUMP)) throw new Error(`frame pump missing at ${FRAME_PUMP}; run "make"`);
  const origin = new PublicOrigin(config.http);
  const publicUrl = () => origin.get();
  const services = await buildServices(config, publicUrl, app.log as unknown as Log);
  const { sessions } = services;
  const scheduler = startScheduler(services.jobs, app.log);
  const mailer = config.mail ? smtpMailer(config.mail) : null;
  const atRest = services.atRest;
  const readiness = new Readiness({
    pingDatabase: () => sql`select 1`.execute(services.db),
    volumeMounted: atRest ? () => volumeMounted(atRest.volume) : null,
  });
  // The first preClose hook: not ready from the moment stopping starts, before sessions are ended.
  app.addHook('preClose', async () => {
    readiness.stopping = true;
  });
  let operator: OperatorListener | undefined;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerRequestDeadline(app, connections.requestTimeoutMs);
  registerSecurityHeaders(app, { hsts: tls !== null });
  // Before the sign-in guard, so its refusals are recorded too.
  registerRequestAudit(app, services.audit);
  const { cluster, sandbox } = services;
  // A worker knows people only by the API tier's tickets: a sign-in cookie opens nothing there.
  registerSignInGuard(app, {
    resolve: (token) => services.signIns.resolve(token),
    publicUrl,
    ...(cluster.role === 'worker' && { ticket: ticketActor(cluster.secret, cluster.tickets) }),
  });
  // Uploads a killed run left unfinished are recorded (and their temporary files removed) before anyone connects.
  await registerUploadJournal(app, {
    dir: uploadJournalDir(config.database.dataDir),
    storageDir: config.storage.dir,
    audit: services.audit,
    log: app.log,
  });
  await app.register(fastifySwagger, {
    openapi: { info: { title: 'Vitrine API', version: '0.1.0' } },
    transform: jsonSchemaTransform,
  });
  // First: viewers hear that the server is restarting before the plugin closes their sockets.
  registerViewerShutdown(app, sessions);
  await app.register(fastifyWebsocket, { options: websocketOptions });

  // Multi-node, what the sessions run in is the workers' sandbox, not the API tier's host.
  registerMetaRoutes(app, () =>
    cluster.role === 'api'
      ? cluster.sessions.sandboxStatus()
      : { degraded: sandbox.degraded, landlock: sandbox.landlock, cgroups: sandbox.cgroups.version },
  );
  registerHealthRoutes(app, readiness);
  if (cluster.role === 'worker') {
    // A worker serves its sessions' signaling (with tickets) and the API tier's calls; nothing else.
    const personName = async (id: string) => (await services.users.get(id))?.displayName;
    registerSignaling(app, sessions, services.audit, personName);
    registerWorkerRoutes(app, {
      secret: cluster.secret,
      sessions,
      locals: cluster.locals,
      draining: () => cluster.agent.draining,
    });
  } else {
    registerSiteRoutes(app, services, { config, publicUrl, mailer });
  }
  registerApiNotFound(app);
  if (
    cluster.role !== 'worker' &&
    !(await registerWebClient(app, config.http.webDist, {
      publicUrl,
      tls: tls !== null,
      // Multi-node, the page signals to the worker running its session.
      socketSources: () =>
        cluster.role === 'api' ? socketOrigins(cluster.sessions.workers.map((w) => w.publicUrl)) : [],
    }))
  ) {
    app.log.warn({ webDist: config.http.webDist }, 'web client not built; serving the API only');
  }

  app.addHook('onClose', async () => {
    await operator?.close();
    scheduler.stop();
    mailer?.close();
    await services.close();
  });
  return {
    ...services,
    app,
    publicUrl,
    issueSetupLink: services.operator.issueSetupLink,
    async listen(at = { port: config.http.port, host: config.http.host }) {
      const address = await app.listen(at);
      const { port } = app.server.address() as { port: number };
      origin.listeningOn(port);
      const metricsAt = config.metrics.listen;
      if (metricsAt && !operator) {
        operator = await listenOperator(metricsAt, { registry: services.metrics.registry, readiness, log: app.log });
        app.log.info({ metrics: operator.address }, 'operator listener: /metrics, /healthz, /readyz');
      }
      return { address, port };
    },
    operatorAddress: () => operator?.address ?? null,
  };
}

/** Everything people use (ROLE=all and the API tier): accounts, files, shares, sessions, audit. */
function registerSiteRoutes(
  app: FastifyInstance,
  services: Services,
  ctx: { config: Config; publicUrl: () => string; mailer: Mailer | null },
): void {
  const { config, publicUrl, mailer } = ctx;
  const { reactions, storage } = services;
  registerAppRoutes(app, services.apps);
  registerAuthRoutes(app, {
    accounts: services.accounts,
    users: services.users,
    invitations: services.invitations,
    signIns: services.signIns,
    webauthn: services.webauthn,
    publicUrl,
    maxAgeMs: config.auth.signInMaxAgeMs,
    describeShare: async (id) => {
      const s = await services.shares.get(id);
      return s ? { ownerName: s.ownerName, label: s.label, paths: s.paths } : null;
    },
    onSignedOut: reactions.signedOut,
  });
  registerAccountRoutes(app, {
    ...services.admin,
    signIns: services.signIns,
    webauthn: services.webauthn,
    onSignedOut: reactions.signedOut,
  });
  registerStorageRoutes(app, storage);
  registerShareRoutes(app, {
    shares: services.shares,
    invitations: services.invitations,
    publicUrl,
    invitationTtlMs: config.auth.invitationTtlMs,
    normalisePath: async (ownerId, relPath) => {
      const normal = joinStoragePath(parseStoragePath(relPath));
      await storage.resolveExisting(ownerId, normal);
      return normal;
    },
    liveSessions: reactions.liveSessionsOf,
    endSessions: reactions.shareEnded,
    accountRole: async (email) => (await services.users.findByEmail(email))?.role ?? null,
    mailer,
    acceptances: services.termsAcceptances,
    appName: (id) => services.apps.get(id)?.manifest.name,
  });
  registerTermsRoutes(app, { shares: services.shares, acceptances: services.termsAcceptances });
  const personName = async (id: string) => (await services.users.get(id))?.displayName;
  registerSessionRoutes(app, services.directory, services.launches, config.sessions.launchesPerMinute, personName);
  // On the API tier, viewers signal to the worker running their session.
  if (services.cluster.role === 'all') registerSignaling(app, services.sessions, services.audit, personName);
  registerSelfTestRoute(app, config.webrtc, services.audit);
  registerAuditRoutes(app, services.auditStore);
  registerReadingRoutes(app, services.readingReports);
  registerRecordingRoutes(app, services.recordingReplay, services.recordings);
}
