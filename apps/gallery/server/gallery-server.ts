import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { listImages } from './listing.ts';
import { checkPath, imageType, openImage, RefusedError, type FileRoot } from './paths.ts';

/** What the gallery learnt from the server's `init` (or its defaults without a control channel). */
export interface GalleryContext {
  /** Sandbox paths of the shared folders (or files). */
  grants: string[];
  locale: string;
  timeZone: string;
}

/** What the page may report, as the claim kinds of the SDK it is passed on to. */
export type PageEvent =
  { kind: 'folder-opened'; path: string; entries: number } | { kind: 'file-opened' | 'file-closed'; path: string };

export interface GalleryOptions {
  root: FileRoot;
  /** The page's three files. */
  uiDir: string;
  /** Resolves once the server's `init` came (or did not, in time). */
  context: Promise<GalleryContext>;
  /** Passes a page's event on as a claim; false when it was dropped. */
  report(event: PageEvent): boolean;
}

/** The page's own files: a fixed table, so no request path ever reaches the file system. */
const UI_FILES: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/gallery.js': ['gallery.js', 'text/javascript; charset=utf-8'],
  '/gallery.css': ['gallery.css', 'text/css; charset=utf-8'],
};

/** The page loads nothing but its own files and images from this server. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MAX_EVENT_BYTES = 8192;

/** The gallery's request handler (docs: apps/gallery/README.md, "HTTP routes"). */
export function galleryHandler(opts: GalleryOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    route(opts, req, res).catch((err: unknown) => {
      if (err instanceof RefusedError) return sendJson(res, err.status, { error: err.message });
      process.stderr.write(`gallery: ${req.method} ${req.url}: ${String(err)}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: 'failed' });
      else res.destroy();
    });
  };
}

async function route(opts: GalleryOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  const ui = UI_FILES[url.pathname];
  if (ui && method === 'GET') {
    const body = await fs.promises.readFile(path.join(opts.uiDir, ui[0]));
    res.writeHead(200, { 'Content-Type': ui[1], 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' });
    res.end(body);
    return;
  }
  if (url.pathname === '/api/init' && method === 'GET') {
    const { grants, locale, timeZone } = await opts.context;
    return sendJson(res, 200, { grants, locale, timeZone });
  }
  if (url.pathname === '/api/images' && method === 'GET') {
    const { grants } = await opts.context;
    return sendJson(res, 200, await listImages(opts.root, grants));
  }
  if (url.pathname === '/api/image' && (method === 'GET' || method === 'HEAD')) {
    const { grants } = await opts.context;
    const p = checkPath(url.searchParams.get('path'), grants);
    const type = p === null ? null : imageType(p.slice(p.lastIndexOf('/') + 1));
    if (p === null || type === null) return sendJson(res, 400, { error: 'not an image path of this share' });
    const { handle, size } = await openImage(opts.root.toReal(p));
    try {
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': size,
        // An SVG opened on its own would be a document: it gets no scripts, no origin.
        'Content-Security-Policy': 'sandbox',
        'Cache-Control': 'private, max-age=300',
      });
      if (method === 'HEAD') res.end();
      else await pipeline(handle.createReadStream({ autoClose: false }), res);
    } finally {
      await handle.close();
    }
    return;
  }
  if (url.pathname === '/api/events' && method === 'POST') {
    // Only the page itself reports: a JSON body (a cross-site form cannot send one) and no foreign origin.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return sendJson(res, 403, { error: 'origin' });
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { error: 'json' });
    const body = await readBody(req, MAX_EVENT_BYTES);
    const { grants } = await opts.context;
    const event = body === null ? null : parseEvent(body, grants);
    if (!event) return sendJson(res, 400, { error: 'not an event this gallery reports' });
    return sendJson(res, 202, { forwarded: opts.report(event) });
  }
  sendJson(res, method === 'GET' || method === 'HEAD' ? 404 : 405, { error: 'no such route' });
}

/** A page's event, checked like any path it sends: only the three kinds the gallery reports. */
export function parseEvent(text: string, grants: readonly string[]): PageEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { kind, path: p, entries } = raw as Record<string, unknown>;
  const checked = checkPath(p, grants);
  if (checked === null) return null;
  if (kind === 'folder-opened') {
    if (typeof entries !== 'number' || !Number.isInteger(entries) || entries < 0 || entries > 1_000_000) return null;
    return { kind, path: checked, entries };
  }
  if ((kind === 'file-opened' || kind === 'file-closed') && imageType(checked.slice(checked.lastIndexOf('/') + 1))) {
    return { kind, path: checked };
  }
  return null;
}

async function readBody(req: http.IncomingMessage, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
