import net from 'node:net';

// The app's end of the control channel (docs/app-control-channel.md): newline-delimited JSON
// over the Unix socket named by VITRINE_CONTROL_SOCKET. Connected lazily, reconnected when needed;
// events are best effort (dropped when the channel is down or busy), requests get an answer or
// an error, never a hang.

// This app runs in the sandbox without the workspace: scripts/setup.sh copies the protocol's
// dependency-free vocabulary file next to it (generated/, not in git), so there is one source.
import {
  CONTROL_MAX_LINE_BYTES as MAX_LINE_BYTES,
  type ControlEventKind as EventKind,
  type ControlRequestAction as RequestAction,
} from './generated/control-vocabulary.ts';

export type { EventKind, RequestAction };

export interface AppEvent {
  kind: EventKind;
  path: string;
  to?: string;
  page?: number;
  position?: number;
  /** folder-opened: how many entries the folder showed. */
  entries?: number;
  /** file-opened, page-viewed: how many pages the document has. */
  pages?: number;
  /** page-viewed: the zoom in percent. */
  zoom?: number;
}

export type Reply = { ok: true } | { ok: false; error: string; message: string };

export interface ControlClient {
  /** False when the sandbox offers no control channel at all. */
  readonly available: boolean;
  /** Sends an event; false when it was dropped (no channel, not connected, rate or size limit). */
  event(e: AppEvent): boolean;
  /** Asks the server to move a path to the owner's trash. */
  trash(path: string): Promise<Reply>;
  /**
   * Asks the server to rename or move within one shared folder. The kernel cannot allow a rename
   * without also allowing deletion, so an "edit" share's renames are done by the server.
   */
  move(path: string, to: string): Promise<Reply>;
  close(): void;
}

export interface ControlOptions {
  /** How long a request may wait for its reply. */
  timeoutMs?: number;
  /** Our own ceiling, below the server's (50 a second, bursts of 100), so we never get cut off. */
  perSecond?: number;
  burst?: number;
  log?: (message: string) => void;
}

/** After a failed connection attempt, events wait this long before the next one is tried. */
const RETRY_EVENTS_AFTER_MS = 1000;
const MAX_QUEUED = 100;

export function createControlClient(socketPath: string | undefined, opts: ControlOptions = {}): ControlClient {
  if (!socketPath) {
    return {
      available: false,
      event: () => false,
      trash: async () => ({ ok: false, error: 'unavailable', message: 'the server offers no control channel' }),
      move: async () => ({ ok: false, error: 'unavailable', message: 'the server offers no control channel' }),
      close: () => {},
    };
  }
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const perSecond = opts.perSecond ?? 40;
  const burst = opts.burst ?? 80;
  const log = opts.log ?? ((m: string) => process.stderr.write(`explorer control: ${m}\n`));

  let socket: net.Socket | null = null;
  let connected = false;
  let failedAt = 0;
  let closed = false;
  let queue: string[] = [];
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: Reply) => void; timer: NodeJS.Timeout }>();
  let tokens = burst;
  let refilledAt = Date.now();

  const takeToken = () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * perSecond);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const settle = (id: number, reply: Reply) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(reply);
  };

  const connect = () => {
    const s = net.createConnection(socketPath);
    socket = s;
    connected = false;
    s.setEncoding('utf8');
    let buffer = '';
    s.on('connect', () => {
      connected = true;
      for (const line of queue) s.write(line);
      queue = [];
    });
    s.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        onLine(line);
      }
      if (buffer.length > 64 * 1024) buffer = '';
    });
    s.on('error', (err) => {
      if (!connected) failedAt = Date.now();
      log(`${err.message}`);
    });
    s.on('close', () => {
      if (socket === s) {
        socket = null;
        connected = false;
        queue = [];
      }
      // Requests written on this connection will never get their reply.
      for (const id of [...pending.keys()]) {
        settle(id, { ok: false, error: 'unavailable', message: 'the control channel closed' });
      }
    });
  };

  const onLine = (line: string) => {
    let msg: { type?: unknown; id?: unknown; ok?: unknown; error?: unknown; message?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      return log('the server sent a line that is not JSON');
    }
    if (msg.type === 'reply' && typeof msg.id === 'number') {
      settle(
        msg.id,
        msg.ok === true
          ? { ok: true }
          : {
              ok: false,
              error: typeof msg.error === 'string' ? msg.error : 'failed',
              message: typeof msg.message === 'string' ? msg.message : 'the server refused',
            },
      );
    } else if (msg.type === 'error') {
      log(`the server says: ${String(msg.message)}`);
    }
  };

  /** Writes a line now, or queues it while connecting; false when it cannot be sent. */
  const send = (line: string, isRequest: boolean): boolean => {
    if (closed) return false;
    if (!socket) {
      if (!isRequest && Date.now() - failedAt < RETRY_EVENTS_AFTER_MS) return false;
      connect();
    }
    if (connected) {
      socket!.write(line);
      return true;
    }
    if (queue.length >= MAX_QUEUED) return false;
    queue.push(line);
    return true;
  };

  const encode = (msg: object): string | null => {
    const line = JSON.stringify({ v: 1, ...msg }) + '\n';
    return Buffer.byteLength(line) - 1 > MAX_LINE_BYTES ? null : line;
  };

  function request(body: { action: RequestAction; path: string; to?: string }): Promise<Reply> {
    const id = nextId;
    nextId = nextId >= 2 ** 31 ? 1 : nextId + 1;
    const line = encode({ type: 'request', id, ...body });
    if (line === null) return Promise.resolve({ ok: false, error: 'invalid-path', message: 'the path is too long' });
    if (!takeToken()) return Promise.resolve({ ok: false, error: 'busy', message: 'too many requests; try again' });
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(
        () => settle(id, { ok: false, error: 'timeout', message: 'the server did not answer in time' }),
        timeoutMs,
      );
      pending.set(id, { resolve, timer });
      if (!send(line, true)) settle(id, { ok: false, error: 'unavailable', message: 'the control channel is down' });
    });
  }

  return {
    available: true,
    event(e) {
      const line = encode({ type: 'event', ...e });
      if (line === null || !takeToken()) return false;
      return send(line, false);
    },
    trash(path) {
      return request({ action: 'trash', path });
    },
    move(path, to) {
      return request({ action: 'move', path, to });
    },
    close() {
      closed = true;
      socket?.destroy();
      socket = null;
      for (const id of [...pending.keys()]) settle(id, { ok: false, error: 'unavailable', message: 'closing' });
    },
  };
}
