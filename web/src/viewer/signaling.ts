/**
 * WebSocket signaling client for `/api/sessions/:id/signal`. Every incoming frame is validated
 * against the protocol's `ServerSignal` schema; invalid frames are reported, never acted on.
 */
import {
  CloseCode,
  parseServerSignal as parseProtocolServerSignal,
  type ClientSignal,
  type Parsed,
  type ServerSignal,
} from '@vitrine/protocol';

/** RFC 6455's code for a connection that ended without a closing handshake (never sent on a wire). */
const ABNORMAL_CLOSURE = 1006;
/** How long an 'error' waits for its 'close' before it is taken as the end by itself. */
const LONE_ERROR_MS = 1000;

export interface SignalingHandlers {
  onOpen?: () => void;
  onMessage: (message: ServerSignal) => void;
  /** A frame that is not JSON or does not match the schema. */
  onInvalidMessage?: (error: string) => void;
  /** The socket closed. `opened` says whether it ever got connected. */
  onClose: (info: { code: number; reason: string; opened: boolean }) => void;
}

/**
 * The signaling socket's URL. `viewer` names this tab (a reconnect replaces its own dropped
 * connection); `takeover` takes the session from another tab or device ("Use here"); `watch` joins
 * a client's session as the share's owner, watching.
 */
export function signalingUrl(
  sessionId: string,
  location: Pick<Location, 'protocol' | 'host'> = window.location,
  opts: { viewer?: string; takeover?: boolean; watch?: boolean } = {},
  /** The worker's socket URL (with its ticket) the API named for a multi-node install; absent: this origin. */
  workerUrl?: string | null,
): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = new URL(workerUrl ?? `${scheme}//${location.host}/api/sessions/${encodeURIComponent(sessionId)}/signal`);
  if (opts.viewer) url.searchParams.set('viewer', opts.viewer);
  if (opts.takeover) url.searchParams.set('takeover', '1');
  if (opts.watch) url.searchParams.set('watch', '1');
  return url.toString();
}

export function parseServerSignal(raw: unknown): Parsed<ServerSignal> {
  if (typeof raw !== 'string') return { ok: false, error: 'binary frame' };
  return parseProtocolServerSignal(raw);
}

export class SignalingClient {
  #ws: WebSocket;
  #opened = false;
  #closed = false;
  #handlers: SignalingHandlers;

  constructor(url: string, handlers: SignalingHandlers) {
    this.#handlers = handlers;
    this.#ws = new WebSocket(url);
    this.#ws.addEventListener('open', () => {
      this.#opened = true;
      if (!this.#closed) this.#handlers.onOpen?.();
    });
    this.#ws.addEventListener('message', (ev: MessageEvent) => {
      if (this.#closed) return;
      const parsed = parseServerSignal(ev.data);
      if (parsed.ok) this.#handlers.onMessage(parsed.message);
      else this.#handlers.onInvalidMessage?.(parsed.error);
    });
    this.#ws.addEventListener('close', (ev: CloseEvent) => this.#reportClose(ev.code, ev.reason));
    // 'error' is followed by 'close', which carries the information we use, except when the page's
    // Content-Security-Policy refused the address: Chromium then fires 'error' alone, and the viewer
    // would wait on "Connecting…" for ever. Such an end is reported as an abnormal close.
    this.#ws.addEventListener('error', () => {
      // A real close, with its code (a restart, a take-over), comes first whenever there is one.
      setTimeout(() => this.#reportClose(ABNORMAL_CLOSURE, ''), LONE_ERROR_MS);
    });
  }

  #reportClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.onClose({ code, reason, opened: this.#opened });
  }

  get opened(): boolean {
    return this.#opened;
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  send(message: ClientSignal): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  /** Closes without reporting `onClose` (the caller initiated it). */
  close(code: CloseCode = CloseCode.Normal, reason = ''): void {
    this.#closed = true;
    if (this.#ws.readyState === WebSocket.CONNECTING || this.#ws.readyState === WebSocket.OPEN) {
      try {
        this.#ws.close(code, reason);
      } catch {
        this.#ws.close();
      }
    }
  }
}
