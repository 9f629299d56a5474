import type net from 'node:net';
import { RateLimiter } from '../input/rate-limiter.ts';
import {
  CONTROL_PROTOCOL_VERSION,
  MAX_LINE_BYTES,
  parseAppMessage,
  type AppEvent,
  type AppFileRequest,
  type ServerInitBody,
  type ServerReplyBody,
} from './messages.ts';
import { MisbehaviourSummary } from './misbehaviour-summary.ts';
import { listenPaced } from './paced-listener.ts';

const MESSAGES_PER_SECOND = 50;
const BURST = 100;
const MAX_BAD_LINES = 10;
const MAX_CONNECTIONS = 8;
/**
 * New connections a session may open: an app connects once and reconnects after a failure; a
 * looping one (72,000 connections in 20 s, issue 16) finds the socket gone beyond this budget.
 */
const CONNECTIONS_PER_SECOND = 2;
const CONNECTION_BURST = 10;

/** What a request's handler answers (the protocol's reply, its envelope added here). */
export type ControlReply = ServerReplyBody;

export interface ControlHandlers {
  event(e: AppEvent): void;
  /** A file request (trash, move): done, or refused with an error code and a sentence. */
  request(r: AppFileRequest): Promise<ControlReply>;
  /** The app asks for its picture to be this size; without this handler it is refused. */
  resize?(size: { width: number; height: number }): Promise<ControlReply>;
  /** What each new connection hears first (`init`); without it, nothing. */
  hello?(): ServerInitBody;
}

/**
 * Server → app messages other than replies, sent to every connection of the session. `init` goes
 * this way only to the app of a warm start (deferred-control.ts), when its session is bound.
 */
export type ControlBroadcast =
  | { type: 'resize'; width: number; height: number }
  | { type: 'shutdown'; graceMs: number; reason: string }
  | ({ type: 'init' } & ServerInitBody);

export interface ControlChannel {
  /** Sends to every connected socket; how many it reached. */
  broadcast(msg: ControlBroadcast): number;
  close(): void;
}

/**
 * The server end of a session's control channel: a Unix socket in the session folder, bound into
 * the sandbox. Everything arriving here comes from the (untrusted) app: it is size-limited,
 * rate-limited and validated, and a misbehaving connection is closed, never the server.
 */
export async function listenControlChannel(
  socketPath: string,
  handlers: ControlHandlers,
  log: { warn(obj: object, msg: string): void },
): Promise<ControlChannel> {
  const limiter = new RateLimiter(MESSAGES_PER_SECOND, BURST);
  const summary = new MisbehaviourSummary(log);
  const senders = new Map<net.Socket, (msg: object) => void>();
  const options = {
    perSecond: CONNECTIONS_PER_SECOND,
    burst: CONNECTION_BURST,
    maxOpen: MAX_CONNECTIONS,
    refused: () => summary.count('refusedConnections'),
  };
  const listener = await listenPaced(socketPath, options, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    const send = (msg: object) => {
      if (!socket.destroyed) socket.write(JSON.stringify({ v: CONTROL_PROTOCOL_VERSION, ...msg }) + '\n');
    };
    senders.set(socket, send);
    socket.on('close', () => senders.delete(socket));
    if (handlers.hello) send({ type: 'init', ...handlers.hello() });
    let buffer = '';
    let bad = 0;
    const strike = (message: string) => {
      summary.count('badLines');
      send({ type: 'error', message });
      if (++bad >= MAX_BAD_LINES) {
        summary.count('closedConnections');
        socket.destroy();
      }
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // Once closed, the rest of what it sent is not acted on.
      while (!socket.destroyed) {
        const nl = buffer.indexOf('\n');
        if (nl < 0) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
          strike('line too long');
          continue;
        }
        if (!line.trim()) continue;
        if (!limiter.take()) {
          strike('too many messages');
          continue;
        }
        const parsed = parseAppMessage(line);
        if (!parsed.ok) {
          strike(parsed.error);
          continue;
        }
        const m = parsed.message;
        if (m.type === 'event') {
          handlers.event(m);
        } else {
          const refused = async (): Promise<ControlReply> => ({
            ok: false,
            error: 'denied',
            message: 'this session does not take that request',
          });
          const answer =
            m.action === 'resize'
              ? (handlers.resize?.({ width: m.width, height: m.height }) ?? refused())
              : handlers.request(m);
          answer
            .then((r) => send({ type: 'reply', id: m.id, ...r }))
            .catch(() => send({ type: 'reply', id: m.id, ok: false, error: 'failed', message: 'the request failed' }));
        }
      }
      if (!socket.destroyed && Buffer.byteLength(buffer) > MAX_LINE_BYTES) {
        buffer = '';
        strike('line too long');
      }
    });
    socket.resume();
  });
  return {
    broadcast: (msg) => {
      for (const send of senders.values()) send(msg);
      return senders.size;
    },
    close: () => {
      for (const s of senders.keys()) s.destroy();
      listener.close();
      summary.close();
    },
  };
}
