import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorBody, RecordingDetail, RecordingList, RecordingListQuery } from '@vitrine/protocol';
import { byId } from '../audit/route-audit.ts';
import { actorOf } from '../auth/guard.ts';
import { DomainError } from '../errors.ts';
import type { RecordingRecord } from './recording-store.ts';
import type { RecordingReplay } from './recording-replay.ts';
import type { RecordingService } from './recording-service.ts';

const Id = z.object({ id: z.uuid() });
const ClipParams = z.object({ id: z.uuid(), clip: z.coerce.number().int().min(0).max(1_000_000) });
const errors = { 400: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

/** Recordings for their owner: list, open (clips and time line), play a clip, remove. Never a client. */
export function registerRecordingRoutes(
  server: FastifyInstance,
  replay: RecordingReplay,
  recordings: RecordingService,
): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const scoped = (req: FastifyRequest, r: RecordingRecord) =>
    req.audit.note({ ownerId: r.ownerId, shareId: r.shareId, sessionId: r.sessionId });

  app.get(
    '/api/recordings',
    {
      config: { audit: { action: 'recording.list' } },
      schema: {
        summary: 'My recordings (of recorded shares’ sessions), and my recording space',
        querystring: RecordingListQuery,
        response: { 200: RecordingList, ...errors },
      },
    },
    async (req) => replay.list(actorOf(req), req.query),
  );
  app.get(
    '/api/recordings/:id',
    {
      config: { audit: { action: 'recording.get', target: byId('recording') } },
      schema: {
        summary: 'A recording: its clips and what happened, on one time line',
        params: Id,
        response: { 200: RecordingDetail, ...errors },
      },
    },
    async (req) => {
      const r = await replay.get(actorOf(req), req.params.id);
      scoped(req, r);
      return replay.detail(r);
    },
  );
  app.get(
    '/api/recordings/:id/clips/:clip',
    {
      config: { audit: { action: 'recording.play', target: byId('recording') } },
      schema: {
        summary: 'One clip of a recording as MP4 (checked against its hashes first)',
        params: ClipParams,
        response: { ...errors },
      },
    },
    async (req, reply) => {
      const r = await replay.get(actorOf(req), req.params.id);
      scoped(req, r);
      return sendRange(req, reply, await replay.clip(r, req.params.clip));
    },
  );
  app.delete(
    '/api/recordings/:id',
    {
      config: { audit: { action: 'recording.purge', target: byId('recording'), security: true } },
      schema: {
        summary: 'Remove a recording (a checkpoint of what it held stays on the trail)',
        params: Id,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await replay.get(actor, req.params.id, 'delete');
      scoped(req, r);
      if (r.state === 'recording') throw new DomainError(409, 'rejected', 'the session is still being recorded');
      replay.forget(r.id);
      await recordings.purge([r], 'owner', { id: actor.id, role: actor.role });
      // That purge is the removal's one event (with what the recording held); refusals go through the hook.
      req.audit.written = true;
      return reply.code(204).send(null);
    },
  );
}

/** The clip, or the byte range the video element asked for (it seeks by ranges). */
function sendRange(req: FastifyRequest, reply: FastifyReply, body: Buffer) {
  reply
    .header('content-type', 'video/mp4')
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private, no-store');
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return reply.send(body);
  const size = body.length;
  let start = m[1] === '' ? size - Number(m[2]) : Number(m[1]);
  let end = m[1] !== '' && m[2] !== '' ? Number(m[2]) : size - 1;
  start = Math.max(0, start);
  end = Math.min(end, size - 1);
  if (start > end) return reply.code(416).header('content-range', `bytes */${size}`).send();
  return reply
    .code(206)
    .header('content-range', `bytes ${start}-${end}/${size}`)
    .send(body.subarray(start, end + 1));
}
