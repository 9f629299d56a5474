import net from 'node:net';
import {
  CONTROL_MAX_LINE_BYTES,
  CONTROL_PROTOCOL_VERSION,
  CONTROL_SOCKET_ENV,
  type AppEvent,
  type AppRequest,
  type ServerInit,
  type ServerShutdown,
} from './protocol.ts';
import { decodeServerLine } from './decode.ts';

/** What the app reports: an event without the envelope (`v`, `type`). */
export type EventBody = Omit<AppEvent, 'v' | 'type'>;

/** A request's outcome. `error` is a server error code, or the SDK's own `busy`, `timeout`, `too-long`, `unavailable`. */
export type Reply = { ok: true } | { ok: false; error: string; message: string };

export type Size = { width: number; height: number };
export type Shutdown = Pick<ServerShutdown, 'graceMs' | 'reason'>;

export interface ControlOptions {
  /** The socket; defaults to $VITRINE_CONTROL_SOCKET (absent: the session offers no channel). */
  socketPath?: string | undefined;
  /** How long a request may wait for its reply. */
  requestTimeoutMs?: number;
  /** Our own ceiling, below the server's (50 a second, bursts of 100), so we are never cut off. */
  perSecond?: number;
  burst?: number;
  /** On `shutdown` (or SIGTERM): run the handlers, then exit the process. Default true. */
  exitOnShutdown?: boolean;
  log?: (message: string) => void;
}

export interface ControlClient {
  /** False when the sandbox offers no control channel at all. */
  readonly available: boolean;
  /** The server's latest `init` (display, grants, viewer's locale and time zone); null until it came. */
  readonly init: ServerInit | null;
  /**
   * Resolves with the first `init`, or null without a channel, when none came within `timeoutMs`
   * (10 s by default), or when the client is closed first. `Infinity` waits as long as it takes (an
   * app the server may start before its session exists: `warmStart` in its manifest).
   */
  ready(timeoutMs?: number): Promise<ServerInit | null>;
  /** Reports what the person did; false when it was dropped (no channel, not connected, rate or size limit). */
  event(e: EventBody): boolean;
  /** Asks the server to move a path to the owner's trash (the grant must allow delete). */
  trash(path: string): Promise<Reply>;
  /** Asks the server to rename or move within one shared folder (the grant must allow write). */
  move(path: string, to: string): Promise<Reply>;
  /** Asks for the picture to be this size (an app whose picture follows its viewer; even sizes). */
  resize(width: number, height: number): Promise<Reply>;
  /** Called with every new picture size; returns a function that stops it. */
  onResize(handler: (size: Size) => void): () => void;
  /**
   * Called once when the session ends (`shutdown` from the server, or SIGTERM): save what must be
   * saved within `graceMs`. With `exitOnShutdown` the process exits once every handler is done.
   */
  onShutdown(handler: (s: Shutdown) => void | Promise<void>): () => void;
  close(): void;
}

/** Reconnecting: quickly while the server is still opening the socket, then at this pace. */
const RECONNECT_FAST_MS = 100;
const RECONNECT_FAST_TRIES = 30;
const RECONNECT_SLOW_MS = 1000;
const MAX_QUEUED = 100;
/** Without a `shutdown` message (SIGTERM alone), handlers get this long before the process exits. */
const SIGTERM_GRACE_MS = 3000;
const MAX_BUFFERED = 64 * 1024;
/** Longer than this, setTimeout would fire at once (Node clamps it to 1 ms): such a wait has no end. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Omit over each member of a union (Omit on the union itself would keep only the shared keys). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request as the app gives it: the client adds the version, the type and the id. */
type RequestBody = DistributiveOmit<AppRequest, 'v' | 'type' | 'id'>;

/**
 * The app's end of the control channel (docs/app-sdk.md): newline-delimited JSON over the Unix
 * socket the sandbox names. Connects at once and again after a drop; events are best effort
 * (dropped when the channel is down or busy), requests get an answer or an error, never a hang.
 */
