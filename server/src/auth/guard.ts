import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@vitrine/protocol';
import { addressKey } from '../client-address.ts';
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

/**
 * Requests without a valid sign-in, per client address (`addressKey`): a burst, then one a second.
 * Counted before anything else is done for them, so a signed-out flood costs no database lookup
 * and each refusal is cheap (its audit record is folded into a summary: request-audit.ts). Public
 * routes (the passkey ceremonies, each writing a challenge row) have an allowance of their own,
 * so a page's signed-out calls elsewhere never use up its visitor's chance to sign in.
 */
const ANONYMOUS_BURST = 100;
const ANONYMOUS_PER_SECOND = 1;
const MAX_TRACKED = 10_000;

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

/**
 * The limiter kept for `key`, made on first use. The map is bounded: the least recently used
 * key is dropped first, so a flood of new addresses cannot reset the buckets of the busy ones.
 */
function limiterFor(limits: Map<string, RateLimiter>, key: string, perSecond: number, burst: number): RateLimiter {
  let limiter = limits.get(key);
  if (limiter) {
    limits.delete(key);
  } else {
    if (limits.size >= MAX_TRACKED) limits.delete(limits.keys().next().value!);
    limiter = new RateLimiter(perSecond, burst);
  }
  limits.set(key, limiter);
  return limiter;
}

/**
 * Default deny for the whole API: every /api route needs a valid sign-in cookie unless it is
 * declared `config: { public: true }`. Also refuses state changes and socket upgrades from
 * other origins (the SameSite cookie already keeps other sites out; this is the second lock).
 */
export function registerSignInGuard(
  app: FastifyInstance,
  deps: {
    resolve: (token: string) => Promise<Actor | undefined>;
    publicUrl: () => string;
    /** A worker (ROLE=worker): a request's signed ticket from the API tier (workers/signatures.ts) names its actor. */
    ticket?: (req: FastifyRequest) => Actor | undefined;
  },
): void {
  const anonymousLimits = { public: new Map<string, RateLimiter>(), signedInOnly: new Map<string, RateLimiter>() };
  const personLimits = new Map<string, RateLimiter>();
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    const origin = req.headers.origin;
    const upgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    const refuse = (status: number, error: ErrorCode, message: string) => {
      // A signed-out caller's connection is not kept for a body nobody will read, nor for the next try.
      if (!req.actor) reply.header('connection', 'close');
      return refuseRequest(req, reply, status, error, message);
    };
    const tooMany = (perSecond: number) => {
      reply.header('retry-after', String(Math.ceil(1 / perSecond)));
      return refuse(429, 'rate-limited', 'Too many attempts; wait a minute and try again.');
    };
    const isPublic = req.routeOptions.config.public === true;
    const anonymousAllowed = () =>
      limiterFor(
        isPublic ? anonymousLimits.public : anonymousLimits.signedInOnly,
        addressKey(req.ip),
        ANONYMOUS_PER_SECOND,
        ANONYMOUS_BURST,
      ).take();
    // A worker reads tickets only; anywhere else, the sign-in cookie.
    const token = deps.ticket ? undefined : readCookie(req.headers.cookie, cookieName(deps.publicUrl()));
    if (deps.ticket) req.actor = deps.ticket(req);
    if (!token && !req.actor && !anonymousAllowed()) return tooMany(ANONYMOUS_PER_SECOND);
    if (origin !== undefined && (UNSAFE_METHODS.has(req.method) || upgrade) && origin !== deps.publicUrl()) {
      return refuse(
        403,
        'bad-origin',
        `Requests from ${origin} are not accepted: open ${deps.publicUrl()} instead (this server's PUBLIC_URL).`,
      );
    }
    if (token) {
      req.actor = await deps.resolve(token);
      // A cookie that is no sign-in (expired, or made up) counts as signed out.
      if (!req.actor && !anonymousAllowed()) return tooMany(ANONYMOUS_PER_SECOND);
    }
    if (!req.actor && !isPublic) {
      return refuse(401, 'unauthenticated', 'Sign in first.');
    }
    const perPerson = req.routeOptions.config.perPerson;
    if (req.actor && perPerson) {
      const perSecond = perPerson.perMinute / 60;
      const limiter = limiterFor(personLimits, `${req.routeOptions.url} ${req.actor.id}`, perSecond, perPerson.burst);
      if (!limiter.take()) return tooMany(perSecond);
    }
  });
}
