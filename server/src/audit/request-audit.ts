import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AuditOutcome } from '@vitrine/protocol';
import { addressKey } from '../client-address.ts';
import { PolicyError } from '../policies/policies.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditEntry } from './chain.ts';
import { RefusalTally } from './refusal-tally.ts';
import type { RouteAudit } from './route-audit.ts';

export { byId, fileAt, str, type RouteAudit, type Seen } from './route-audit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's audit record, filled in by the route and written when the answer goes out. */
    audit: RequestAudit;
  }
}

type Details = Pick<AuditEntry, 'target' | 'ownerId' | 'shareId' | 'sessionId'> & {
  /** Who acted, when the request itself establishes it (signing in). */
  actor?: AuditEntry['actor'];
  detail?: Record<string, unknown>;
};

/** Refusals are summed up this often (refusal-tally.ts): the first of each source in full, then a count. */
const REFUSAL_WINDOW_MS = 60_000;
const REFUSAL_SOURCES = { maxSignedIn: 200, maxAnonymous: 100 };

/**
 * One API request's audit event. Routes add what only they know (the share created, the file
 * touched); the hook derives the rest (actor, action, outcome, address) and writes it.
 */
export class RequestAudit {
  private readonly req: FastifyRequest;
  private readonly log: AuditLog;
  private details: Details = {};
  /** Set when a route (or the policy layer) refused; the answer's status says the rest. */
  refusedByPolicy = false;
  written = false;

  constructor(req: FastifyRequest, log: AuditLog) {
    this.req = req;
    this.log = log;
  }

  note(d: Details): void {
    const detail = d.detail ? { ...this.details.detail, ...d.detail } : this.details.detail;
    this.details = { ...this.details, ...d, ...(detail ? { detail } : {}) };
  }

  /**
   * Writes the event now, as succeeded, before the route goes on (a session is on record before
   * its sandbox starts). Throws if it cannot be written, so the action does not happen.
   */
  async recordNow(): Promise<void> {
    await this.log.record(this.entry('ok', null));
    this.written = true;
  }

  /** The route's audit declaration (`config.audit`); none for a request no route answers. */
  get spec(): RouteAudit | undefined {
    return this.req.routeOptions.config?.audit;
  }

  entry(outcome: AuditOutcome, error: { code: string; message: string } | null): AuditEntry {
    const req = this.req;
    const spec = this.spec;
    const seen = {
      params: (req.params ?? {}) as Record<string, string>,
      query: (req.query ?? {}) as Record<string, string>,
      body:
        req.body && typeof req.body === 'object' && !(req.body instanceof Readable)
          ? (req.body as Record<string, unknown>)
          : {},
    };
    const actor: AuditEntry['actor'] =
      this.details.actor ?? (req.actor ? { id: req.actor.id, role: req.actor.role } : { id: null, role: 'anonymous' });
    const action = typeof spec?.action === 'function' ? spec.action(seen) : (spec?.action ?? 'api.unknown');
    const target = this.details.target ?? spec?.target?.(seen);
    return {
      actor,
      action,
      target,
      outcome,
      reason: error?.code ?? null,
      ip: req.ip,
      userAgent: req.headers['user-agent'] ?? null,
      correlationId: req.id,
      ownerId: this.details.ownerId !== undefined ? this.details.ownerId : actor.role === 'owner' ? actor.id : null,
      shareId: this.details.shareId ?? (target?.type === 'share' ? (target.id ?? null) : null),
      sessionId: this.details.sessionId ?? null,
      detail: {
        route: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
        ...(error ? { message: error.message } : {}),
        ...this.details.detail,
      },
    };
  }
}

/** What an error answer said, from the body the error handler or a hook sent. */
function errorOf(payload: unknown): { code: string; message: string } {
  if (typeof payload === 'string') {
    try {
      const body = JSON.parse(payload) as { error?: unknown; message?: unknown };
      if (typeof body.error === 'string') return { code: body.error, message: String(body.message ?? '') };
    } catch {
      // not JSON
    }
  }
  return { code: 'error', message: '' };
}

