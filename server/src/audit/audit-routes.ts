import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorBody,
  AuditExportQuery,
  AuditPage,
  AuditPerson,
  AuditQuery,
  AuditVerifyResult,
  type AuditEvent,
} from '@vitrine/protocol';
import { actorOf, authorize, type Actor } from '../policies/policies.ts';
import type { ChainedEvent } from './chain.ts';
import { csvLine } from './csv.ts';
import type { AuditScope, AuditStore } from './audit-store.ts';

const errors = { 400: ApiErrorBody, 403: ApiErrorBody };
const EXPORT_PAGE = 500;

/** The Audit page's API: an owner's part of the trail (admins: the whole server), exports and verify. */
export function registerAuditRoutes(server: FastifyInstance, store: AuditStore): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const scopeOf = (actor: Actor, scope: 'mine' | 'server'): AuditScope => {
    authorize(actor, 'read', 'AuditTrail', { scope });
    return scope === 'server' ? { kind: 'server' } : { kind: 'owner', ownerId: actor.id };
  };
  const view = async (events: ChainedEvent[]): Promise<AuditEvent[]> => {
    const people = await store.people([...new Set(events.map((e) => e.actorId).filter((id): id is string => !!id))]);
    return events.map((e) => toView(e, e.actorId ? people.get(e.actorId) : undefined));
  };

  app.get(
    '/api/audit',
    {
      config: { audit: { action: 'audit.query' } },
      schema: {
        summary: 'Audit events, newest first (owners: about their files, shares and clients; admins: scope=server)',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errors },
      },
    },
    async (req) => {
      const { scope, limit, ...filter } = req.query;
      const events = await store.find(scopeOf(actorOf(req), scope), filter, limit + 1);
      const page = events.slice(0, limit);
      return {
        events: await view(page),
        nextBefore: events.length > limit && filter.order === 'desc' ? page[page.length - 1]!.seq : null,
      };
    },
  );

  app.get(
    '/api/audit/people',
    {
      config: { audit: { action: 'audit.people' } },
      schema: {
        summary: 'The clients of my shares (the Audit page’s person filter)',
        querystring: z.object({ scope: z.enum(['mine', 'server']).default('mine') }).strict(),
        response: { 200: z.array(AuditPerson), ...errors },
      },
    },
    async (req) => store.peopleIn(scopeOf(actorOf(req), req.query.scope)),
  );

  app.get(
    '/api/audit/export',
    {
      config: { audit: { action: 'audit.export', security: true } },
      schema: {
        summary: 'Every matching event, newest first, as CSV or JSON lines',
        querystring: AuditExportQuery,
        response: { 200: z.unknown().describe('text/csv or application/x-ndjson'), ...errors },
      },
    },
    async (req, reply) => {
      const { scope, format, ...filter } = req.query;
      const where = scopeOf(actorOf(req), scope);
      async function* lines(): AsyncGenerator<string> {
        if (format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
        let before: number | undefined;
        for (;;) {
          const events = await store.find(where, { ...filter, before }, EXPORT_PAGE);
          for (const e of await view(events)) yield format === 'csv' ? eventCsvLine(e) : JSON.stringify(e) + '\n';
          if (events.length < EXPORT_PAGE) return;
          before = events[events.length - 1]!.seq;
        }
      }
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="vitrine-audit-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}"`,
        )
        .header('cache-control', 'private, no-store')
        .send(Readable.from(lines()));
    },
  );

  app.get(
    '/api/audit/verify',
    {
      config: { audit: { action: 'audit.verify', security: true } },
      schema: { summary: 'Check the whole hash chain (admins)', response: { 200: AuditVerifyResult, ...errors } },
    },
    async (req) => {
      authorize(actorOf(req), 'verify', 'AuditTrail', { scope: 'server' });
      return store.verify();
    },
  );
}

export function toView(e: ChainedEvent, person?: { displayName: string; email: string }): AuditEvent {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    actor: {
      id: e.actorId,
      role: e.actorRole as AuditEvent['actor']['role'],
      name: person?.displayName ?? null,
      email: person?.email ?? null,
    },
    action: e.action as AuditEvent['action'],
    target: { type: e.targetType, id: e.targetId, path: e.targetPath },
    outcome: e.outcome as AuditEvent['outcome'],
    reason: e.reason,
    ip: e.ip,
    userAgent: e.userAgent,
    correlationId: e.correlationId,
    shareId: e.shareId,
    sessionId: e.sessionId,
    detail: JSON.parse(e.detail) as Record<string, unknown>,
  };
}

const CSV_COLUMNS = [
  'seq',
  'time',
  'actor_id',
  'actor_role',
  'actor_name',
  'actor_email',
  'action',
  'target_type',
  'target_id',
  'target_path',
  'outcome',
  'reason',
  'ip',
  'user_agent',
  'correlation_id',
  'share_id',
  'session_id',
  'detail',
];

function eventCsvLine(e: AuditEvent): string {
  return csvLine([
    e.seq,
    e.at,
    e.actor.id,
    e.actor.role,
    e.actor.name,
    e.actor.email,
    e.action,
    e.target.type,
    e.target.id,
    e.target.path,
    e.outcome,
    e.reason,
    e.ip,
    e.userAgent,
    e.correlationId,
    e.shareId,
    e.sessionId,
    JSON.stringify(e.detail),
  ]);
}
