import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CloseCode,
  parseClientSignal,
  MAX_SIGNAL_BYTES,
  SignalingQuery,
  type AuditOutcome,
  type ErrorCode,
  type ServerSignal,
  type SessionEndReason,
} from '@vitrine/protocol';
import { SessionError, type SessionManager, type ViewerTakeover } from '../sessions/session-manager.ts';
import type { ViewerLink } from '../sessions/runtime.ts';
import { RateLimiter } from '../input/rate-limiter.ts';
import { can } from '../policies/policies.ts';
import { refuseRequest } from '../auth/guard.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { byId } from '../audit/route-audit.ts';
import { keepAlive } from './keepalive.ts';

/** Below the idle timeouts of common proxies (nginx: 60 s) and load balancers. */
const PING_INTERVAL_MS = 25_000;

/** Malformed messages tolerated before the socket is closed as abusive. */
const MAX_BAD_MESSAGES = 5;
const MESSAGES_PER_SECOND = 50;

/**
 * WebSocket `/api/sessions/:id/signal`: the server offers, the viewer answers, both trickle
 * ICE. Every frame is size-limited, rate-limited and schema-validated; a bad peer gets an
 * `error` message and, after repeated abuse, a closed socket with a reason.
 */
export function registerSignaling(
  app: FastifyInstance,
  sessions: SessionManager,
  auditLog: AuditLog,
  personName: (userId: string) => Promise<string | undefined>,
): void {
  /** Each viewer's name for the participants list, looked up before the upgrade. */
  const names = new WeakMap<FastifyRequest, string>();
  // Refused before the upgrade: without the session's own sign-in (or, to watch, the share's
  // owner on a share that allows it), a session id opens nothing.
  const mayWatch = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const info = sessions.watchInfo(req.params.id);
    const watching = (req.query as { watch?: unknown } | undefined)?.watch === '1';
    if (info && req.actor && can(req.actor, watching ? 'watch' : 'signal', 'Session', info)) {
      names.set(req, (await personName(req.actor.id)) ?? (watching ? 'The owner' : 'The client'));
      return;
    }
    req.audit.refusedByPolicy = true;
    return refuseRequest(req, reply, 404, 'unknown-session', 'no such session');
  };
  app.get<{ Params: { id: string } }>(
    '/api/sessions/:id/signal',
    {
      websocket: true,
      preValidation: mayWatch,
      config: {
        audit: {
          // Taking a session from another tab or device is its own event on the trail.
          action: (r) =>
            r.query.watch === '1'
              ? 'session.watch'
              : r.query.takeover === '1'
                ? 'session.take-over'
                : 'session.connect',
          target: byId('session'),
          security: true,
        },
      },
    },
    (socket, req) => {
      const log = req.log.child({ sessionId: req.params.id });
      const send = (msg: ServerSignal) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
      };
      // An accepted upgrade never reaches the hook that records answers: it is recorded here.
      const audit = (outcome: AuditOutcome, code?: ErrorCode, message?: string) => {
        req.audit.written = true;
        req.audit.note({ sessionId: req.params.id, ...(message ? { detail: { message } } : {}) });
        auditLog.record(req.audit.entry(outcome, code ? { code, message: message ?? '' } : null)).catch(() => {
          log.error({}, 'could not record the signaling connection; closing it');
          socket.close(CloseCode.Ended, 'audit trail unavailable');
        });
      };
      const query = SignalingQuery.parse(req.query ?? {});
      let link: ViewerLink & { takeover?: ViewerTakeover };
      const name = names.get(req) ?? '';
      const deliver = (msg: ServerSignal) => {
        send(msg);
        if (msg.type === 'bye') socket.close(closeCodeFor(msg.reason), msg.reason);
        if (msg.type === 'taken-over') socket.close(CloseCode.TakenOver, 'opened in another tab');
      };
      try {
        // Who may watch was settled before the upgrade (mayWatch); the session may still have ended since.
        link =
          query.watch === '1'
            ? sessions.attachWatcher(req.params.id, deliver, { userId: req.actor!.id, name })
            : sessions.attachViewer(req.params.id, deliver, {
                viewerId: query.viewer,
                takeOver: query.takeover === '1',
                name,
              });
      } catch (err) {
        const e = err instanceof SessionError ? err : new SessionError(500, 'error', 'internal error');
        audit(e.status === 404 ? 'denied' : 'failed', e.code, e.message);
        send({ type: 'error', code: e.code, message: e.message });
        socket.close(e.status === 404 ? CloseCode.UnknownSession : CloseCode.ViewerExists, e.message);
        return;
      }
      if (link.takeover && link.takeover !== 'none') req.audit.note({ detail: { replaced: link.takeover } });
      audit('ok');
      const viewer = link;
      const limiter = new RateLimiter(MESSAGES_PER_SECOND, MESSAGES_PER_SECOND);
      let bad = 0;
      const strike = (code: ErrorCode, message: string) => {
        bad++;
        send({ type: 'error', code, message });
        if (bad >= MAX_BAD_MESSAGES) {
          log.warn({ code }, 'closing abusive signaling socket');
          socket.close(CloseCode.BadMessage, 'too many invalid messages');
        }
      };
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return strike('bad-message', 'signaling messages are JSON text');
        if (!limiter.take()) return strike('rate-limited', 'too many messages');
        const parsed = parseClientSignal(data.toString('utf8'));
        if (!parsed.ok) return strike('bad-message', parsed.error);
        viewer.handle(parsed.message).catch((err: Error) => strike('rejected', err.message));
      });
      keepAlive(socket, PING_INTERVAL_MS);
      socket.on('close', () => viewer.detach());
      socket.on('error', () => viewer.detach());
    },
  );
}

export const websocketOptions = { maxPayload: MAX_SIGNAL_BYTES };

/** A session ended by the server stopping tells the viewer to come back; any other end is final. */
function closeCodeFor(reason: SessionEndReason): CloseCode {
  return reason === 'server shutdown' ? CloseCode.ServerRestarting : CloseCode.Ended;
}

/**
 * Before the WebSocket plugin closes every socket with no reason (register this hook first): end
 * the sessions, so each viewer is told `bye` "server shutdown" and its socket closes with
 * ServerRestarting, and the viewer says the server is restarting and comes back by itself.
 */
export function registerViewerShutdown(app: FastifyInstance, sessions: { shutdown(): Promise<void> }): void {
  app.addHook('preClose', async () => {
    await sessions.shutdown();
  });
}
