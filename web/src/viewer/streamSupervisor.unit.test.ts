import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { ApiError } from '../shared/api.ts';
import { StreamSupervisor, type Connection } from './streamSupervisor.ts';
import type { Recovery, SessionEnd, ViewerState } from './viewerState.ts';
import type { WebRtcSessionOptions } from './webrtcSession.ts';

// The supervisor with its connections faked: each fake is driven by the test (state, end), and
// the API calls answer what the test says. What it proves: which ends are recovered, how (rejoin,
// reopen, give up), that "Use here" asks to take over, and that a stale connection is ignored.

class FakeConnection implements Connection {
  state: ViewerState = 'idle';
  everStreamed = false;
  started = false;
  disposed = false;
  readonly opts: WebRtcSessionOptions;
  constructor(opts: WebRtcSessionOptions) {
    this.opts = opts;
  }
  start = () => void (this.started = true);
  dispose = () => void (this.disposed = true);
  end = async () => this.finish({ kind: 'user', message: 'You ended the session.' });
  sendInput = () => true;
  setViewport = () => {};
  stream(): void {
    this.state = 'streaming';
    this.everStreamed = true;
    this.opts.onState('streaming');
  }
  finish(end: SessionEnd): void {
    this.opts.onState('error');
    this.opts.onEnd(end);
  }
}

const SESSION = '00000000-0000-4000-8000-000000000001';
const info = (over: Partial<SessionInfo>): SessionInfo => ({
  id: SESSION,
  appId: 'file-explorer',
  state: 'streaming',
  createdAt: '2025-01-01T00:00:00.000Z',
  display: { width: 1280, height: 720, framerate: 30 },
  shareId: null,
  ...over,
});

