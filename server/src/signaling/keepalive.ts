import type { WebSocket } from 'ws';

/**
 * A WebSocket ping every `intervalMs`, which browsers answer by themselves: a signaling socket
 * is quiet for as long as a session runs, and proxies close quiet connections (nginx after 60 s),
 * which would make the viewer reconnect for nothing. A peer that has not answered the previous
 * ping by the next one is gone (a laptop closed, a network dropped) and its socket is ended, so the
 * session learns it at once instead of when TCP gives up.
 */
export function keepAlive(socket: WebSocket, intervalMs: number): void {
  let answered = true;
  socket.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (!answered) {
      socket.terminate();
      return;
    }
    answered = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  socket.on('close', () => clearInterval(timer));
}
