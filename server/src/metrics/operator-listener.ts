import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEALTHY, READY } from '@vitrine/protocol';
import type { Registry } from 'prom-client';
import type { Readiness } from './readiness.ts';

/** An operator's scraper or probe sends a few bytes and gets an answer at once: no reason to wait long. */
const HEADERS_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Prometheus, a probe or two, an operator's curl: a handful, never a crowd. */
const MAX_CONNECTIONS = 32;

export interface OperatorListener {
  address: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * The operator's listener (METRICS_LISTEN): `/metrics` in Prometheus' text format, and the same
 * `/healthz` and `/readyz` as the main port, so probes may use either. Apart from the client-facing
 * port, which never serves `/metrics`: what the server runs and how busy it is stays with whoever
 * may reach this address (loopback, or a private interface the operator chose). GET and HEAD only.
 */
export async function listenOperator(
  at: { host: string; port: number },
  deps: { registry: Registry; readiness: Readiness; log: { warn(obj: object, msg: string): void } },
): Promise<OperatorListener> {
  const server = http.createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      answer(req, deps).then(
        ({ status, type, body }) => {
          res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (err: Error) => {
          deps.log.warn({ err: err.message }, 'metrics not collected');
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('error\n');
        },
      );
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(
  req: http.IncomingMessage,
  deps: { registry: Registry; readiness: Readiness },
): Promise<{ status: number; type: string; body: string }> {
  const text = (status: number, body: string) => ({ status, type: 'text/plain; charset=utf-8', body: `${body}\n` });
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed');
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/metrics') {
    return { status: 200, type: deps.registry.contentType, body: await deps.registry.metrics() };
  }
  if (path === '/healthz') return text(200, HEALTHY);
  if (path === '/readyz') {
    const state = await deps.readiness.check();
    return text(state === READY ? 200 : 503, state);
  }
  return text(404, 'not found');
}
