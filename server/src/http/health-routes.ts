import type { FastifyInstance } from 'fastify';
import { HEALTHY, READY } from '@vitrine/protocol';
import type { Readiness } from '../metrics/readiness.ts';

/**
 * `/healthz` (the process answers) and `/readyz` (it can take work) on the client-facing port, for
 * a load balancer or Kubernetes; one word each, public, nothing about the host. They are outside
 * /api/ and so not on the audit trail, on purpose: a probe every few seconds would add thousands
 * of events a day that say nothing about anyone's data (they read nothing and change nothing),
 * and bury the events that do. While the server stops, Fastify itself answers 503 here.
 *
 * `/metrics` is answered 404 here: metrics are only on the operator's listener (METRICS_LISTEN),
 * and without this route the web client's page would answer it.
 */
export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  const word = (text: string) => `${text}\n`;
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(word(HEALTHY)),
  );
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const state = await readiness.check();
    return reply
      .status(state === READY ? 200 : 503)
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(word(state));
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.status(404).send({ error: 'not-found', message: 'not found' }),
  );
}
