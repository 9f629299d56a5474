import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type {
  ControlClient,
  ControlEventKind as EventKind,
  GrantInfo as SessionGrant,
} from './generated/app-sdk/index.ts';
import { isRename } from './generated/app-sdk/index.ts';
import { officePdf, type Office } from './office.ts';
import { handleOffice } from './office-routes.ts';
import { ApiError, FILES, FileRoot, checkParent, checkSandboxPath, fsError, openNoFollow } from './paths.ts';
import { Search, parseSearch } from './search.ts';
import { assetContentType, extensionOf, fileContentType, fileType, type EntryType } from './types.ts';

export type Access = 'read' | 'read-write' | 'read-write-delete';

export interface GrantInfo {
  path: string;
  access: Access;
}

export interface ExplorerOptions {
  /** The folder standing for /files (in the sandbox: /files itself). */
  root: string;
  /** The built UI (index.html and its assets). */
  uiDir: string;
  grants: GrantInfo[];
  control: ControlClient;
  /** What to show first (`init.open`: a file opened in its viewer, or a folder listed); null: the roots. */
  openFirst?: string | null;
  /** The PDF an office document is laid out into, for searching its pages; absent: not available. */
  officePdf?: (sandboxPath: string) => Promise<string>;
  /** LibreOffice for /api/office/* (office.ts); absent: those routes answer 503 `unavailable`. */
  office?: Office;
  /** After the UI's first request for the roots (it has drawn): start LibreOffice then. */
  officeWarmDelayMs?: number;
  /** Serve on this server (already listening, see main.ts) instead of a new one. */
  server?: http.Server;
}

/** Files LibreOffice shows (CSV and TSV are spreadsheets the UI parses itself). */
const isOfficeFile = (name: string) => {
  const type = fileType(name);
  return type === 'document' || (type === 'spreadsheet' && !['csv', 'tsv'].includes(extensionOf(name)));
};

const MAX_BODY_BYTES = 64 * 1024;
/** What the UI may report itself; the server reports renames, moves and new folders on its own. */
const UI_EVENTS = new Set<EventKind>([
  'folder-opened',
  'file-opened',
  'file-closed',
  'page-viewed',
  'video-started',
  'video-stopped',
]);
const ACCESS = new Set<Access>(['read', 'read-write', 'read-write-delete']);

/**
 * VITRINE_GRANTS, for an explorer run without a control channel (outside Vitrine: tests); without
 * it, /files as a whole (the kernel decides anyway). In a session the grants come from `init`.
 */
export function parseGrants(json: string | undefined): GrantInfo[] {
  if (!json) return [{ path: FILES, access: 'read-write-delete' }];
  const raw: unknown = JSON.parse(json);
  if (!Array.isArray(raw)) throw new Error('VITRINE_GRANTS is not a list');
  return raw.map((g: { path?: unknown; access?: unknown }) => {
    if (typeof g?.path !== 'string' || !ACCESS.has(g.access as Access)) throw new Error('bad VITRINE_GRANTS entry');
    return { path: checkSandboxPath(g.path), access: g.access as Access };
  });
}

/** The session's grants as `init` names them (rights), in the explorer's terms (one access level). */
export function grantsFromInit(grants: readonly SessionGrant[]): GrantInfo[] {
  return grants.map((g) => {
    const has = (right: SessionGrant['rights'][number]) => g.rights.includes(right);
    // Deleting moves to the trash, which the server allows only where writing is allowed too.
    const access: Access = has('write') ? (has('delete') ? 'read-write-delete' : 'read-write') : 'read';
    return { path: checkSandboxPath(g.path, 'a grant'), access };
  });
}

const PLACEHOLDER = `<!doctype html>
<html><head><meta charset="utf-8"><title>File Explorer</title>
<style>html,body{margin:0;height:100%;background:#1e3a5f;color:#fff;font:24px sans-serif}
body{display:flex;align-items:center;justify-content:center}</style></head>
<body><div>File Explorer &mdash; the UI is not built (apps/file-explorer/ui/dist)</div></body></html>
`;

