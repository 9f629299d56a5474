import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorBody, ReadingReport } from '@vitrine/protocol';
import { byId } from '../audit/route-audit.ts';
import { actorOf } from '../auth/guard.ts';
import { readingCsv } from './reading-csv.ts';
import type { ReadingReports } from './reading-report.ts';

const Id = z.object({ id: z.uuid() });
const errors = { 400: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody };

/** A share's reading report for its owner, as JSON or CSV. */
export function registerReadingRoutes(server: FastifyInstance, reports: ReadingReports): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/shares/:id/reading',
    {
      config: { audit: { action: 'share.reading', target: byId('share') } },
      schema: {
        summary: 'What the client viewed in a share: documents, pages and time on screen (from the app’s claims)',
        params: Id,
        response: { 200: ReadingReport, ...errors },
      },
    },
    async (req) => reports.report(actorOf(req), req.params.id),
  );
  app.get(
    '/api/shares/:id/reading.csv',
    {
      config: { audit: { action: 'share.reading', target: byId('share') } },
      schema: { summary: 'The reading report as CSV', params: Id, response: { 200: z.string(), ...errors } },
    },
    async (req, reply) => {
      const report = await reports.report(actorOf(req), req.params.id);
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="reading-${req.params.id.slice(0, 8)}.csv"`)
        .send(readingCsv(report));
    },
  );
}
