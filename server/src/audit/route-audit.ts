import type { AuditAction } from '@vitrine/protocol';
import type { AuditEntry } from './chain.ts';

/**
 * How an API route declares its audit action, in its own options:
 * `app.get('/api/shares', { config: { audit: { action: 'share.list' } }, … })`. A route under
 * /api/ without one stops the server at start-up (request-audit.ts), so none goes unrecorded.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What this route's requests are recorded as on the audit trail. Required for every /api route. */
    audit?: RouteAudit;
  }
}

/** The parts of a request an action or target is derived from (as received, not trusted). */
export interface Seen {
  params: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  body: Record<string, unknown>;
}

export interface RouteAudit {
  /** The action, or how to name it from the request (a move within a folder is a rename). */
  action: AuditAction | ((r: Seen) => AuditAction);
  /** What it was done to, when the request says (routes can also note it themselves). */
  target?: (r: Seen) => AuditEntry['target'];
  /** A query whose record must be written before the answer leaves (commands and refusals always are). */
  security?: boolean;
}

/** A string field of a request, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The target named by the route's `:id`: `byId('share')` → `{ type: 'share', id }`. */
export const byId =
  (type: string) =>
  (r: Seen): AuditEntry['target'] => ({ type, id: r.params.id ?? null });

/** The file named by `?path=` or a body's `path`. */
export const fileAt = (r: Seen): AuditEntry['target'] => ({
  type: 'file',
  path: r.query.path ?? str(r.body.path) ?? null,
});
