import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ServerStatus } from '@vitrine/protocol';

/** What the API says about itself: its description, what the server can guarantee, and 404 for the rest. */
export function registerMetaRoutes(server: FastifyInstance, sandbox: () => ServerStatus['sandbox']): void {
  const api = server.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/openapi.json',
    { config: { public: true, audit: { action: 'api.describe' } }, schema: { hide: true } },
    async () => server.swagger(),
  );
  api.get(
    '/api/status',
    {
      config: { audit: { action: 'server.status' } },
      schema: { summary: 'What the server can guarantee (sandbox layers)', response: { 200: ServerStatus } },
    },
    async () => ({ sandbox: sandbox() }),
  );
}

/** Last: any other /api/ path is a JSON 404 (never the web client's index page). */
export function registerApiNotFound(server: FastifyInstance): void {
  server.all('/api/*', { config: { audit: { action: 'api.unknown' } }, schema: { hide: true } }, async (_req, reply) =>
    reply.status(404).send({ error: 'not-found', message: 'no such endpoint' }),
  );
}