export function createControlClient(opts: ControlOptions = {}): ControlClient {
  const socketPath = 'socketPath' in opts ? opts.socketPath : process.env[CONTROL_SOCKET_ENV];
  const log = opts.log ?? ((m: string) => process.stderr.write(`vitrine app-sdk: ${m}\n`));
  const shutdownHandlers = new Set<(s: Shutdown) => void | Promise<void>>();
  const resizeHandlers = new Set<(size: Size) => void>();
  let shuttingDown = false;

  const runShutdown = (s: Shutdown) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const done = Promise.allSettled([...shutdownHandlers].map(async (h) => h(s)));
    // Exit before SIGKILL would come, whatever a handler does.
    const deadline = new Promise((r) => setTimeout(r, Math.max(0, s.graceMs - 200)).unref());
    if (opts.exitOnShutdown ?? true) void Promise.race([done, deadline]).then(() => process.exit(0));
  };
  const onSigterm = () => runShutdown({ graceMs: SIGTERM_GRACE_MS, reason: 'terminated' });

  const common = {
    onResize(handler: (size: Size) => void) {
      resizeHandlers.add(handler);
      return () => resizeHandlers.delete(handler);
    },
    onShutdown(handler: (s: Shutdown) => void | Promise<void>) {
      shutdownHandlers.add(handler);
      if (shutdownHandlers.size === 1) process.on('SIGTERM', onSigterm);
      return () => {
        shutdownHandlers.delete(handler);
        if (shutdownHandlers.size === 0) process.off('SIGTERM', onSigterm);
      };
    },
  };

  if (!socketPath) {
    const none = async (): Promise<Reply> => ({
      ok: false,
      error: 'unavailable',
      message: 'this session offers no control channel',
    });
    return {
      ...common,
      available: false,
      init: null,
      ready: async () => null,
      event: () => false,
      trash: none,
      move: none,
      resize: none,
      close: () => process.off('SIGTERM', onSigterm),
    };
  }

  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const perSecond = opts.perSecond ?? 40;
  const burst = opts.burst ?? 80;
  let socket: net.Socket | null = null;
  let connected = false;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let queue: string[] = [];
  let nextId = 1;
  let init: ServerInit | null = null;
  const initWaiters = new Set<(i: ServerInit | null) => void>();
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

  const scheduleReconnect = () => {
    if (closed || retry) return;
    const wait = failures <= RECONNECT_FAST_TRIES ? RECONNECT_FAST_MS : RECONNECT_SLOW_MS;
    retry = setTimeout(() => {
      retry = undefined;
      connect();
    }, wait);
    retry.unref();
  };

  const connect = () => {
    const s = net.createConnection(socketPath);
    socket = s;
    connected = false;
    s.setEncoding('utf8');
    let buffer = '';
    s.on('connect', () => {
      connected = true;
      failures = 0;
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
      if (buffer.length > MAX_BUFFERED) buffer = '';
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      // The socket appears once the server has set the session up: not there yet is not news.
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')) failures++;
      else log(err.message);
    });
    s.on('close', () => {
      // What waits in the queue was never written: it goes out on the next connection.
      if (socket === s) {
        socket = null;
        connected = false;
      }
      // Requests written on this connection will never get their reply.
      for (const id of [...pending.keys()]) {
        settle(id, { ok: false, error: 'unavailable', message: 'the control channel closed' });
      }
      scheduleReconnect();
    });
  };

  const onLine = (line: string) => {
    const msg = decodeServerLine(line);
    if ('invalid' in msg) return log(`the server sent a line this SDK does not understand: ${msg.invalid}`);
    switch (msg.type) {
      case 'init':
        init = msg;
        for (const w of initWaiters) w(msg);
        initWaiters.clear();
        return;
      case 'resize':
        if (init) init = { ...init, display: { width: msg.width, height: msg.height } };
        for (const h of resizeHandlers) h({ width: msg.width, height: msg.height });
        return;
      case 'shutdown':
        return runShutdown({ graceMs: msg.graceMs, reason: msg.reason });
      case 'reply':
        return settle(msg.id, msg.ok ? { ok: true } : { ok: false, error: msg.error, message: msg.message });
      case 'error':
        return log(`the server says: ${msg.message}`);
    }
  };

  /** Writes a line now, or queues it while connecting; false when it cannot be sent. */
  const send = (line: string): boolean => {
    if (closed) return false;
    if (connected) {
      socket!.write(line);
      return true;
    }
    if (queue.length >= MAX_QUEUED) return false;
    queue.push(line);
    return true;
  };

  const encode = (msg: object): string | null => {
    const line = JSON.stringify({ v: CONTROL_PROTOCOL_VERSION, ...msg }) + '\n';
    return Buffer.byteLength(line) - 1 > CONTROL_MAX_LINE_BYTES ? null : line;
  };

  function request(body: RequestBody): Promise<Reply> {
    const id = nextId;
    nextId = nextId >= 2 ** 31 ? 1 : nextId + 1;
    const line = encode({ type: 'request', id, ...body });
    if (line === null) return Promise.resolve({ ok: false, error: 'too-long', message: 'the request is too long' });
    if (!takeToken()) return Promise.resolve({ ok: false, error: 'busy', message: 'too many requests; try again' });
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(
        () => settle(id, { ok: false, error: 'timeout', message: 'the server did not answer in time' }),
        timeoutMs,
      );
      pending.set(id, { resolve, timer });
      if (!send(line)) settle(id, { ok: false, error: 'unavailable', message: 'the control channel is down' });
    });
  }

  connect();
  return {
    ...common,
    available: true,
    get init() {
      return init;
    },
    ready(waitMs = 10_000) {
      if (init) return Promise.resolve(init);
      if (closed) return Promise.resolve(null);
      return new Promise((resolve) => {
        const timer =
          waitMs <= MAX_TIMER_MS
            ? setTimeout(() => {
                initWaiters.delete(got);
                resolve(null);
              }, waitMs)
            : undefined;
        const got = (i: ServerInit | null) => {
          clearTimeout(timer);
          resolve(i);
        };
        initWaiters.add(got);
      });
    },
    event(e) {
      const line = encode({ type: 'event', ...e });
      if (line === null || !takeToken()) return false;
      return send(line);
    },
    trash: (path) => request({ action: 'trash', path }),
    move: (path, to) => request({ action: 'move', path, to }),
    resize: (width, height) => request({ action: 'resize', width, height }),
    close() {
      closed = true;
      clearTimeout(retry);
      process.off('SIGTERM', onSigterm);
      socket?.destroy();
      socket = null;
      for (const id of [...pending.keys()]) settle(id, { ok: false, error: 'unavailable', message: 'closing' });
      // No init comes any more: whoever waits without a timeout would wait for ever.
      for (const w of initWaiters) w(null);
      initWaiters.clear();
    },
  };
}
