import fs from 'node:fs';
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
import { SessionError, SessionManager } from '../sessions/session-manager.ts';
import { registerSessionRoutes } from '../sessions/session-routes.ts';
import { registerSecurityHeaders, registerWebClient } from './web-client.ts';
import { registerSignaling, websocketOptions } from '../signaling/signaling-route.ts';
import { prepareSandboxHost } from '../sandbox/host.ts';
import { removeInstanceGroups } from '../sandbox/cgroups.ts';
import { FRAME_PUMP } from '../media/encoder.ts';
import { openDatabase } from '../db/database.ts';
import { SessionStore } from '../sessions/session-store.ts';

export interface Server {
  app: FastifyInstance;
  sessions: SessionManager;
}

export async function buildServer(config: Config): Promise<Server> {
  const app = Fastify({
    logger: { level: config.LOG_LEVEL, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    bodyLimit: 64 * 1024,
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
  const sessions = new SessionManager(
    config,
    apps,
    { sandbox, ffmpegPath: config.FFMPEG_PATH },
    new SessionStore(database.db),
    app.log as never,
  );
  await sessions.recoverFromCrash();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof SessionError) return reply.status(err.status).send({ error: err.code, message: err.message });
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
  registerSecurityHeaders(app);

  await app.register(fastifySwagger, {
    openapi: { info: { title: 'Vitrine API', version: '0.1.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyWebsocket, { options: websocketOptions });

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  api.get('/api/apps', { schema: { summary: 'Installed apps', response: { 200: z.array(AppInfo) } } }, async () =>
    [...apps.values()].map(toAppInfo),
  );
  api.get(
    '/api/status',
    { schema: { summary: 'What the server can guarantee (sandbox layers)', response: { 200: ServerStatus } } },
    async () => ({
      sandbox: { degraded: sandbox.degraded, landlock: sandbox.landlock, cgroups: sandbox.cgroups.version },
    }),
  );
  registerSessionRoutes(app, sessions);
  registerSignaling(app, sessions);
  app.all('/api/*', async (_req, reply) => reply.status(404).send({ error: 'not-found', message: 'no such endpoint' }));

  if (!(await registerWebClient(app, config.WEB_DIST))) {
    app.log.warn({ webDist: config.WEB_DIST }, 'web client not built; serving the API only');
  }

  app.addHook('onClose', async () => {
    await sessions.shutdown();
    removeInstanceGroups(sandbox.cgroups, sandbox.instance);
    await database.close();
  });
  return { app, sessions };
}
