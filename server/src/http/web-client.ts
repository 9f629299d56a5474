import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

const NONCE_PLACEHOLDER = '__VITRINE_CSP_NONCE__';

/**
 * Strict policy for the single page: only our own scripts and styles, each page load with a
 * fresh nonce for the tags the build marked; no inline script, not framed, no plugins, and
 * connections only back to this server (HTTP API and the signaling WebSocket) and, multi-node, to
 * the session workers' signaling sockets (`socketSources`, see socketOrigins).
 */
export function pageCsp(nonce: string, pathname = '/', socketSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    ["connect-src 'self'", ...socketSources].join(' '),
    "img-src 'self' data:",
    "media-src 'self'",
    // The owner's PDF preview: only a file preview (storage/content-types.ts) lets itself be
    // framed, every other response says frame-ancestors 'none'. The clients' pages frame nothing.
    CLIENT_PAGES.test(pathname) ? "frame-src 'none'" : "frame-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The WebSocket origins (`wss://w1.example.com`) of the workers' WORKER_PUBLIC_URLs, where a page
 * of the API tier opens its sessions' signaling sockets. Only workers registered when the page
 * loaded are in its policy: one registered later is reached by pages loaded after it.
 */
export function socketOrigins(publicUrls: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const u of publicUrls) {
    const url = new URL(u);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    origins.add(url.origin);
  }
  return [...origins].sort();
}

/** Everything that is not the page (API, assets) may do nothing at all as a document. */
export const RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'";

// No page needs any of these; a compromised page must not get them either.
const DENIED_FEATURES = [
  'camera',
  'microphone',
  'geolocation',
  'usb',
  'serial',
  'hid',
  'bluetooth',
  'payment',
  'clipboard-read',
  'display-capture',
];

/** Every response but a page: nothing at all, the clipboard included. */
export const LOCKED_PERMISSIONS_POLICY = [...DENIED_FEATURES, 'clipboard-write'].map((f) => `${f}=()`).join(', ');
/** Owners' pages: the same, except that they may write to the clipboard (never read it). */
const OWNER_PAGE_PERMISSIONS_POLICY = [...DENIED_FEATURES.map((f) => `${f}=()`), 'clipboard-write=(self)'].join(', ');

/**
 * Paths of the pages clients use to watch: the streamed session (`/session/…`) and "Shared with
 * me" (from where a client's viewer is reached without a new page load). Their documents may not
 * touch the clipboard in either direction, nor frame anything.
 */
const CLIENT_PAGES = /^\/(session|shared)(\/|$)/;

/**
 * The Permissions-Policy of the page served at `pathname`. A policy belongs to a document, so it
 * is decided by the path the page is loaded at: the viewer's and the client's pages stay locked;
 * the others (owners' screens) may write to the clipboard, to copy an invitation link, and never
 * read it.
 */
export function pagePermissionsPolicy(pathname: string): string {
  return CLIENT_PAGES.test(pathname) ? LOCKED_PERMISSIONS_POLICY : OWNER_PAGE_PERMISSIONS_POLICY;
}

const COMMON_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function registerSecurityHeaders(app: FastifyInstance, opts: { hsts: boolean }): void {
  app.addHook('onSend', async (req, reply) => {
    for (const [k, v] of Object.entries(COMMON_HEADERS)) reply.header(k, v);
    if (!reply.hasHeader('permissions-policy')) reply.header('permissions-policy', LOCKED_PERMISSIONS_POLICY);
    // Only when this server speaks TLS itself (behind a proxy, the proxy sets it).
    if (opts.hsts) reply.header('strict-transport-security', 'max-age=31536000');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', RESOURCE_CSP);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}

/**
 * Where a page load should go instead, or null to serve it: a browser that reached this server by
 * another name (http://127.0.0.1:8080 for http://localhost:8080) is sent to the same path on
 * PUBLIC_URL, where passkeys and the origin checks work. Only when browsers reach this server
 * directly (PUBLIC_URL has the scheme this server speaks, and no proxy header says otherwise):
 * behind a proxy the Host header is the proxy's business, and redirecting could loop.
 */
export function canonicalRedirect(
  req: Pick<FastifyRequest, 'headers' | 'url'>,
  publicUrl: string,
  serverTls: boolean,
): string | null {
  const pub = new URL(publicUrl);
  if (pub.protocol !== (serverTls ? 'https:' : 'http:')) return null;
  if (req.headers['x-forwarded-host'] !== undefined || req.headers.forwarded !== undefined) return null;
  const host = req.headers.host?.toLowerCase();
  if (!host) return null;
  const defaultPort = serverTls ? ':443' : ':80';
  const sameHost = host === pub.host || (host.endsWith(defaultPort) && host.slice(0, -defaultPort.length) === pub.host);
  return sameHost ? null : `${pub.origin}${req.url.startsWith('/') ? req.url : '/'}`;
}

/**
 * Serves the built web client: hashed assets as static files, and index.html for every other
 * GET outside /api (client-side routes), with a fresh CSP nonce and the Permissions-Policy of its
 * path each time; a page asked for under another host name than PUBLIC_URL's is redirected there.
 */
export async function registerWebClient(
  app: FastifyInstance,
  webDist: string,
  opts: { publicUrl: () => string; tls: boolean; socketSources?: () => readonly string[] },
): Promise<boolean> {
  const indexPath = path.join(webDist, 'index.html');
  if (!fs.existsSync(indexPath)) return false;
  const template = fs.readFileSync(indexPath, 'utf8');
  const sendPage = (req: FastifyRequest, reply: FastifyReply) => {
    const elsewhere = canonicalRedirect(req, opts.publicUrl(), opts.tls);
    if (elsewhere) return reply.header('cache-control', 'no-store').redirect(elsewhere, 302);
    const nonce = randomBytes(16).toString('base64');
    const pathname = req.url.split('?')[0]!;
    return reply
      .header('content-security-policy', pageCsp(nonce, pathname, opts.socketSources?.() ?? []))
      .header('permissions-policy', pagePermissionsPolicy(pathname))
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(template.replaceAll(NONCE_PLACEHOLDER, nonce));
  };
  // index.html only ever leaves with its nonce filled in (via the not-found handler below).
  await app.register(fastifyStatic, {
    root: webDist,
    wildcard: false,
    index: false,
    allowedPath: (pathName) => pathName !== '/index.html',
    schemaHide: true,
  });
  app.get('/', { schema: { hide: true } }, async (req, reply) => sendPage(req, reply));
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/')) return sendPage(req, reply);
    return reply.status(404).send({ error: 'not-found', message: 'not found' });
  });
  return true;
}
