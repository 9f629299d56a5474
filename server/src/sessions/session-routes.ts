import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorBody,
  CreateSessionBody,
  SessionInfo,
  SignalingQuery,
  SignalUrl,
  WatchableSession,
} from '@vitrine/protocol';
import { byId } from '../audit/request-audit.ts';
import { actorOf } from '../auth/guard.ts';
import { DomainError } from '../errors.ts';
import { launchAuditDetail } from '../launch/plan.ts';
import type { LaunchPlanner } from '../launch/planner.ts';
import { authorize } from '../policies/policies.ts';
import type { SessionDirectory } from './ports.ts';

const SessionId = z.object({ id: z.uuid({ message: 'not a session id' }) });
const errors = { 400: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

export function registerSessionRoutes(
  server: FastifyInstance,
  sessions: SessionDirectory,
  launches: LaunchPlanner,
  launchesPerMinute: number,
  personName: (userId: string) => Promise<string | undefined>,
): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const owned = async (req: FastifyRequest, id: string, action: 'view' | 'end' | 'inspect-host') => {
    const info = await sessions.get(id);
    if (!info) throw new DomainError(404, 'unknown-session', 'no such session');
    // A live session also names the share's owner, who may look at it while watching it.
    authorize(actorOf(req), action, 'Session', { userId: info.userId ?? '', ...sessions.watchInfo(id) });
    req.audit.note({ sessionId: id, shareId: info.shareId ?? null });
    return info;
  };

  app.get(
    '/api/sessions',
    {
      config: { audit: { action: 'session.list' } },
      schema: { summary: 'My live streamed sessions', response: { 200: z.array(SessionInfo) } },
    },
    async (req) => sessions.list(actorOf(req).id),
  );
  app.post(
    '/api/sessions',
    {
      // Each launch starts a sandbox: a person cannot make the server start dozens a minute.
      config: {
        audit: { action: (r) => (r.body.preview ? 'session.preview' : 'session.launch') },
        perPerson: { burst: launchesPerMinute, perMinute: launchesPerMinute },
      },
      schema: {
        summary:
          'Start an app in a new sandboxed session (owners on their own storage or previewing what a client sees, clients through a share)',
        body: CreateSessionBody,
        response: { 201: SessionInfo, ...errors, 500: ApiErrorBody, 503: ApiErrorBody },
      },
    },
    async (req, reply) => {
      const origin = {
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
        correlationId: req.id,
        viewer: req.body.viewer,
      };
      const plan = await launches.plan(actorOf(req), req.body, origin);
      const { launch } = plan;
      req.audit.note({
        shareId: launch.shareId,
        ownerId: launch.storageOwnerId,
        target: { type: 'session', id: plan.sessionId },
        sessionId: plan.sessionId,
        detail: { app: plan.app.id, ...launchAuditDetail(plan) },
      });
      const admitted = sessions.admit(plan);
      try {
        // On record before the sandbox starts; if it cannot be written, nothing starts.
        await req.audit.recordNow();
      } catch (err) {
        admitted.cancel();
        throw err;
      }
      return reply.status(201).send(await admitted.start());
    },
  );
  app.get(
    '/api/sessions/watchable',
    {
      config: { audit: { action: 'session.list' } },
      schema: {
        summary: 'Live sessions of my shares that let me watch (clients in them now)',
        response: { 200: z.array(WatchableSession) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (actor.role !== 'owner') return [];
      const live = sessions.watchable(actor.id);
      return Promise.all(
        live.map(async ({ clientId, ...s }) => ({ ...s, client: (await personName(clientId)) ?? 'A client' })),
      );
    },
  );
  app.get(
    '/api/sessions/:id',
    {
      config: { audit: { action: 'session.get', target: byId('session') } },
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
      config: { audit: { action: 'session.stats', target: byId('session') } },
      schema: {
        summary: 'Encoder, RTP and input counters of a live session, and its host PIDs (admins)',
        params: SessionId,
      },
    },
    async (req) => {
      await owned(req, req.params.id, 'inspect-host');
      const stats = await sessions.statsOf(req.params.id);
      if (!stats) throw new DomainError(404, 'unknown-session', 'no such session');
      return stats;
    },
  );
  app.get(
    '/api/sessions/:id/signal-url',
    {
      config: { audit: { action: 'session.get', target: byId('session') } },
      schema: {
        summary:
          "Where this viewer opens the session's signaling socket: null for this server, else the worker running it (with a ticket of 30 s, for one socket)",
        params: SessionId,
        querystring: SignalingQuery.pick({ watch: true }),
        response: { 200: SignalUrl, ...errors },
      },
    },
    async (req) => {
      const info = sessions.watchInfo(req.params.id);
      if (!info) throw new DomainError(404, 'unknown-session', 'no such session');
      // The same rule the signaling socket applies; the worker applies it again with its own state.
      authorize(actorOf(req), req.query.watch === '1' ? 'watch' : 'signal', 'Session', info);
      req.audit.note({ sessionId: req.params.id });
      return { url: sessions.signalUrl(req.params.id, actorOf(req)) };
    },
  );
  app.delete(
    '/api/sessions/:id',
    {
      config: { audit: { action: 'session.end', target: byId('session') } },
      schema: { summary: 'End a session', params: SessionId, response: { 204: z.null(), ...errors } },
    },
    async (req, reply) => {
      await owned(req, req.params.id, 'end');
      if (!(await sessions.end(req.params.id, 'user ended')))
        throw new DomainError(404, 'unknown-session', 'no such session');
      return reply.status(204).send(null);
    },
  );
}