function setup() {
  const conns: FakeConnection[] = [];
  const seen = {
    ends: [] as Array<SessionEnd | null>,
    recoveries: [] as Array<Recovery | null>,
    reopened: [] as SessionInfo[],
    reopenedAfter: [] as string[],
  };
  const probe = vi.fn<(id: string) => Promise<SessionInfo>>();
  const reopen = vi.fn<(appId: string, shareId: string | undefined) => Promise<SessionInfo>>();
  let now = 0;
  const sup = new StreamSupervisor({
    sessionId: SESSION,
    codec: null,
    video: {} as HTMLVideoElement,
    viewerId: 'tab-test0001',
    connect: (opts) => {
      const c = new FakeConnection(opts);
      conns.push(c);
      return c;
    },
    probe,
    reopen,
    remove: async () => {},
    onState: () => {},
    onEnd: (e) => seen.ends.push(e),
    onRecovery: (r) => seen.recoveries.push(r),
    onAppReady: () => {},
    onReopened: (s, reason) => {
      seen.reopened.push(s);
      seen.reopenedAfter.push(reason);
    },
    now: () => now,
    random: () => 0.5,
  });
  return { sup, conns, seen, probe, reopen, advance: (ms: number) => (now += ms) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('StreamSupervisor', () => {
  it('rejoins a session whose connection dropped, as the same tab, and clears the notice once streaming', async () => {
    const { sup, conns, seen, probe } = setup();
    sup.start();
    conns[0]!.stream();
    probe.mockResolvedValue(info({ state: 'streaming' }));
    conns[0]!.finish({ kind: 'signaling-lost', message: 'Lost the connection to the server.' });
    expect(seen.recoveries.at(-1)).toEqual({ kind: 'reconnecting', attempt: 0 });
    await vi.advanceTimersByTimeAsync(500);
    expect(conns).toHaveLength(2);
    expect(conns[1]!.opts).toMatchObject({ viewerId: 'tab-test0001', takeOver: false });
    conns[1]!.stream();
    expect(seen.recoveries.at(-1)).toBeNull();
    expect(seen.ends).toEqual([]);
  });

  it('waits out a restart while the server is away, then opens the same app again', async () => {
    const { sup, conns, seen, probe, reopen } = setup();
    sup.start();
    conns[0]!.stream();
    conns[0]!.finish({ kind: 'server-restarting', message: 'The server is restarting.' });
    expect(seen.recoveries.at(-1)?.kind).toBe('restarting');
    probe.mockRejectedValue(new ApiError(0, 'unreachable', 'down'));
    await vi.advanceTimersByTimeAsync(500 + 1000 + 2000);
    expect(probe).toHaveBeenCalledTimes(3);
    expect(seen.recoveries.at(-1)).toEqual({ kind: 'restarting', attempt: 3 });
    probe.mockResolvedValue(info({ state: 'ended', endReason: 'server shutdown', shareId: null }));
    reopen.mockResolvedValue(info({ id: 'new', state: 'ready' }));
    await vi.advanceTimersByTimeAsync(4000);
    expect(reopen).toHaveBeenCalledWith('file-explorer', undefined);
    expect(seen.recoveries.at(-1)?.kind).toBe('reopening');
    expect(seen.reopened.map((s) => s.id)).toEqual(['new']);
    expect(seen.ends).toEqual([]);
  });

  it('opens the app again when the machine running it was lost, and says that if it cannot', async () => {
    const { sup, conns, seen, probe, reopen } = setup();
    sup.start();
    conns[0]!.stream();
    conns[0]!.finish({ kind: 'signaling-lost', message: 'Lost the connection to the server.' });
    expect(seen.recoveries.at(-1)?.kind).toBe('reconnecting');
    probe.mockResolvedValue(info({ state: 'ended', endReason: 'worker lost' }));
    reopen.mockResolvedValueOnce(info({ id: 'new', state: 'ready' }));
    await vi.advanceTimersByTimeAsync(500);
    expect(seen.reopened.map((s) => s.id)).toEqual(['new']);
    expect(seen.reopenedAfter).toEqual(['worker lost']);

    const again = setup();
    again.sup.start();
    again.conns[0]!.stream();
    again.conns[0]!.finish({ kind: 'signaling-lost', message: '' });
    again.probe.mockResolvedValue(info({ state: 'ended', endReason: 'worker lost' }));
    again.reopen.mockRejectedValue(new ApiError(503, 'no-worker', 'no worker can take it'));
    await vi.advanceTimersByTimeAsync(500);
    again.reopen.mockRejectedValue(new ApiError(403, 'forbidden', 'this share was revoked'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(again.seen.ends.at(-1)?.message).toBe(
      'The server running this session stopped, which ended the session, and it could not be opened again: this share was revoked',
    );
  });

  it('says plainly when opening again is refused', async () => {
    const { sup, conns, seen, probe, reopen } = setup();
    sup.start();
    conns[0]!.finish({ kind: 'server-restarting', message: '' });
    probe.mockResolvedValue(info({ state: 'ended', endReason: 'server crash' }));
    reopen.mockRejectedValue(new ApiError(403, 'forbidden', 'this share was revoked'));
    await vi.advanceTimersByTimeAsync(500);
    expect(seen.ends.at(-1)).toMatchObject({ kind: 'reopen-failed' });
    expect(seen.ends.at(-1)?.message).toMatch(/this share was revoked/);
    expect(seen.recoveries.at(-1)).toBeNull();
  });

  it('gives up after a few minutes without the server, and tries again when asked', async () => {
    const { sup, conns, seen, probe, advance } = setup();
    sup.start();
    conns[0]!.stream();
    conns[0]!.finish({ kind: 'signaling-lost', message: '' });
    probe.mockRejectedValue(new ApiError(0, 'unreachable', 'down'));
    advance(3 * 60_000);
    await vi.advanceTimersByTimeAsync(500);
    expect(seen.ends.at(-1)).toMatchObject({ kind: 'unreachable' });
    probe.mockResolvedValue(info({ state: 'ready' }));
    sup.retry();
    expect(seen.ends.at(-1)).toBeNull();
    await vi.advanceTimersByTimeAsync(500);
    expect(conns).toHaveLength(2);
  });

  it('does not fight another tab: "already open" waits for "Use here", which takes over', () => {
    const { sup, conns, seen } = setup();
    sup.start();
    conns[0]!.finish({ kind: 'already-viewed', message: 'open elsewhere' });
    expect(seen.ends.at(-1)?.kind).toBe('already-viewed');
    expect(conns).toHaveLength(1);
    sup.takeOver();
    expect(seen.ends.at(-1)).toBeNull();
    expect(conns[1]!.opts.takeOver).toBe(true);
    conns[1]!.stream();
    // Taken over in turn: said, not fought.
    conns[1]!.finish({ kind: 'taken-over', message: 'opened in another tab' });
    expect(seen.ends.at(-1)?.kind).toBe('taken-over');
    expect(conns).toHaveLength(2);
  });

  it('ignores what a connection it replaced still reports', async () => {
    const { sup, conns, seen } = setup();
    sup.start();
    conns[0]!.finish({ kind: 'already-viewed', message: '' });
    sup.takeOver();
    conns[0]!.opts.onEnd({ kind: 'signaling-lost', message: 'late' });
    expect(seen.ends.at(-1)).toBeNull();
    expect(seen.recoveries.every((r) => r === null)).toBe(true);
  });
});
