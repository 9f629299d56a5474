import fs from 'node:fs';
import net from 'node:net';
import { RateLimiter } from '../input/rate-limiter.ts';

export interface PacedListenerOptions {
  /** New connections a second, with bursts up to `burst`. */
  perSecond: number;
  burst: number;
  /** Connections open at once; beyond it Node closes a new one before it becomes a socket. */
  maxOpen: number;
  /** Told of each connection refused (over the budget, or too many open). */
  refused: () => void;
}

/**
 * A Unix socket listener that takes new connections at a bounded rate. Refusing each connection
 * of a looping client still costs an accept per attempt, as fast as the client can connect (a
 * third of a core in the test); so over budget the listener stops listening altogether until the
 * next connection is allowed: the socket file is gone meanwhile, and the client's attempts fail in
 * its own process (ENOENT) at no cost to the server. Open connections are not affected. Accepted
 * connections arrive paused: nothing is read before the handler resumes them.
 */
export async function listenPaced(
  socketPath: string,
  options: PacedListenerOptions,
  onConnection: (socket: net.Socket) => void,
): Promise<{ close(): void }> {
  const budget = new RateLimiter(options.perSecond, options.burst);
  let closed = false;
  let resumeTimer: NodeJS.Timeout | undefined;
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    if (budget.take()) return onConnection(socket);
    options.refused();
    socket.destroy();
    pause();
  });
  server.maxConnections = options.maxOpen;
  server.on('drop', () => options.refused());
  // After the first listen, a failure to listen again (the session folder is gone) only means no
  // new connections: the session is ending.
  server.on('error', () => {});

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      fs.rmSync(socketPath, { force: true });
      const failed = (err: Error) => reject(err);
      server.once('error', failed);
      // Writable by all: the app runs as the sandbox user, not as the server's. Only the session
      // folder's owner and that session's sandbox can reach the path (see prepareSessionDir).
      server.listen({ path: socketPath, readableAll: true, writableAll: true }, () => {
        server.off('error', failed);
        resolve();
      });
    });
  const pause = () => {
    if (resumeTimer || closed) return;
    // Stops accepting (and removes the socket file); connections already open go on.
    server.close();
    resumeTimer = setTimeout(() => {
      resumeTimer = undefined;
      if (!closed) listen().catch(() => {});
    }, 1000 / options.perSecond);
  };

  await listen();
  return {
    close: () => {
      closed = true;
      clearTimeout(resumeTimer);
      server.close();
      fs.rmSync(socketPath, { force: true });
    },
  };
}