function outcomeOf(status: number, refusedByPolicy: boolean): AuditOutcome {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403 || status === 429 || refusedByPolicy) return 'denied';
  return 'failed';
}

/** Fails registering an /api route that declares no audit action (HEAD routes copy their GET's options). */
function requireRouteAudit(route: RouteOptions): void {
  if (route.url.startsWith('/api/') && !route.config?.audit) {
    throw new Error(`${[route.method].flat().join(',')} ${route.url} has no audit action (config.audit)`);
  }
}

/**
 * Records every API request as one audit event, at the hook level so no route can forget:
 * routes that declare no action (`config: { audit: … }`) stop the server at start-up. Commands,
 * refusals and security-relevant queries are stored before the answer leaves; if that fails, the
 * answer is a 503 instead (and no cookie or file goes out). While the trail cannot be written, commands
 * are refused up front (fail closed). Refusals are recorded in aggregate: the first of each source
 * per minute in full, the rest as one summary event at the end of the minute (refusal-tally.ts).
 */
export function registerRequestAudit(app: FastifyInstance, log: AuditLog): void {
  const refusals = new RefusalTally(REFUSAL_SOURCES);
  const summarise = () => {
    for (const entry of refusals.drain()) log.note(entry);
  };
  const window = setInterval(summarise, REFUSAL_WINDOW_MS).unref();
  // Before the trail closes (onClose hooks run after preClose): the last window's counts are kept too.
  app.addHook('preClose', async () => {
    clearInterval(window);
    summarise();
  });
  app.decorateRequest('audit', null as unknown as RequestAudit);
  app.addHook('onRoute', requireRouteAudit);
  app.addHook('onRequest', async (req, reply) => {
    req.audit = new RequestAudit(req, log);
    if (req.url.startsWith('/api/')) reply.header('x-correlation-id', req.id);
  });
  app.addHook('preHandler', async (req, reply) => {
    if (req.url.startsWith('/api/') && isCommand(req) && !(await log.writable())) {
      return reply
        .status(503)
        .send({ error: 'audit-unavailable', message: 'The audit trail cannot be written; try again shortly.' });
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.url.startsWith('/api/') || !req.audit || req.audit.written) return payload;
    req.audit.written = true;
    const status = reply.statusCode;
    const outcome = outcomeOf(status, req.audit.refusedByPolicy);
    const entry = req.audit.entry(outcome, status >= 400 ? errorOf(payload) : null);
    entry.detail = { ...entry.detail, status };
    // A refusal repeated within the window is only counted: a flood of them writes a summary, not rows.
    if (outcome === 'denied' && !refusals.admit(entry, entry.actor.id ?? `address ${addressKey(req.ip)}`)) {
      return payload;
    }
    if (!isCommand(req) && outcome === 'ok' && !req.audit.spec?.security) {
      log.note(entry);
      return payload;
    }
    try {
      await log.record(entry);
      return payload;
    } catch {
      return unavailable(reply, payload);
    }
  });
}

function isCommand(req: FastifyRequest): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD';
}

/** Replaces an answer that cannot be recorded: nothing it carried (cookie, file) may leave. */
function unavailable(reply: FastifyReply, payload: unknown): string {
  if (payload instanceof Readable) payload.destroy();
  for (const h of ['set-cookie', 'content-length', 'content-disposition']) reply.removeHeader(h);
  reply.status(503).header('content-type', 'application/json; charset=utf-8');
  return JSON.stringify({
    error: 'audit-unavailable',
    message: 'The audit trail cannot be written, so this cannot be confirmed; try again shortly.',
  });
}

/** Marks a refusal by the policy layer (a 404 that hides someone else's resource is still a denial). */
export function markPolicyRefusal(req: FastifyRequest, err: unknown): void {
  if (err instanceof PolicyError && req.audit) req.audit.refusedByPolicy = true;
}
