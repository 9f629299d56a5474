import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntry } from '../audit/chain.ts';

const UPLOAD = { method: 'PUT', url: '/api/files/content' };
/** Request ids (the server's own) and upload temporary files are both random UUIDs. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An upload in progress, as the next start needs it if the server dies meanwhile. */
interface Marker {
  actor: { id: string; role: AuditEntry['actor']['role'] };
  path: string;
  startedAt: string;
  ip: string | null;
  userAgent: string | null;
  correlationId: string;
}

export interface UploadJournalDeps {
  /** Where markers of uploads in progress are kept (the server's data folder, not the owners'). */
  dir: string;
  /** The owners' storage: `<owner>/tmp/<uuid>` are uploads being received. */
  storageDir: string;
  audit: { record(entry: AuditEntry): Promise<void> };
  log: { warn(obj: object, msg: string): void };
}

/** Where the server keeps its markers of uploads in progress. */
export function uploadJournalDir(dataDir: string): string {
  return path.join(dataDir, 'journal', 'uploads');
}

/**
 * An upload's audit event is written when its answer goes out, so a server killed during an
 * upload left no trace of it, and its temporary file stayed a day until the trash purge (issue
 * 16). Each upload now leaves a small marker (written before its first byte is received, removed
 * when its answer is out); at start-up, before the server listens, every marker left becomes the
 * failed upload's event ("interrupted") and every temporary file goes, since no upload runs yet.
 */
export async function registerUploadJournal(app: FastifyInstance, deps: UploadJournalDeps): Promise<void> {
  await recoverInterruptedUploads(deps);
  fs.mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
  const isUpload = (req: FastifyRequest) =>
    req.method === UPLOAD.method && req.routeOptions.url === UPLOAD.url && UUID.test(req.id);
  const markerOf = (req: FastifyRequest) => path.join(deps.dir, `${req.id}.json`);
  // After the sign-in hook (req.actor) and before the body is read.
  app.addHook('preHandler', async (req) => {
    if (!isUpload(req) || !req.actor) return;
    const { path: relPath } = req.query as { path?: unknown };
    const marker: Marker = {
      actor: { id: req.actor.id, role: req.actor.role },
      path: typeof relPath === 'string' ? relPath : '',
      startedAt: new Date().toISOString(),
      ip: req.ip ?? null,
      userAgent: req.headers['user-agent'] ?? null,
      correlationId: req.id,
    };
    // Synchronous: the marker must exist before a byte lands in a temporary file.
    fs.writeFileSync(markerOf(req), JSON.stringify(marker), { mode: 0o600 });
  });
  const done = async (req: FastifyRequest) => {
    if (isUpload(req)) fs.rmSync(markerOf(req), { force: true });
  };
  app.addHook('onResponse', done);
  app.addHook('onRequestAbort', done);
}

/** Records the uploads a killed server left unfinished and removes their temporary files. */
export async function recoverInterruptedUploads(deps: UploadJournalDeps): Promise<void> {
  const named = new Map<string, number>();
  for (const { file, marker } of readMarkers(deps.dir)) {
    if (marker) {
      await deps.audit.record({
        actor: marker.actor,
        action: 'file.upload',
        target: { type: 'file', path: marker.path },
        outcome: 'failed',
        reason: 'interrupted',
        ip: marker.ip,
        userAgent: marker.userAgent,
        correlationId: marker.correlationId,
        ownerId: marker.actor.id,
        detail: {
          route: `${UPLOAD.method} ${UPLOAD.url}`,
          message: 'the server stopped before the upload finished; nothing was stored',
          startedAt: marker.startedAt,
        },
      });
      named.set(marker.actor.id, (named.get(marker.actor.id) ?? 0) + 1);
    }
    fs.rmSync(file, { force: true });
  }
  for (const { ownerId, files, bytes } of removeTemporaryFiles(deps.storageDir)) {
    deps.log.warn({ ownerId, files, bytes }, 'removed temporary files of interrupted uploads');
    // Uploads from before markers existed, or whose marker was lost: still on the trail, unnamed.
    const unnamed = files - (named.get(ownerId) ?? 0);
    if (unnamed > 0) {
      await deps.audit.record({
        actor: { id: null, role: 'system' },
        action: 'file.upload',
        target: { type: 'file', path: null },
        outcome: 'failed',
        reason: 'interrupted',
        ownerId,
        detail: { message: 'uploads interrupted by a server stop were removed', files: unnamed, bytes },
      });
    }
  }
}

function readMarkers(dir: string): Array<{ file: string; marker: Marker | null }> {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = path.join(dir, name);
    try {
      const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Marker;
      return { file, marker: typeof m.actor?.id === 'string' && typeof m.path === 'string' ? m : null };
    } catch {
      return { file, marker: null };
    }
  });
}

/** Every upload temporary file of every owner (none can be in use before the server listens). */
function removeTemporaryFiles(storageDir: string): Array<{ ownerId: string; files: number; bytes: number }> {
  const removed: Array<{ ownerId: string; files: number; bytes: number }> = [];
  for (const ownerId of readdirOrEmpty(storageDir)) {
    const tmp = path.join(storageDir, ownerId, 'tmp');
    if (!fs.lstatSync(tmp, { throwIfNoEntry: false })?.isDirectory()) continue;
    let files = 0;
    let bytes = 0;
    for (const name of readdirOrEmpty(tmp).filter((n) => UUID.test(n))) {
      const stat = fs.lstatSync(path.join(tmp, name), { throwIfNoEntry: false });
      if (!stat?.isFile()) continue;
      fs.rmSync(path.join(tmp, name), { force: true });
      files++;
      bytes += stat.size;
    }
    if (files) removed.push({ ownerId, files, bytes });
  }
  return removed;
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
