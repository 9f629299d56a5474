import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

const NONCE_PLACEHOLDER = '__VITRINE_CSP_NONCE__';

/**
 * Strict policy for the single page: only our own scripts and styles, each page load with a
 * fresh nonce for the tags the build marked; no inline script, no framing, no plugins, and
 * connections only back to this server (HTTP API and the signaling WebSocket).
 */
export function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "media-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Everything that is not the page (API, assets) may do nothing at all as a document. */
export const RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'";

const COMMON_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // The viewer needs none of these; a compromised page must not get them either.
  'permissions-policy':
    'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), bluetooth=(), payment=(), clipboard-read=(), clipboard-write=(), display-capture=()',
};

export function registerSecurityHeaders(app: FastifyInstance, opts: { hsts: boolean }): void {
  app.addHook('onSend', async (req, reply) => {
    for (const [k, v] of Object.entries(COMMON_HEADERS)) reply.header(k, v);
    // Only when this server speaks TLS itself (behind a proxy, the proxy sets it).
    if (opts.hsts) reply.header('strict-transport-security', 'max-age=31536000');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', RESOURCE_CSP);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}

/**
 * Serves the built web client: hashed assets as static files, and index.html for every other
 * GET outside /api (client-side routes), with a fresh CSP nonce each time.
 */
export async function registerWebClient(app: FastifyInstance, webDist: string): Promise<boolean> {
  const indexPath = path.join(webDist, 'index.html');
  if (!fs.existsSync(indexPath)) return false;
  const template = fs.readFileSync(indexPath, 'utf8');
  const sendPage = (reply: FastifyReply) => {
    const nonce = randomBytes(16).toString('base64');
    return reply
      .header('content-security-policy', pageCsp(nonce))
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
  app.get('/', { schema: { hide: true } }, async (_req, reply) => sendPage(reply));
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/')) return sendPage(reply);
    return reply.status(404).send({ error: 'not-found', message: 'not found' });
  });
  return true;
}
