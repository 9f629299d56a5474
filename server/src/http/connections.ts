import fs from 'node:fs';
import type http from 'node:http';
import { BlockList, isIPv6, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { addressKey } from '../client-address.ts';
import type { Config } from '../config/config.ts';

type Limits = Config['http']['connections'];

interface WarnLog {
  warn(obj: object, msg: string): void;
}

/** Refused connections are logged at most this often, as one line with a count (a flood must not flood the log). */
const REFUSALS_LOGGED_EVERY_MS = 60_000;

/**
 * Node's own timeouts, for http(s).createServer: the headers of a request must be complete within
 * `headersTimeoutMs` of its first byte (checked often enough to matter), and an idle keep-alive
 * connection closes after `keepAliveTimeoutMs`. Node's whole-request timeout stays off: it would
 * cut long uploads; `registerRequestDeadline` bounds small bodies instead.
 */
export function serverTimeouts(limits: Limits): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks every 30 s by default: a trickle of headers would live up to 30 s too long.
    connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** The process's soft limit on open files, or null if it cannot be read (or is unlimited). */
export function openFileLimit(): number | null {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.slice('Max open files'.length).trim().split(/\s+/)[0]);
    return Number.isSafeInteger(soft) && soft > 0 ? soft : null;
  } catch {
    return null;
  }
}

/**
 * How many connections the server holds at most: the configured number, or half the open-file
 * limit; never more than three quarters of it, since sessions (sandboxes, encoders, the
 * database) need descriptors too and a full table would refuse them as well.
 */
export function connectionCap(configured: number | null, fileLimit: number | null): number {
  if (fileLimit === null) return configured ?? 10_000;
  return Math.min(configured ?? Math.floor(fileLimit / 2), Math.floor((fileLimit * 3) / 4));
}

/**
 * Guards every HTTP(S) server Fastify listens with: connections that send nothing are closed,
 * slow ones too, and connections beyond the caps are refused at once (closed without a word).
 *
 * - A new connection must send a request's first byte within `headersTimeoutMs`; Node then
 *   bounds the rest of the headers (`serverTimeouts`). Under TLS the handshake has the same time.
 * - While a request is received or answered, `idleTimeoutMs` of silence closes the connection,
 *   except while the server itself is still working on the answer (a session starting).
 * - Between requests, Node's keep-alive timeout applies.
 * - One address (`addressKey`) holds at most `maxPerAddress` connections; trusted proxies,
 *   which carry many people's connections, only count towards the server's cap.
 * - WebSockets (signaling, the connection self-test) leave the HTTP server once upgraded, and
 *   the ws library clears the socket's timeout: a quiet viewer is not cut (it still counts
 *   towards its address's connections).
 */
export class ConnectionGuard {
  readonly cap: number;
  private readonly limits: Limits;
  private readonly proxies: BlockList;
  private readonly log: () => WarnLog;
  private readonly perAddress = new Map<string, number>();
  private readonly inFlight = new WeakMap<Socket, { req: http.IncomingMessage; res: http.ServerResponse }>();
  private refused = { perAddress: 0, total: 0 };
  private lastLogged = 0;

  constructor(opts: {
    limits: Limits;
    trustedProxies: readonly string[];
    log: () => WarnLog;
    fileLimit: number | null;
  }) {
    this.limits = opts.limits;
    this.log = opts.log;
    this.proxies = proxyList(opts.trustedProxies);
    this.cap = connectionCap(opts.limits.max, opts.fileLimit);
  }

  attach(server: http.Server, opts: { tls: boolean }): void {
    server.maxConnections = this.cap;
    server.timeout = this.limits.idleTimeoutMs;
    server.on('drop', () => this.noteRefused('total'));
    server.on('connection', (socket: Socket) => this.admit(socket, !opts.tls));
    // Under TLS the request's first byte is awaited on the decrypted socket, once the handshake is done.
    if (opts.tls) server.on('secureConnection', (socket: Socket) => socket.setTimeout(this.limits.headersTimeoutMs));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket;
      socket.setTimeout(this.limits.idleTimeoutMs);
      this.inFlight.set(socket, { req, res });
      res.once('close', () => {
        if (this.inFlight.get(socket)?.res === res) this.inFlight.delete(socket);
      });
    });
    // With a listener here, Node no longer destroys timed-out sockets itself: this decides.
    server.on('timeout', (socket: Socket) => {
      const current = this.inFlight.get(socket);
      if (current && current.req.complete && !current.res.headersSent) return;
      socket.destroy();
    });
  }

  private admit(socket: Socket, awaitFirstByte: boolean): void {
    const address = socket.remoteAddress;
    const key = addressKey(address);
    const count = this.perAddress.get(key) ?? 0;
    if (address === undefined || (count >= this.limits.maxPerAddress && !this.isProxy(address))) {
      socket.destroy();
      this.noteRefused('perAddress');
      return;
    }
    this.perAddress.set(key, count + 1);
    socket.once('close', () => {
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left > 0) this.perAddress.set(key, left);
      else this.perAddress.delete(key);
    });
    if (awaitFirstByte) socket.setTimeout(this.limits.headersTimeoutMs);
  }

  private isProxy(address: string): boolean {
    const v4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
    if (v4) return this.proxies.check(v4, 'ipv4');
    return this.proxies.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
  }

  private noteRefused(which: 'perAddress' | 'total'): void {
    this.refused[which]++;
    const now = Date.now();
    if (now - this.lastLogged < REFUSALS_LOGGED_EVERY_MS) return;
    this.lastLogged = now;
    this.log().warn(
      { refused: this.refused, maxPerAddress: this.limits.maxPerAddress, max: this.cap },
      'refusing connections over the caps (MAX_CONNECTIONS_PER_ADDRESS, MAX_CONNECTIONS)',
    );
    this.refused = { perAddress: 0, total: 0 };
  }
}

function proxyList(list: readonly string[]): BlockList {
  const proxies = new BlockList();
  for (const item of list) {
    const [address = '', prefix] = item.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) proxies.addAddress(address, type);
    else proxies.addSubnet(address, Number(prefix), type);
  }
  return proxies;
}

/**
 * A request body sent too slowly is cut off: every route with a small body (the default limit)
 * must have received it within `ms` of its headers. Upload routes (a larger `bodyLimit`) are
 * bounded by the idle timeout only, so a long upload that keeps moving is never cut.
 */
export function registerRequestDeadline(app: FastifyInstance, ms: number): void {
  const smallBody = app.initialConfig.bodyLimit ?? 1024 * 1024;
  app.addHook('onRequest', async (req, reply) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody || req.raw.complete || (req.routeOptions.bodyLimit ?? smallBody) > smallBody) return;
    const timer = setTimeout(() => {
      if (!req.raw.complete) req.raw.socket.destroy();
    }, ms);
    reply.raw.once('close', () => clearTimeout(timer));
  });
}
