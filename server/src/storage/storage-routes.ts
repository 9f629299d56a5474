import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorBody,
  ContentQuery,
  CreateFolderBody,
  FileEntry,
  fileMoveAction,
  FolderListing,
  MoveBody,
  PathQuery,
  RestoreQuery,
  StorageUsage,
  TrashItem,
  UploadedFile,
  UploadQuery,
} from '@vitrine/protocol';
import { actorOf } from '../auth/guard.ts';
import { byId, str, type RouteAudit, type Seen } from '../audit/route-audit.ts';
import { DomainError } from '../errors.ts';
import { authorize } from '../policies/policies.ts';
import { PREVIEW_CSP, previewContentType } from './content-types.ts';
import type { OwnerStorage, StorageAddress } from './owner-storage.ts';
import { badPath, parseStorageRef, shownPath } from './paths.ts';

const TrashId = z.object({ id: z.uuid() });
const errors = { 400: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

/** The shown path of a ref for the trail ("" if it is not one): readable, and never raw bytes. */
function shownRef(ref: string | undefined): string | undefined {
  if (ref === undefined) return undefined;
  try {
    return shownPath(parseStorageRef(ref));
  } catch {
    return '';
  }
}

/** What `?path=` or `?ref=` (an entry's exact bytes, for unusual names) points at. */
function addressOf(query: { path: string; ref?: string | undefined }): StorageAddress {
  if (query.ref === undefined) return query.path;
  if (query.path !== '') throw badPath('give either a path or a ref, not both');
  return { ref: query.ref };
}

/** The file a request names, by path or by ref, for the trail. */
const fileAt: NonNullable<RouteAudit['target']> = (r) => ({
  type: 'file',
  path: shownRef(str(r.query.ref)) ?? r.query.path ?? str(r.body.path) ?? null,
});
/** The file a move starts from. */
const movedFrom = (r: Seen) => shownRef(str(r.body.fromRef)) ?? str(r.body.from) ?? '';

/** An owner's own files and trash (docs/accounts-and-shares.md, "Owner storage"). */
export function registerStorageRoutes(server: FastifyInstance, storage: OwnerStorage): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/files',
    {
      config: { audit: { action: 'file.list', target: fileAt } },
      schema: {
        summary: 'A folder of your storage',
        querystring: PathQuery,
        response: { 200: FolderListing, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'browse', 'Storage', { ownerId: actor.id });
      return storage.list(actor.id, addressOf(req.query));
    },
  );
  app.get(
    '/api/files/usage',
    {
      config: { audit: { action: 'file.usage' } },
      schema: { summary: 'Bytes used, quota and upload limit', response: { 200: StorageUsage, ...errors } },
    },
    async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'browse', 'Storage', { ownerId: actor.id });
      return storage.usage(actor.id);
    },
  );
  app.get(
    '/api/files/content',
    {
      config: { audit: { action: 'file.download', target: fileAt, security: true } },
      schema: {
        summary: 'Download a file (as an attachment), or open it in the owner’s preview (inline)',
        querystring: ContentQuery,
        // Streamed as it is: a stream is never serialised.
        response: { 200: z.unknown().describe('the file, application/octet-stream unless previewed'), ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      authorize(actor, 'download', 'Storage', { ownerId: actor.id });
      const inline = req.query.disposition === 'inline';
      if (inline) req.audit.note({ detail: { disposition: 'inline' } });
      const file = await storage.download(actor.id, addressOf(req.query));
      // A preview may be framed by our own page (the PDF viewer) and nothing else; see content-types.ts.
      if (inline) reply.header('content-security-policy', PREVIEW_CSP);
      return reply
        .header('content-type', inline ? previewContentType(file.filename) : 'application/octet-stream')
        .header('content-disposition', inline ? disposition('inline', file.filename) : attachment(file.filename))
        .header('content-length', file.size)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(file.stream);
    },
  );
  app.post(
    '/api/files/folders',
    {
      config: { audit: { action: 'file.create-folder', target: fileAt } },
      schema: { summary: 'Create a folder', body: CreateFolderBody, response: { 201: FileEntry, ...errors } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      authorize(actor, 'write', 'Storage', { ownerId: actor.id });
      return reply.status(201).send(await storage.createFolder(actor.id, req.body.path));
    },
  );
  app.post(
    '/api/files/move',
    {
      config: {
        audit: {
          action: (r) => fileMoveAction(movedFrom(r), str(r.body.to) ?? ''),
          target: (r) => ({ type: 'file', path: movedFrom(r) }),
        },
      },
      schema: {
        summary: 'Move or rename (never replaces); `fromRef` instead of `from` for an entry with a ref',
        body: MoveBody,
        response: { 200: FileEntry, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'write', 'Storage', { ownerId: actor.id });
      const { from, fromRef, to } = req.body;
      return storage.move(actor.id, addressOf({ path: from, ref: fromRef }), to);
    },
  );
  app.delete(
    '/api/files',
    {
      config: { audit: { action: 'file.delete', target: fileAt } },
      schema: {
        summary: 'Move to the trash (anything: a file, a folder, a special entry; by path or ref)',
        querystring: PathQuery,
        response: { 200: TrashItem, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'write', 'Storage', { ownerId: actor.id });
      return storage.delete(actor.id, addressOf(req.query));
    },
  );
  app.get(
    '/api/trash',
    {
      config: { audit: { action: 'trash.list' } },
      schema: { summary: 'Deleted items, newest first', response: { 200: z.array(TrashItem), ...errors } },
    },
    async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'browse', 'Storage', { ownerId: actor.id });
      return storage.listTrash(actor.id);
    },
  );
  app.post(
    '/api/trash/:id/restore',
    {
      config: { audit: { action: 'file.restore', target: byId('trash-item') } },
      schema: {
        summary: 'Put an item back (with conflict=keep-both, as "name (2).ext" if its path is taken)',
        params: TrashId,
        querystring: RestoreQuery,
        response: { 200: FileEntry, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'write', 'Storage', { ownerId: actor.id });
      const keepBoth = req.query.conflict === 'keep-both';
      const { entry, item } = await storage.restore(actor.id, req.params.id, { keepBoth });
      req.audit.note({
        target: { type: 'file', id: req.params.id, path: entry.path },
        // Its old path was taken: restored beside what is there now, under another name.
        ...(entry.path !== item.originalPath ? { detail: { requestedPath: item.originalPath } } : {}),
      });
      return entry;
    },
  );
  app.delete(
    '/api/trash/:id',
    {
      config: { audit: { action: 'file.purge', target: byId('trash-item') } },
      schema: { summary: 'Purge an item now', params: TrashId, response: { 204: z.null(), ...errors } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      authorize(actor, 'write', 'Storage', { ownerId: actor.id });
      await storage.purge(actor.id, req.params.id);
      return reply.status(204).send(null);
    },
  );

  // Uploads get their own scope: the only body parser there hands the raw stream to the handler
  // (nothing is buffered), and every other content type is refused with 415.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    // A refused upload leaves the rest of the body unread: without "close" the client would stall
    // writing into a connection nobody reads, instead of seeing the answer.
    scope.addHook('onError', async (req, reply) => {
      if (!req.raw.complete) reply.header('connection', 'close');
    });
    scope.withTypeProvider<ZodTypeProvider>().put(
      '/api/files/content',
      {
        config: { audit: { action: 'file.upload', target: fileAt } },
        // Counted while streaming; this only lifts Fastify's small global limit.
        bodyLimit: storage.options.maxUploadBytes + 1,
        schema: {
          summary: 'Upload a file (raw bytes, application/octet-stream); `conflict` says what a taken name does',
          querystring: UploadQuery,
          response: { 201: UploadedFile, ...errors, 413: ApiErrorBody },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        authorize(actor, 'write', 'Storage', { ownerId: actor.id });
        // No body at all skips the parser; everything else arrived as application/octet-stream.
        if (!(req.body instanceof Readable)) {
          throw new DomainError(415, 'unsupported-media-type', 'send the file as application/octet-stream');
        }
        const length = Number(req.headers['content-length']);
        const conflict = req.query.conflict ?? (req.query.overwrite === 'true' ? 'replace' : 'fail');
        if (conflict !== 'fail') req.audit.note({ detail: { conflict } });
        const entry = await storage.upload(actor.id, req.query.path, req.body, {
          conflict,
          declaredBytes:
            req.headers['content-length'] !== undefined && Number.isSafeInteger(length) ? length : undefined,
        });
        // The trail says where the file went (another name when both were kept) and which trash
        // item holds the version it replaced.
        req.audit.note({
          target: { type: 'file', path: entry.path },
          ...(entry.replaced
            ? { detail: { replaced: { trashItemId: entry.replaced.id, size: entry.replaced.size } } }
            : entry.path !== req.query.path
              ? { detail: { requestedPath: req.query.path } }
              : {}),
        });
        return reply.status(201).send(entry);
      },
    );
  });
}

/** RFC 6266 attachment header: an ASCII fallback for old clients and the exact name per RFC 5987. */
export function attachment(filename: string): string {
  return disposition('attachment', filename);
}

function disposition(type: 'attachment' | 'inline', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
