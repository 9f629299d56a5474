import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@vitrine/protocol';
import { cookieName, readCookie } from './cookie.ts';
import { RateLimiter } from '../input/rate-limiter.ts';
import type { Actor } from '../policies/policies.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the sign-in hook when the request carries a valid sign-in cookie. */
    actor?: Actor;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in. Every other /api route requires a sign-in. */
    public?: boolean;
    /** Calls one signed-in person may make: a burst, refilled at `perMinute`. */
    perPerson?: { burst: number; perMinute: number };
  }
}

export { actorOf } from '../policies/policies.ts';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Anonymous calls (passkey ceremonies, invitation checks) allowed per client address. */
const PUBLIC_BURST = 100;
const PUBLIC_PER_SECOND = 1;
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Answers a request with an error. A refused WebSocket upgrade is answered on a socket the HTTP
 * server does not track (@fastify/websocket): unless it is destroyed, it stays open forever
 * (and holds server shutdown).
 */
export function refuseRequest(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  error: ErrorCode,
  message: string,
) {
  if (req.headers.upgrade?.toLowerCase() === 'websocket') reply.raw.once('finish', () => req.raw.socket.destroy());
  return reply.status(status).send({ error, message });
}

/** The limiter kept for `key`, made on first use; the map is bounded (cleared when full). */
function limiterFor(limits: Map<string, RateLimiter>, key: string, perSecond: number, burst: number): RateLimiter {
  let limiter = limits.get(key);
  if (!limiter) {
    if (limits.size >= MAX_TRACKED_ADDRESSES) limits.clear();
    limiter = new RateLimiter(perSecond, burst);
    limits.set(key, limiter);
  }
  return limiter;
}

/**
 * Default deny for the whole API: every /api route needs a valid sign-in cookie unless it is
 * declared `config: { public: true }`. Also refuses state changes and socket upgrades from
 * other origins (the SameSite cookie already keeps other sites out; this is the second lock).
 */
export function registerSignInGuard(
  app: FastifyInstance,
  deps: { resolve: (token: string) => Promise<Actor | undefined>; publicUrl: () => string },
): void {
  // Each anonymous ceremony writes a challenge row: without a limit, one client could flood the database.
  const publicLimits = new Map<string, RateLimiter>();
  const personLimits = new Map<string, RateLimiter>();
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    const origin = req.headers.origin;
    const upgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    const refuse = (status: number, error: ErrorCode, message: string) =>
      refuseRequest(req, reply, status, error, message);
    const tooMany = () => refuse(429, 'rate-limited', 'Too many attempts; wait a minute and try again.');
    if (origin !== undefined && (UNSAFE_METHODS.has(req.method) || upgrade) && origin !== deps.publicUrl()) {
      return refuse(
        403,
        'bad-origin',
        `Requests from ${origin} are not accepted: open ${deps.publicUrl()} instead (this server's PUBLIC_URL).`,
      );
    }
    const token = readCookie(req.headers.cookie, cookieName(deps.publicUrl()));
    if (token) req.actor = await deps.resolve(token);
    if (!req.actor && req.routeOptions.config.public !== true) {
      return refuse(401, 'unauthenticated', 'Sign in first.');
    }
    const perPerson = req.routeOptions.config.perPerson;
    if (req.actor && perPerson) {
      const limiter = limiterFor(
        personLimits,
        `${req.routeOptions.url} ${req.actor.id}`,
        perPerson.perMinute / 60,
        perPerson.burst,
      );
      if (!limiter.take()) return tooMany();
    }
    if (!req.actor && !limiterFor(publicLimits, req.ip, PUBLIC_PER_SECOND, PUBLIC_BURST).take()) return tooMany();
  });
}
