import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SessionEndReason } from '@vitrine/protocol';
import { z } from 'zod';
import { DomainError } from '../errors.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Actor } from '../policies/policies.ts';
import { localizePinnedPlan, type WorkerLocals } from './plan-transfer.ts';
import { CALL_HEADER, readTicket, verifyCall, type UsedTickets } from './signatures.ts';

const SessionId = z.object({ id: z.uuid() });
/** A launch plan is a few kilobytes; a grant list of a large share stays far below this. */
const MAX_PLAN_BYTES = 1024 * 1024;

/**
 * A worker's own API for the API tier (ROLE=worker): start a planned session, end one, read its
 * counters. Not under /api (browsers never call it); every call carries the API tier's signature
 * over its method, path, body and time, or is refused before anything is read.
 */
export function registerWorkerRoutes(
  app: FastifyInstance,
  deps: { secret: Buffer; sessions: SessionManager; locals: WorkerLocals; draining: () => boolean },
): void {
  const { secret, sessions } = deps;
  app.addHook('preHandler', async (req, reply) => {
    if (!req.url.startsWith('/internal/')) return;
    const body = req.body === undefined ? '' : JSON.stringify(req.body);
    if (
      !verifyCall(secret, req.headers[CALL_HEADER] as string | undefined, {
        method: req.method,
        pathAndQuery: req.url,
        body,
      })
    ) {
      return reply.status(401).send({ error: 'unauthenticated', message: 'not a call from the API tier' });
    }
  });
  app.post('/internal/sessions', { bodyLimit: MAX_PLAN_BYTES }, async (req, reply) => {
    if (deps.draining()) throw new DomainError(503, 'worker-draining', 'this worker is being drained');
    const plan = await localizePinnedPlan((req.body as { plan?: unknown } | undefined)?.plan, deps.locals);
    const admitted = sessions.admit(plan);
    return reply.status(201).send(await admitted.start());
  });
  app.delete('/internal/sessions/:id', async (req) => {
    const { id } = SessionId.parse(req.params);
    const reason = SessionEndReason.catch('user ended').parse((req.body as { reason?: unknown } | undefined)?.reason);
    return { ended: sessions.end(id, reason) };
  });
  app.get('/internal/sessions/:id/stats', async (req) => {
    const { id } = SessionId.parse(req.params);
    const stats = sessions.statsOf(id);
    if (!stats) throw new DomainError(404, 'unknown-session', 'no such session');
    return stats;
  });
}

/**
 * On a worker, the browser's signaling socket (`/api/sessions/:id/signal`, served as on one
 * host) is opened with the ticket the API tier issued: it names the person, for this session
 * only, for 30 s, once. Everything else the socket does is the single host's code.
 */
export function ticketActor(secret: Buffer, used: UsedTickets): (req: FastifyRequest) => Actor | undefined {
  return (req) => {
    const m = /^\/api\/sessions\/([^/?]+)\/signal(?:\?|$)/.exec(req.url);
    const text = (req.query as { ticket?: unknown } | undefined)?.ticket;
    if (!m || typeof text !== 'string') return undefined;
    const ticket = readTicket(secret, text, decodeURIComponent(m[1]!));
    return ticket && used.claim(ticket) ? ticket.actor : undefined;
  };
}
