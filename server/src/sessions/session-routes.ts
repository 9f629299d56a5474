import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorBody, SessionInfo } from '@vitrine/protocol';
import type { SessionManager } from './session-manager.ts';

const SessionId = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a session id') });
const notFound = { error: 'unknown-session', message: 'no such session' };

export function registerSessionRoutes(server: FastifyInstance, sessions: SessionManager): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/sessions',
    { schema: { summary: 'Live streamed sessions', response: { 200: z.array(SessionInfo) } } },
    async () => sessions.list(),
  );
  app.post(
    '/api/sessions',
    {
      schema: {
        summary: 'Start an app in a new sandboxed session',
        body: z.object({ appId: z.string().min(1).max(64) }).strict(),
        response: { 201: SessionInfo, 404: ApiErrorBody, 500: ApiErrorBody, 503: ApiErrorBody },
      },
    },
    async (req, reply) => reply.status(201).send(await sessions.create(req.body.appId)),
  );
  app.get(
    '/api/sessions/:id',
    {
      schema: {
        summary: 'One session, live or ended',
        params: SessionId,
        response: { 200: SessionInfo, 404: ApiErrorBody },
      },
    },
    async (req, reply) => {
      const info = await sessions.get(req.params.id);
      return info ? info : reply.status(404).send(notFound);
    },
  );
  app.get(
    '/api/sessions/:id/stats',
    { schema: { summary: 'Encoder, RTP and input counters of a live session, and its host PIDs', params: SessionId } },
    async (req, reply) => {
      const runtime = sessions.runtimeOf(req.params.id);
      if (!runtime) return reply.status(404).send(notFound);
      return { ...runtime.stats(), pids: runtime.pids() };
    },
  );
  app.delete(
    '/api/sessions/:id',
    { schema: { summary: 'End a session', params: SessionId, response: { 204: z.null(), 404: ApiErrorBody } } },
    async (req, reply) => {
      if (!sessions.end(req.params.id, 'user ended')) return reply.status(404).send(notFound);
      return reply.status(204).send(null);
    },
  );
}
