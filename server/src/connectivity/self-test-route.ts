import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  CloseCode,
  parseSelfTestClientSignal,
  type AuditOutcome,
  type ErrorCode,
  type SelfTestServerSignal,
} from '@vitrine/protocol';
import type { AuditLog } from '../audit/audit-log.ts';
import { refuseRequest } from '../auth/guard.ts';
import type { Config } from '../config/config.ts';
import { RateLimiter } from '../input/rate-limiter.ts';
import { iceSettingsFor } from '../webrtc/ice-settings.ts';
import { isPrivateAddress } from '../webrtc/ice-options.ts';
import { SelfTestPeer } from './self-test-peer.ts';
import { SelfTestSlots } from './self-test-slots.ts';

/** A self-test ends this long after its offer, whatever happens. */
export const SELF_TEST_TIME_LIMIT_MS = 15_000;
/** Self-tests running at once: per person, and on the whole server. */
export const SELF_TESTS_PER_PERSON = 1;
export const SELF_TESTS_AT_ONCE = 4;
/** The TURN credentials of a self-test outlive it only briefly. */
const SELF_TEST_TURN_TTL_MS = 60_000;
const MESSAGES_PER_SECOND = 50;
const MAX_BAD_MESSAGES = 5;

/**
 * WebSocket `/api/connectivity/self-test`, for any signed-in person: the server offers a
 * short-lived peer with a session's ICE settings (SelfTestPeer); the browser answers and trickles.
 * Frames are size-, rate- and schema-checked; tests are limited per person and in all, end after
 * SELF_TEST_TIME_LIMIT_MS, and are torn down when the socket closes, the peer fails or the server stops.
 */
export function registerSelfTestRoute(app: FastifyInstance, webrtc: Config['webrtc'], auditLog: AuditLog): void {
  const slots = new SelfTestSlots(SELF_TESTS_PER_PERSON, SELF_TESTS_AT_ONCE);
  const running = new Set<SelfTestPeer>();
  app.addHook('onClose', async () => {
    for (const peer of running) peer.close('server shutdown');
  });
  const settings = { ...webrtc, turn: webrtc.turn && { ...webrtc.turn, ttlMs: SELF_TEST_TURN_TTL_MS } };

  app.get(
    '/api/connectivity/self-test',
    {
      websocket: true,
      // Refused before the upgrade when no slot is free (checked again, atomically, once upgraded).
      preValidation: async (req, reply) => {
        if (req.actor && slots.available(req.actor.id)) return;
        return refuseRequest(req, reply, 429, 'busy', 'a connection self-test is already running; try again shortly');
      },
      config: {
        audit: { action: 'connectivity.test' },
        perPerson: { burst: 10, perMinute: 10 },
      },
    },
    (socket, req) => {
      const log = req.log.child({ selfTest: true });
      const userId = req.actor!.id;
      const send = (msg: SelfTestServerSignal) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
      };
      // An accepted upgrade never reaches the hook that records answers: it is recorded here.
      const audit = (outcome: AuditOutcome, code?: ErrorCode, message?: string) => {
        req.audit.written = true;
        auditLog.record(req.audit.entry(outcome, code ? { code, message: message ?? '' } : null)).catch(() => {
          log.error({}, 'could not record the connection self-test; closing it');
          socket.close(CloseCode.Ended, 'audit trail unavailable');
        });
      };
      const release = slots.take(userId);
      if (!release) {
        audit('denied', 'busy', 'a connection self-test is already running');
        send({ type: 'end', reason: 'busy' });
        socket.close(CloseCode.Normal, 'busy');
        return;
      }
      audit('ok');
      // The address the browser reached us at, if media listens there too and it tells nothing new.
      const local = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
      const listens = webrtc.iceAddresses === null || webrtc.iceAddresses.includes(local);
      const pageAddress = listens && local && !isPrivateAddress(local) && local !== webrtc.publicIp ? local : undefined;
      const peer = new SelfTestPeer(
        iceSettingsFor(settings, `self-test-${randomUUID()}`),
        {
          signal: send,
          closed: (reason) => {
            running.delete(peer);
            release();
            if (reason !== 'peer closed') send({ type: 'end', reason });
            if (socket.readyState === socket.OPEN) socket.close(CloseCode.Normal, 'self-test over');
          },
        },
        SELF_TEST_TIME_LIMIT_MS,
        pageAddress,
      );
      running.add(peer);
      peer.offer().catch((err: Error) => {
        log.warn({ err: err.message }, 'self-test offer failed');
        send({ type: 'error', code: 'offer-failed', message: 'could not start the self-test' });
        peer.close('error');
      });
      const limiter = new RateLimiter(MESSAGES_PER_SECOND, MESSAGES_PER_SECOND);
      let bad = 0;
      const strike = (code: ErrorCode, message: string) => {
        send({ type: 'error', code, message });
        if (++bad >= MAX_BAD_MESSAGES) peer.close('error');
      };
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return strike('bad-message', 'self-test messages are JSON text');
        if (!limiter.take()) return strike('rate-limited', 'too many messages');
        const parsed = parseSelfTestClientSignal(data.toString('utf8'));
        if (!parsed.ok) return strike('bad-message', parsed.error);
        peer.handle(parsed.message).catch((err: Error) => strike('rejected', err.message));
      });
      socket.on('close', () => peer.close('peer closed'));
      socket.on('error', () => peer.close('peer closed'));
    },
  );
}
