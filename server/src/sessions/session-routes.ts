import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorBody, CreateSessionBody, SessionInfo } from '@vitrine/protocol';
import { actorOf } from '../auth/guard.ts';
import { DomainError } from '../errors.ts';
import { authorize, type Actor } from '../policies/policies.ts';
import type { Launch, SessionManager } from './session-manager.ts';

const SessionId = z.object({ id: z.uuid({ message: 'not a session id' }) });
const errors = { 400: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

export function registerSessionRoutes(
  server: FastifyInstance,
  sessions: SessionManager,
  resolveLaunch: (actor: Actor, shareId: string | undefined) => Promise<Launch>,
  launchesPerMinute: number,
): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const owned = async (req: FastifyRequest, id: string, action: 'view' | 'end' | 'inspect-host') => {
    const info = await sessions.get(id);
    if (!info) throw new DomainError(404, 'unknown-session', 'no such session');
    authorize(actorOf(req), action, 'Session', { userId: info.userId ?? '' });
    req.audit.note({ sessionId: id, shareId: info.shareId ?? null });
    return info;
  };

  app.get(
    '/api/sessions',
    { schema: { summary: 'My live streamed sessions', response: { 200: z.array(SessionInfo) } } },
    async (req) => sessions.list(actorOf(req).id),
  );
  app.post(
    '/api/sessions',
    {
      // Each launch starts a sandbox: a person cannot make the server start dozens a minute.
      config: { perPerson: { burst: launchesPerMinute, perMinute: launchesPerMinute } },
      schema: {
        summary: 'Start an app in a new sandboxed session (owners on their own storage, clients through a share)',
        body: CreateSessionBody,
        response: { 201: SessionInfo, ...errors, 500: ApiErrorBody, 503: ApiErrorBody },
      },
    },
    async (req, reply) => {
      const launch = await resolveLaunch(actorOf(req), req.body.shareId);
      launch.origin = { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, correlationId: req.id };
      req.audit.note({ shareId: launch.shareId, ownerId: launch.storageOwnerId, detail: { app: req.body.appId } });
      const info = await sessions.create(req.body.appId, launch, async ({ id, policy }) => {
        req.audit.note({
          target: { type: 'session', id },
          sessionId: id,
          detail: {
            policy: {
              files: policy.grants.map((g) => ({ path: g.sandboxPath, access: g.access })),
              network: policy.loopbackTcp ? 'loopback only' : 'none',
              watermark: launch.watermark !== null,
              display: policy.display,
              limits: policy.limits,
            },
          },
        });
        // On record before the sandbox starts; if it cannot be written, nothing starts.
        await req.audit.recordNow();
      });
      return reply.status(201).send(info);
    },
  );
  app.get(
    '/api/sessions/:id',
    {
      schema: {
        summary: 'One of my sessions, live or ended',
        params: SessionId,
        response: { 200: SessionInfo, ...errors },
      },
    },
    async (req) => {
      const { userId: _userId, ...info } = await owned(req, req.params.id, 'view');
      return info;
    },
  );
  app.get(
    '/api/sessions/:id/stats',
    {
      schema: {
        summary: 'Encoder, RTP and input counters of a live session, and its host PIDs (admins)',
        params: SessionId,
      },
    },
    async (req) => {
      await owned(req, req.params.id, 'inspect-host');
      const runtime = sessions.runtimeOf(req.params.id);
      if (!runtime) throw new DomainError(404, 'unknown-session', 'no such session');
      return { ...runtime.stats(), pids: runtime.pids() };
    },
  );
  app.delete(
    '/api/sessions/:id',
    { schema: { summary: 'End a session', params: SessionId, response: { 204: z.null(), ...errors } } },
    async (req, reply) => {
      await owned(req, req.params.id, 'end');
      if (!sessions.end(req.params.id, 'user ended')) throw new DomainError(404, 'unknown-session', 'no such session');
      return reply.status(204).send(null);
    },
  );
}
