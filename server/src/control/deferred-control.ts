import {
  listenControlChannel,
  type ControlChannel,
  type ControlHandlers,
  type ControlReply,
} from './control-channel.ts';

/**
 * The control socket of a warm sandbox (sessions/warm-pool.ts), open before any session exists:
 * the app connects as it starts (so it is not left retrying once a session comes), and until a
 * session is bound it hears nothing and is refused everything. Binding gives the socket the
 * session's handlers and sends every connection its `init` at once.
 */
export interface DeferredControl {
  /** The session's handlers from now on; every open connection hears `init` now. Once only. */
  bind(handlers: ControlHandlers): ControlChannel;
  close(): void;
}

const NOT_YET: ControlReply = { ok: false, error: 'unavailable', message: 'no session has started yet' };

export async function listenDeferredControl(
  socketPath: string,
  log: { warn(obj: object, msg: string): void },
): Promise<DeferredControl> {
  let session: ControlHandlers | null = null;
  // What the app says before a session exists concerns nobody: it is dropped, and requests refused.
  const handlers: ControlHandlers = {
    event: (e) => session?.event(e),
    request: async (r) => (session ? session.request(r) : NOT_YET),
    resize: async (size) => (session?.resize ? session.resize(size) : NOT_YET),
    // Read at each new connection: before binding there is no `init` to send.
    get hello() {
      return session?.hello;
    },
  };
  const channel = await listenControlChannel(socketPath, handlers, log);
  let closed = false;
  // The session closes it once bound, its sandbox's teardown in any case: the first one does.
  const close = () => {
    if (closed) return;
    closed = true;
    channel.close();
  };
  return {
    bind(next) {
      if (session) throw new Error('this control socket already serves a session');
      session = next;
      // A connection made from here on hears `init` as it connects; these heard nothing yet.
      if (next.hello) channel.broadcast({ type: 'init', ...next.hello() });
      return { broadcast: (msg) => channel.broadcast(msg), close };
    },
    close,
  };
}
