import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { registerRequestAudit } from '../../src/audit/request-audit.ts';
import type { AuditLog } from '../../src/audit/audit-log.ts';

it('refuses to register an API route that has no audit action, so none can go unrecorded', async () => {
  const app = Fastify({ logger: false });
  registerRequestAudit(app, {} as AuditLog);
  app.get('/api/shares', async () => []);
  app.get('/not-api', async () => 'ok');
  expect(() => app.post('/api/forgotten', async () => ({}))).toThrow('POST /api/forgotten has no audit action');
  await app.close();
});
