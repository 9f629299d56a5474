/**
 * `--idle-viewers werift` of the density benchmark: once an idle session's first frame was
 * measured in its tab, a werift viewer (server/test/werift-viewer.ts) takes the session over and
 * the tab closes. The viewers run in one child process (density-werift-viewers.ts), not in the
 * bench's own, which is the server's: their CPU and memory are the clients', counted apart.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestUser } from '../../server/test/auth-client.ts';
import type { IdleSession } from './density-sessions.ts';

export type IdleViewers = 'chromium' | 'werift';
export const IDLE_VIEWERS: readonly IdleViewers[] = ['chromium', 'werift'];

/** How long a werift viewer may take from its socket opening to its first RTP packet. */
export const JOIN_TIMEOUT_MS = 10_000;

type WeriftCommand =
  { op: 'watch'; sessionId: string; url: string; cookie: string; timeoutMs: number } | { op: 'status' };
export type WeriftRequest = WeriftCommand & { n: number };
export type WeriftReply = { n: number; error?: string; status?: Record<string, WeriftViewerStatus> };
export interface WeriftViewerStatus {
  /** Since the viewer joined. */
  rtpPackets: number;
  /** Its signaling socket is open and its peer connection connected. */
  connected: boolean;
}

export interface WeriftViewers {
  /** The child process holding every werift viewer (its CPU and PSS are the viewers'). */
  pid: number;
  /**
   * Replaces the tab of a session whose first frame was measured: the werift viewer takes the
   * session over (a fresh viewer id with `takeover=1`), so the slot passes from one to the other
   * without a moment with no viewer and the session's grace (PEER_GRACE_MS) never starts; the tab,
   * told `taken-over`, closes once the werift viewer receives RTP (joining asks for a keyframe).
   */
  takeOver(session: IdleSession): Promise<void>;
  /** Every live werift viewer by session id. */
  status(): Promise<Record<string, WeriftViewerStatus>>;
}

const CHILD = fileURLToPath(new URL('./density-werift-viewers.ts', import.meta.url));

export function startWeriftViewers(
  owner: TestUser,
  onCleanup: (step: () => Promise<void>) => () => void,
): WeriftViewers {
  const child: ChildProcess = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Registered before the sessions' clean-ups, so it runs after them (last registered first).
  onCleanup(async () => {
    child.kill();
    await exited;
  });
  const pending = new Map<number, (reply: WeriftReply) => void>();
  child.on('message', (reply: WeriftReply) => pending.get(reply.n)?.(reply));
  void exited.then(() => {
    for (const answer of pending.values()) answer({ n: 0, error: 'the werift viewers process exited' });
  });
  let next = 0;
  const ask = (request: WeriftCommand): Promise<WeriftReply> =>
    new Promise((resolve, reject) => {
      const n = ++next;
      pending.set(n, (reply) => {
        pending.delete(n);
        if (reply.error) reject(new Error(reply.error));
        else resolve(reply);
      });
      child.send({ ...request, n });
    });
  return {
    pid: child.pid!,
    async takeOver(session) {
      const { url, cookie } = owner;
      await ask({ op: 'watch', sessionId: session.sessionId, url, cookie, timeoutMs: JOIN_TIMEOUT_MS });
      await session.page.close();
    },
    async status() {
      return (await ask({ op: 'status' })).status ?? {};
    },
  };
}
