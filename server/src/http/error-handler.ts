import type { FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { markPolicyRefusal } from '../audit/request-audit.ts';
import { DomainError } from '../errors.ts';

/** Every error leaves as `{ error, message }`: domain errors as they are, schema errors as 400, the rest as 500. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    markPolicyRefusal(req, err);
    if (err instanceof DomainError) {
      // The refused attempt's event names what it was about (the share, the app), not only the route.
      if (err.about && req.audit) req.audit.note(err.about);
      return reply.status(err.status).send({ error: err.code, message: err.message });
    }
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
}
