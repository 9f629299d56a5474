import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { Actor } from '../policies/policies.ts';

/**
 * What the API tier and the workers prove to each other with their shared secret
 * (WORKER_SECRET_FILE): a browser's short-lived ticket to one session's signaling on a worker,
 * and the API tier's own calls to a worker. Both are HMAC-SHA256, checked in constant time.
 */

const MIN_SECRET_BYTES = 32;
/** A ticket is fetched right before the socket opens: half a minute covers a slow network. */
export const TICKET_TTL_MS = 30_000;
/** How far a call's time may be from the worker's clock (and how long it could be replayed). */
const CALL_SKEW_MS = 30_000;

export function loadClusterSecret(file: string): Buffer {
  let secret: Buffer;
  try {
    secret = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`WORKER_SECRET_FILE ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`, {
      cause: err,
    });
  }
  const trimmed = Buffer.from(secret.toString('utf8').trim(), 'utf8');
  if (trimmed.length < MIN_SECRET_BYTES) {
    throw new Error(
      `WORKER_SECRET_FILE ${file} holds ${trimmed.length} bytes; use at least ${MIN_SECRET_BYTES} random bytes (e.g. openssl rand -base64 48)`,
    );
  }
  return trimmed;
}

const mac = (secret: Buffer, text: string) => createHmac('sha256', secret).update(text).digest('base64url');

function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who may open one session's signaling on the worker that runs it, until `exp`. */
export interface SignalTicket {
  sessionId: string;
  actor: Actor;
  exp: number;
  nonce: string;
}

export function issueTicket(secret: Buffer, sessionId: string, actor: Actor, now = Date.now()): string {
  const ticket: SignalTicket = {
    sessionId,
    actor: { id: actor.id, role: actor.role, admin: actor.admin, signInId: actor.signInId },
    exp: now + TICKET_TTL_MS,
    nonce: randomBytes(12).toString('base64url'),
  };
  const body = Buffer.from(JSON.stringify(ticket)).toString('base64url');
  return `${body}.${mac(secret, `ticket.${body}`)}`;
}

/** The ticket if it is ours, unexpired and for this session; null otherwise (never says why). */
export function readTicket(secret: Buffer, text: string, sessionId: string, now = Date.now()): SignalTicket | null {
  const [body, sig, ...rest] = text.split('.');
  if (!body || !sig || rest.length || text.length > 2048 || !sameMac(sig, mac(secret, `ticket.${body}`))) return null;
  let ticket: SignalTicket;
  try {
    ticket = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SignalTicket;
  } catch {
    return null;
  }
  if (ticket.sessionId !== sessionId || typeof ticket.exp !== 'number' || ticket.exp < now) return null;
  return ticket;
}

/**
 * Tickets already used, kept until they expire: a ticket opens one socket, so one read from a
 * log or a browser's history opens nothing.
 */
export class UsedTickets {
  private readonly used = new Map<string, number>();

  /** True the first time a ticket's nonce is seen. */
  claim(ticket: SignalTicket, now = Date.now()): boolean {
    for (const [nonce, exp] of this.used) if (exp < now) this.used.delete(nonce);
    if (this.used.has(ticket.nonce)) return false;
    this.used.set(ticket.nonce, ticket.exp);
    return true;
  }
}

export const CALL_HEADER = 'x-vitrine-call';

/** The header value that proves a call to a worker came from the API tier, for this method, path and body. */
export function signCall(secret: Buffer, method: string, pathAndQuery: string, body: string, now = Date.now()): string {
  const digest = createHash('sha256').update(body).digest('base64url');
  return `t=${now},s=${mac(secret, `call.${now}.${method}.${pathAndQuery}.${digest}`)}`;
}

export function verifyCall(
  secret: Buffer,
  header: string | undefined,
  call: { method: string; pathAndQuery: string; body: string },
  now = Date.now(),
): boolean {
  const m = /^t=(\d{1,15}),s=([\w-]{1,100})$/.exec(header ?? '');
  if (!m) return false;
  const at = Number(m[1]);
  if (Math.abs(now - at) > CALL_SKEW_MS) return false;
  const expected = signCall(secret, call.method, call.pathAndQuery, call.body, at);
  return sameMac(`t=${m[1]},s=${m[2]}`, expected);
}
