/**
 * The child process of density-werift.ts: the idle sessions' werift viewers, answering its
 * requests over the IPC channel. It exits when the bench does (the channel closes).
 */
import { randomUUID } from 'node:crypto';
import { WeriftViewer } from '../../server/test/werift-viewer.ts';
import type { WeriftReply, WeriftRequest, WeriftViewerStatus } from './density-werift.ts';

const viewers = new Map<string, { viewer: WeriftViewer; closed: boolean }>();
const reply = (r: WeriftReply) => process.send!(r);

async function watch(r: Extract<WeriftRequest, { op: 'watch' }>): Promise<void> {
  // A viewer id of its own and `takeover=1`: it takes the slot from the session's tab.
  const viewer = new WeriftViewer({ url: r.url, cookie: r.cookie }, r.sessionId, {
    query: `viewer=${randomUUID()}&takeover=1`,
    // The tabs stream H.264 (`?codec=h264`): the host's encoders stay the same kind.
    h264: 'only',
  });
  const entry = { viewer, closed: false };
  viewers.set(r.sessionId, entry);
  const closed = viewer.closed.then(({ code, reason }) => {
    entry.closed = true;
    if (viewers.get(r.sessionId) === entry) viewers.delete(r.sessionId);
    void viewer.close();
    throw new Error(`signaling closed (${code} ${reason}) before any RTP`);
  });
  closed.catch(() => {});
  const firstRtp = new Promise<void>((resolve) =>
    viewer.pc.onTrack.subscribe((track) => track.onReceiveRtp.once(() => resolve())),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no RTP within ${r.timeoutMs} ms`)), r.timeoutMs);
  });
  try {
    await Promise.race([firstRtp, closed, timeout]);
  } catch (err) {
    viewers.delete(r.sessionId);
    await viewer.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function status(): Record<string, WeriftViewerStatus> {
  return Object.fromEntries(
    [...viewers].map(([id, { viewer, closed }]) => [
      id,
      { rtpPackets: viewer.rtpPackets, connected: !closed && viewer.pc.connectionState === 'connected' },
    ]),
  );
}

process.on('message', (r: WeriftRequest) => {
  if (r.op === 'status') return reply({ n: r.n, status: status() });
  watch(r).then(
    () => reply({ n: r.n }),
    (err: Error) => reply({ n: r.n, error: `werift viewer of ${r.sessionId}: ${err.message}` }),
  );
});
process.on('disconnect', () => {
  for (const { viewer } of viewers.values()) void viewer.close();
  process.exit(0);
});