export function createExplorerServer(opts: ExplorerOptions): http.Server {
  const root = new FileRoot(opts.root);
  const uiDir = path.resolve(opts.uiDir);
  const { control } = opts;
  const search = new Search({ root, grants: opts.grants.map((g) => g.path), officePdf: opts.officePdf ?? officePdf });

  const server = opts.server ?? http.createServer();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      // Mid-body failures are mostly the browser hanging up (a video seeking elsewhere).
      if (res.headersSent) return res.destroy();
      const e = fsError(err);
      if (e.status >= 500) process.stderr.write(`explorer: ${req.method} ${pathOf(req)}: ${(err as Error).stack}\n`);
      sendJson(res, e.status, { error: e.code, message: e.message, ...(e.errno ? { code: e.errno } : {}) });
    });
  });

  const ownOrigins = () => {
    const port = (server.address() as { port: number } | null)?.port;
    return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  };

  // LibreOffice starts warm (≈ 4.5 s of CPU at nice 10, ≈ 150 MiB) once the UI has listed a folder
  // holding an office file, so that document opens in ~0.5 s instead of ~5 s, without slowing the
  // UI's first picture; sessions whose files hold none never pay for it.
  let warmTimer: NodeJS.Timeout | null = null;
  const warmOffice = () => {
    if (warmTimer || !opts.office) return;
    warmTimer = setTimeout(() => opts.office?.warm(), opts.officeWarmDelayMs ?? 1000);
    warmTimer.unref();
  };
  server.on('close', () => {
    if (warmTimer) clearTimeout(warmTimer);
  });

  const pathOf = (req: http.IncomingMessage) => (req.url ?? '/').replace(/\?.*/, '');

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!url.pathname.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'method-not-allowed', `${method} not allowed`);
      return serveUi(url.pathname, req, res);
    }
    res.setHeader('Cache-Control', 'no-store');
    const route = `${method} ${url.pathname}`;
    if (url.pathname.startsWith('/api/office/')) return handleOffice(opts.office, method, url, res);
    if (method === 'POST') {
      // Only the UI (same origin, JSON) may change anything: a file opened from the person's storage
      // that somehow ran script elsewhere could not post here without a preflight that fails.
      const origin = req.headers.origin;
      if (origin !== undefined && !ownOrigins().includes(origin)) {
        throw new ApiError(403, 'forbidden-origin', 'requests from other origins are refused');
      }
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        throw new ApiError(415, 'unsupported-media-type', 'send JSON');
      }
    }
    switch (route) {
      case 'GET /api/roots': {
        const shown = await roots();
        if (shown.some((r) => r.kind === 'file' && isOfficeFile(r.name))) warmOffice();
        return sendJson(res, 200, shown);
      }
      case 'GET /api/start':
        return sendJson(res, 200, { open: opts.openFirst ?? null });
      case 'GET /api/list': {
        const listing = await list(checkSandboxPath(url.searchParams.get('path')));
        if (listing.entries.some((e) => e.kind === 'file' && isOfficeFile(e.name))) warmOffice();
        return sendJson(res, 200, listing);
      }
      case 'GET /api/search': {
        const request = parseSearch(url.searchParams);
        // A search the UI gave up on (a newer query) stops, and its pdftotext with it.
        const gone = new AbortController();
        res.on('close', () => gone.abort(new ApiError(499, 'aborted', 'the request was abandoned')));
        return sendJson(res, 200, await search.run(request, gone.signal));
      }
      case 'GET /api/file':
      case 'HEAD /api/file':
        return sendFile(checkSandboxPath(url.searchParams.get('path')), req, res);
      case 'POST /api/folders': {
        const body = await readJson(req);
        const p = checkSandboxPath(body.path);
        if (p === FILES) throw new ApiError(409, 'exists', 'something with that name already exists');
        const real = root.toReal(p);
        await checkParent(real);
        await fs.promises.mkdir(real);
        control.event({ kind: 'folder-created', path: p });
        return sendJson(res, 201, { path: p });
      }
      case 'POST /api/move': {
        const body = await readJson(req);
        const from = checkSandboxPath(body.from, 'from');
        const to = checkSandboxPath(body.to, 'to');
        if (from === to) return sendJson(res, 200, { path: to });
        await move(from, to);
        control.event({
          kind: isRename(from, to) ? 'renamed' : 'moved',
          path: from,
          to,
        });
        return sendJson(res, 200, { path: to });
      }
      case 'POST /api/trash': {
        const body = await readJson(req);
        const p = checkSandboxPath(body.path);
        if (!control.available) throw new ApiError(503, 'unavailable', 'moving to the trash is not available here');
        const reply = await control.trash(p);
        if (reply.ok) return sendJson(res, 200, { ok: true });
        const status: Record<string, number> = {
          denied: 403,
          'not-found': 404,
          'invalid-path': 400,
          unavailable: 503,
          busy: 503,
          timeout: 504,
        };
        throw new ApiError(status[reply.error] ?? 502, reply.error, reply.message);
      }
      case 'POST /api/events': {
        const body = await readJson(req);
        if (!UI_EVENTS.has(body.kind as EventKind)) throw new ApiError(400, 'invalid', 'unknown event kind');
        const p = checkSandboxPath(body.path);
        const event: Parameters<ControlClient['event']>[0] = { kind: body.kind as EventKind, path: p };
        if (body.page !== undefined) {
          if (!Number.isInteger(body.page) || (body.page as number) < 1 || (body.page as number) > 1_000_000) {
            throw new ApiError(400, 'invalid', 'page must be a positive integer');
          }
          event.page = body.page as number;
        }
        if (body.position !== undefined) {
          if (typeof body.position !== 'number' || !(body.position >= 0 && body.position <= 1e7)) {
            throw new ApiError(400, 'invalid', 'position must be a number of seconds');
          }
          event.position = body.position;
        }
        if (body.entries !== undefined) {
          if (
            !Number.isInteger(body.entries) ||
            (body.entries as number) < 0 ||
            (body.entries as number) > 10_000_000
          ) {
            throw new ApiError(400, 'invalid', 'entries must be a count');
          }
          event.entries = body.entries as number;
        }
        if (body.pages !== undefined) {
          if (!Number.isInteger(body.pages) || (body.pages as number) < 1 || (body.pages as number) > 1_000_000) {
            throw new ApiError(400, 'invalid', 'pages must be a positive count');
          }
          event.pages = body.pages as number;
        }
        if (body.zoom !== undefined) {
          if (!Number.isInteger(body.zoom) || (body.zoom as number) < 1 || (body.zoom as number) > 6400) {
            throw new ApiError(400, 'invalid', 'zoom must be a whole percentage');
          }
          event.zoom = body.zoom as number;
        }
        return sendJson(res, 202, { forwarded: control.event(event) });
      }
    }
    const known = [
      '/api/roots',
      '/api/start',
      '/api/list',
      '/api/file',
      '/api/search',
      '/api/folders',
      '/api/move',
      '/api/trash',
      '/api/events',
    ];
    if (known.includes(url.pathname)) throw new ApiError(405, 'method-not-allowed', `${method} not allowed here`);
    throw new ApiError(404, 'not-found', 'no such route');
  }

  async function roots() {
    return Promise.all(
      opts.grants.map(async (g) => {
        const st = await fs.promises.stat(root.toReal(g.path)).catch(() => null);
        const name = g.path === FILES ? 'Files' : path.posix.basename(g.path);
        return { name, path: g.path, kind: st?.isFile() ? 'file' : 'folder', access: g.access };
      }),
    );
  }

  async function list(p: string) {
    const real = root.toReal(p);
    const dir = await openNoFollow(real, fs.constants.O_DIRECTORY).catch(async (err: NodeJS.ErrnoException) => {
      // O_DIRECTORY on a link says ENOTDIR; say what it is.
      if (err.code === 'ENOTDIR' && (await fs.promises.lstat(real)).isSymbolicLink()) {
        throw new ApiError(403, 'denied', 'links are not followed', 'ELOOP');
      }
      throw err;
    });
    try {
      // Through the descriptor checked above: what is listed is what was opened.
      const base = `/proc/self/fd/${dir.fd}`;
      const names = await fs.promises.readdir(base);
      const entries = await Promise.all(
        names.map(async (name) => {
          const st = await fs.promises.lstat(`${base}/${name}`).catch(() => null);
          // Links, sockets, devices: nothing to show (and links are never followed).
          if (!st || (!st.isFile() && !st.isDirectory())) return null;
          const folder = st.isDirectory();
          return {
            name,
            path: path.posix.join(p, name),
            kind: folder ? ('folder' as const) : ('file' as const),
            size: folder ? null : st.size,
            modifiedAt: st.mtime.toISOString(),
            type: (folder ? 'folder' : fileType(name)) as EntryType,
          };
        }),
      );
      const shown = entries.filter((e) => e !== null);
      shown.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
      return { path: p, entries: shown };
    } finally {
      await dir.close();
    }
  }

  async function move(from: string, to: string) {
    if (from === FILES || to === FILES) throw new ApiError(403, 'denied', 'the shared folders themselves stay put');
    if (opts.grants.some((g) => g.path === from))
      throw new ApiError(403, 'denied', 'a shared folder stays where it is');
    if (to.startsWith(from + '/')) throw new ApiError(400, 'invalid', 'a folder cannot be moved into itself');
    const realFrom = root.toReal(from);
    const realTo = root.toReal(to);
    await checkParent(realFrom);
    await checkParent(realTo);
    await fs.promises.lstat(realFrom);
    // rename() would replace an existing file silently; the UI asks for a new name instead.
    if (
      await fs.promises.lstat(realTo).then(
        () => true,
        () => false,
      )
    ) {
      throw new ApiError(409, 'exists', 'something with that name already exists');
    }
    try {
      await fs.promises.rename(realFrom, realTo);
    } catch (err) {
      // Without the delete right the kernel refuses renames (Landlock cannot allow one without
      // the other), so an "edit" share's renames are asked of the server, which checks the grant.
      const code = (err as NodeJS.ErrnoException).code;
      const grant = opts.grants.find((g) => from.startsWith(g.path + '/'));
      if ((code !== 'EACCES' && code !== 'EPERM') || grant?.access !== 'read-write' || !control.available) throw err;
      const reply = await control.move(from, to);
      if (reply.ok) return;
      const status: Record<string, number> = { denied: 403, 'not-found': 404, exists: 409, 'bad-path': 400 };
      throw new ApiError(status[reply.error] ?? 502, reply.error, reply.message);
    }
  }

  async function sendFile(p: string, req: http.IncomingMessage, res: http.ServerResponse) {
    const fh = await openNoFollow(root.toReal(p));
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw new ApiError(400, 'is-a-folder', 'is a folder');
      if (!st.isFile()) throw new ApiError(403, 'denied', 'not a plain file');
      const size = st.size;
      res.setHeader('Content-Type', fileContentType(path.posix.basename(p)));
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Last-Modified', st.mtime.toUTCString());
      // If a file is ever shown as a page of its own, it runs nothing and loads nothing.
      res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
      const range = parseRange(req.headers.range, size);
      if (range === 'unsatisfiable') {
        res.setHeader('Content-Range', `bytes */${size}`);
        return sendJson(res, 416, { error: 'range', message: 'the range is outside the file' });
      }
      const [start, end] = range ?? [0, size - 1];
      if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      res.writeHead(range ? 206 : 200, { 'Content-Length': String(Math.max(0, end - start + 1)) });
      if (req.method === 'HEAD' || size === 0) return void res.end();
      await pipeline(fh.createReadStream({ start, end, autoClose: false }), res);
    } finally {
      await fh.close();
    }
  }

  async function serveUi(pathname: string, req: http.IncomingMessage, res: http.ServerResponse) {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      throw new ApiError(400, 'invalid-path', 'bad URL');
    }
    if (rel.includes('\0') || rel.split('/').includes('..')) throw new ApiError(400, 'invalid-path', 'bad URL');
    if (rel === '/' || rel === '/index.html') {
      const index = await fs.promises.readFile(path.join(uiDir, 'index.html')).catch(() => Buffer.from(PLACEHOLDER));
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': index.length });
      return void res.end(req.method === 'HEAD' ? undefined : index);
    }
    const file = path.join(uiDir, path.posix.normalize(rel));
    if (!file.startsWith(uiDir + path.sep)) throw new ApiError(404, 'not-found', 'no such file');
    const st = await fs.promises.stat(file).catch(() => null);
    if (!st?.isFile()) throw new ApiError(404, 'not-found', 'no such file');
    res.writeHead(200, { 'Content-Type': assetContentType(file), 'Content-Length': st.size });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(fs.createReadStream(file), res);
  }

  return server;
}

/**
 * A single `bytes=` range: [start, end] inclusive, undefined to send everything (no header, or
 * one we do not serve as a range, like several ranges), 'unsatisfiable' for 416.
 */
export function parseRange(header: string | undefined, size: number): [number, number] | undefined | 'unsatisfiable' {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  let start: number;
  let end: number;
  if (a === '') {
    // The last N bytes.
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return undefined;
  }
  if (start >= size) return 'unsatisfiable';
  return [start, end];
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BODY_BYTES) throw new ApiError(413, 'too-large', 'the request body is too large');
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid', 'the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid', 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length });
  res.end(data);
}
