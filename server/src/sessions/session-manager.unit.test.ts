import { describe, expect, it } from 'vitest';
import type { ServerSignal, SessionEndReason } from '@vitrine/protocol';
import { Manifest } from '../apps/manifest.ts';
import type { App } from '../apps/registry.ts';
import type { Launch } from '../launch/entitlements.ts';
import { planLaunch, type LaunchPlan, type RuntimeSpec } from '../launch/plan.ts';
import type { Clock } from './lifecycle.ts';
import type { SessionObserver } from './ports.ts';
import type { RuntimeHandle, ViewerLink } from './runtime.ts';
import { SessionManager } from './session-manager.ts';

// The registry with everything around it faked: a runtime that only records, a clock that only
// moves when told. What it proves: admission, the wiring of lifecycle rules to the runtime and the
// viewer, and what observers are told. (The real runtime is proven by the integration tests.)

class FakeClock implements Clock {
  private t = 1_000_000;
  private timers: Array<{ at: number; run: () => void; id: number }> = [];
  private next = 0;
  now = () => this.t;
  setTimeout = (run: () => void, ms: number) => {
    const id = ++this.next;
    this.timers.push({ at: this.t + ms, run, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = due.at;
      due.run();
    }
    this.t = end;
  }
}

class FakeRuntime implements RuntimeHandle {
  ended: { reason: SessionEndReason; detail?: string | undefined } | undefined;
  failStart = false;
  private endedListeners: Array<(reason: SessionEndReason, detail?: string) => void> = [];
  private viewerListeners: Array<(e: 'connected' | 'gone') => void> = [];
  private activityListeners: Array<() => void> = [];
  private appReadyListeners: Array<() => void> = [];
  /** Viewer links handed out, and which were let go. */
  links: Array<{ send: (msg: ServerSignal) => void; detached: boolean; role: 'client' | 'watcher' }> = [];
  readonly spec: RuntimeSpec;
  constructor(spec: RuntimeSpec) {
    this.spec = spec;
  }
  start = async () => {
    if (this.failStart) throw new Error(START_FAILURE);
  };
  /** Who holds the controls, as the real runtime keeps it (a link's index). */
  controller = 0;
  attachViewer = (send: (msg: ServerSignal) => void, role: 'client' | 'watcher' = 'client'): ViewerLink => {
    const link = { send, detached: false, role };
    const index = this.links.push(link) - 1;
    return {
      control: (action) => {
        const next = action === 'take' ? index : this.links.findIndex((l) => l.role === 'client' && !l.detached);
        if (next === this.controller || next < 0) return false;
        this.controller = next;
        return true;
      },
      handle: async () => {},
      detach: () => {
        if (link.detached) return;
        link.detached = true;
        // The real runtime: closing the client's peer frees its slot at once and reports the viewer gone.
        if (role === 'client') this.viewer('gone');
      },
    };
  };
  onAppReady = (l: () => void) => void this.appReadyListeners.push(l);
  appDrew(): void {
    for (const l of this.appReadyListeners) l();
  }
  onEnded = (l: (reason: SessionEndReason, detail?: string) => void) => void this.endedListeners.push(l);
  onViewer = (l: (e: 'connected' | 'gone') => void) => void this.viewerListeners.push(l);
  onActivity = (l: () => void) => void this.activityListeners.push(l);
  stats = () => ({ connected: false, codec: 'h264' });
  sent = () => ({ frames: 7, bytes: 700 });
  pids = () => [];
  whenStopped = async () => {};
  end = (reason: SessionEndReason, detail?: string) => {
    if (this.ended) return;
    this.ended = { reason, detail };
    for (const l of this.endedListeners) l(reason, detail);
  };
  viewer(e: 'connected' | 'gone'): void {
    for (const l of this.viewerListeners) l(e);
  }
  input(): void {
    for (const l of this.activityListeners) l();
  }
}

const app: App = {
  id: 'demo',
  dir: '/apps/demo',
  binaryPath: '/apps/demo/bin/demo',
  manifest: Manifest.parse({ name: 'Demo', version: '1.0.0', type: 'x11', binary: 'bin/demo' }),
  hash: 'd'.repeat(64),
};

function plan(over: Partial<Launch> = {}): LaunchPlan {
  const launch: Launch = {
    userId: 'u1',
    userRole: 'client',
    signInId: 's1',
    shareId: 'share-1',
    entitlements: [],
    maxDurationMs: null,
    storageOwnerId: 'o1',
    watermark: null,
    preview: false,
    openPath: null,
    recording: false,
    liveView: false,
    ...over,
  };
  return planLaunch(app, app.id, launch, undefined, {
    sessionsDir: '/run/vitrine/sessions',
    limits: { memoryBytes: 2 ** 28, pids: 64, cpu: 1 },
    nodeRuntime: () => '/opt/node',
    controlChannel: false,
    video: { bitrateKbps: 3000, minBitrateKbps: 150, keyframeIntervalS: 2, maxSize: { width: 2560, height: 1440 } },
    inputRatePerSecond: 400,
    startTimeoutMs: 15_000,
    lifecycle: { graceMs: 30_000, idleTimeoutMs: 15 * 60_000, warningLeadMs: 60_000 },
    iceFor: () => ({ addresses: null, iceServers: [] }),
  });
}

/** Collects what a viewer is sent, but the participants list (its own tests look at that). */
const signals = (into: ServerSignal[]) => (m: ServerSignal) => {
  if (m.type !== 'participants') into.push(m);
};

/** What openGrants says when a shared folder was swapped for a link: host paths of the owner's. */
const START_FAILURE =
  'cannot share /srv/vitrine/owners/0d1e/Clients/Smith is not a plain file or folder at that path any more';

function setup(
  limits = { maxSessions: 4, maxPerUser: 2 },
  opts: { failStart?: boolean; observers?: SessionObserver[] } = {},
) {
  const clock = new FakeClock();
  const runtimes: FakeRuntime[] = [];
  const told: string[] = [];
  const observer: SessionObserver = {
    launched: async (p) => void told.push(`launched ${p.sessionId}`),
    stateChanged: (_p, state) => void told.push(`state ${state}`),
    viewerConnected: (_p, codec) => void told.push(`viewer connected ${codec}`),
    viewerGone: () => void told.push('viewer gone'),
    ended: (_p, end) => void told.push(`ended ${end.reason} ${end.sent.frames}`),
    controlChanged: (_p, { action, by }) => void told.push(`control ${action} by ${by.role} ${by.userId}`),
  };
  const manager = new SessionManager({
    limits,
    runtime: (spec) => {
      const r = new FakeRuntime(spec);
      r.failStart = opts.failStart ?? false;
      runtimes.push(r);
      return r;
    },
    observers: [observer, ...(opts.observers ?? [])],
    records: { get: async () => undefined },
    findApp: () => app,
    log: { info: () => {}, warn: () => {} },
    clock,
  });
  return { manager, clock, runtimes, told };
}

describe('SessionManager', () => {
  it('starts a planned session: recorded first, then ready', async () => {
    const { manager, told } = setup();
    const p = plan();
    const info = await manager.admit(p).start();
    expect(info).toMatchObject({ id: p.sessionId, appId: 'demo', state: 'ready', shareId: 'share-1' });
    expect(told).toEqual([`launched ${p.sessionId}`, 'state ready']);
  });

  it('counts admitted launches that have not started yet against the limits', () => {
    const { manager } = setup({ maxSessions: 3, maxPerUser: 2 });
    manager.admit(plan());
    manager.admit(plan());
    expect(() => manager.admit(plan())).toThrow(/at most 2/);
    const other = manager.admit(plan({ userId: 'u2' }));
    expect(() => manager.admit(plan({ userId: 'u3' }))).toThrow(/busy \(3 of 3/);
    other.cancel();
    expect(() => manager.admit(plan({ userId: 'u3' }))).not.toThrow();
  });

  it('ends a session nobody connects to after the grace period ("peer gone")', async () => {
    const { manager, clock, runtimes, told } = setup();
    await manager.admit(plan()).start();
    clock.advance(29_999);
    expect(runtimes[0]!.ended).toBeUndefined();
    clock.advance(1);
    expect(runtimes[0]!.ended?.reason).toBe('peer gone');
    expect(told.at(-1)).toBe('ended peer gone 7');
  });

  it('keeps a session whose viewer attached, streams, and restarts grace when the viewer goes', async () => {
    const { manager, clock, runtimes, told } = setup();
    const { id } = await manager.admit(plan()).start();
    manager.attachViewer(id, () => {});
    clock.advance(60_000);
    runtimes[0]!.viewer('connected');
    expect((await manager.get(id))?.state).toBe('streaming');
    runtimes[0]!.viewer('gone');
    expect(told).toContain('viewer gone');
    expect((await manager.get(id))?.state).toBe('ready');
    // The slot is free again: a reloaded page can attach within grace.
    manager.attachViewer(id, () => {});
    clock.advance(60_000);
    expect(runtimes[0]!.ended).toBeUndefined();
  });

  it('refuses a second viewer while one holds the session', async () => {
    const { manager } = setup();
    const { id } = await manager.admit(plan()).start();
    manager.attachViewer(id, () => {});
    expect(() => manager.attachViewer(id, () => {})).toThrow(/open in another tab/);
  });

  it('lets the same tab replace its own dropped connection without asking', async () => {
    const { manager, runtimes } = setup();
    const { id } = await manager.admit(plan()).start();
    const old: ServerSignal[] = [];
    manager.attachViewer(id, signals(old), { viewerId: 'tab-aaaaaaaa' });
    runtimes[0]!.viewer('connected');
    const again = manager.attachViewer(id, () => {}, { viewerId: 'tab-aaaaaaaa' });
    expect(again.takeover).toBe('same-viewer');
    // The stale socket is told, so it closes as replaced rather than lingering.
    expect(old).toEqual([{ type: 'taken-over' }]);
    expect(runtimes[0]!.links.map((l) => l.detached)).toEqual([true, false]);
  });

  it('turns another tab away unless it asks to take over; then the first tab is told and let go', async () => {
    const { manager, clock, runtimes, told } = setup();
    const { id } = await manager.admit(plan()).start();
    const first: ServerSignal[] = [];
    manager.attachViewer(id, signals(first), { viewerId: 'tab-aaaaaaaa' });
    runtimes[0]!.viewer('connected');
    expect(() => manager.attachViewer(id, () => {}, { viewerId: 'tab-bbbbbbbb' })).toThrow(/another tab/);
    const second: ServerSignal[] = [];
    const link = manager.attachViewer(id, signals(second), { viewerId: 'tab-bbbbbbbb', takeOver: true });
    expect(link.takeover).toBe('other-viewer');
    expect(first).toEqual([{ type: 'taken-over' }]);
    expect(told).toContain('viewer gone');
    // The first tab's later messages no longer reach it; the new viewer gets the warnings.
    runtimes[0]!.viewer('connected');
    clock.advance(14 * 60_000);
    expect(first).toEqual([{ type: 'taken-over' }]);
    expect(second).toContainEqual({ type: 'warning', reason: 'idle timeout', secondsLeft: 60 });
    // Taking over is no gap: the grace period the first viewer's leaving started does not end the session.
    clock.advance(40_000);
    expect(runtimes[0]!.ended).toBeUndefined();
    // Taking over a free slot is just a connection.
    const { id: other } = await manager.admit(plan()).start();
    expect(manager.attachViewer(other, () => {}, { takeOver: true }).takeover).toBe('none');
  });

  it('tells the viewer once the app has drawn, and a viewer attaching later at once', async () => {
    const { manager, runtimes } = setup();
    const { id } = await manager.admit(plan()).start();
    const got: ServerSignal[] = [];
    manager.attachViewer(id, signals(got), { viewerId: 'tab-aaaaaaaa' });
    expect(got).toEqual([]);
    runtimes[0]!.appDrew();
    runtimes[0]!.appDrew();
    expect(got).toEqual([{ type: 'app-ready' }]);
    const later: ServerSignal[] = [];
    manager.attachViewer(id, signals(later), { viewerId: 'tab-aaaaaaaa' });
    expect(later).toEqual([{ type: 'app-ready' }]);
  });

  it("lets the share's owner watch when the share allows it; the client always sees who watches and who drives", async () => {
    const { manager, runtimes, told } = setup();
    const closed = await manager.admit(plan()).start();
    expect(() => manager.attachWatcher(closed.id, () => {}, { userId: 'o1', name: 'Olive' })).toThrow(/watch/);
    const { id } = await manager.admit(plan({ liveView: true })).start();
    const client: ServerSignal[] = [];
    const watcher: ServerSignal[] = [];
    manager.attachViewer(id, (m) => client.push(m), { viewerId: 'tab-aaaaaaaa', name: 'Cleo' });
    runtimes[1]!.viewer('connected');
    const watching = manager.attachWatcher(id, (m) => watcher.push(m), { userId: 'o1', name: 'Olive' });
    const last = (msgs: ServerSignal[]) => msgs.filter((m) => m.type === 'participants').at(-1);
    expect(last(client)).toEqual({
      type: 'participants',
      you: 'client',
      recorded: false,
      participants: [
        { name: 'Cleo', role: 'client', controlling: true },
        { name: 'Olive', role: 'watcher', controlling: false },
      ],
    });
    expect(last(watcher)).toMatchObject({ you: 'watcher' });
    await watching.handle({ type: 'control', action: 'take' });
    expect(last(client)).toMatchObject({
      participants: [
        { name: 'Cleo', controlling: false },
        { name: 'Olive', controlling: true },
      ],
    });
    expect(told).toContain('control take by watcher o1');
    // Taking it again changes nothing and tells nobody.
    const before = told.length;
    await watching.handle({ type: 'control', action: 'take' });
    expect(told.length).toBe(before);
    watching.detach();
    expect(last(client)).toMatchObject({ participants: [{ name: 'Cleo', controlling: true }] });
    // A fourth watcher is turned away (three at most).
    for (let i = 0; i < 3; i++) manager.attachWatcher(id, () => {}, { userId: 'o1', name: 'Olive' });
    expect(() => manager.attachWatcher(id, () => {}, { userId: 'o1', name: 'Olive' })).toThrow(/watchers/);
  });

  it('says "server shutdown" to every viewer when the server stops', async () => {
    const { manager } = setup();
    const { id } = await manager.admit(plan()).start();
    const got: ServerSignal[] = [];
    manager.attachViewer(id, (m) => got.push(m));
    await manager.shutdown();
    expect(got.at(-1)).toEqual({ type: 'bye', reason: 'server shutdown' });
  });

  it('sends the idle warning to the viewer, and input pushed by the runtime postpones the end', async () => {
    const { manager, clock, runtimes } = setup();
    const { id } = await manager.admit(plan()).start();
    const got: ServerSignal[] = [];
    manager.attachViewer(id, (m) => got.push(m));
    runtimes[0]!.viewer('connected');
    clock.advance(14 * 60_000);
    expect(got).toContainEqual({ type: 'warning', reason: 'idle timeout', secondsLeft: 60 });
    runtimes[0]!.input();
    clock.advance(60_000);
    expect(runtimes[0]!.ended).toBeUndefined();
    clock.advance(14 * 60_000);
    expect(runtimes[0]!.ended?.reason).toBe('idle timeout');
    expect(got.at(-1)).toEqual({ type: 'bye', reason: 'idle timeout' });
  });

  it('warns before the share’s time limit and ends the session at it, input or not', async () => {
    const { manager, clock, runtimes } = setup();
    const { id } = await manager.admit(plan({ maxDurationMs: 10 * 60_000 })).start();
    const got: ServerSignal[] = [];
    manager.attachViewer(id, (m) => got.push(m));
    runtimes[0]!.viewer('connected');
    clock.advance(9 * 60_000);
    runtimes[0]!.input();
    expect(got).toContainEqual({ type: 'warning', reason: 'time limit', secondsLeft: 60 });
    clock.advance(60_000);
    expect(runtimes[0]!.ended?.reason).toBe('time limit');
  });

  it('ends the sessions a reaction names, and only those', async () => {
    const { manager, runtimes } = setup({ maxSessions: 4, maxPerUser: 4 });
    await manager.admit(plan({ shareId: 'a', signInId: 'x' })).start();
    await manager.admit(plan({ shareId: 'b', signInId: 'x' })).start();
    await manager.admit(plan({ shareId: 'b', signInId: 'y' })).start();
    expect(manager.liveShareIds().sort()).toEqual(['a', 'b']);
    expect(manager.endWhere((l) => l.shareId === 'b', 'share revoked')).toBe(2);
    expect(runtimes.map((r) => r.ended?.reason)).toEqual([undefined, 'share revoked', 'share revoked']);
    expect(manager.liveCount(() => true)).toBe(1);
  });

  it('reports a failed start as an error end and frees the room', async () => {
    const { manager, runtimes, told } = setup({ maxSessions: 1, maxPerUser: 1 }, { failStart: true });
    await expect(manager.admit(plan()).start()).rejects.toMatchObject({ status: 500, code: 'start-failed' });
    expect(runtimes[0]!.ended).toEqual({ reason: 'error', detail: START_FAILURE });
    expect(told.at(-1)).toBe('ended error 7');
    expect(() => manager.admit(plan())).not.toThrow();
  });

  it('tells whoever launched a failed start nothing of the host (the error names host paths)', async () => {
    const { manager } = setup({ maxSessions: 1, maxPerUser: 1 }, { failStart: true });
    const err = await manager
      .admit(plan())
      .start()
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.message).toMatch(/^the app could not be started/);
    expect(err?.message).not.toContain('/srv');
    expect(err?.message).not.toContain('Smith');
  });

  it("tells the operator's metrics of refusals, failed starts, first frames and each state's count", async () => {
    const heard: string[] = [];
    const metrics: SessionObserver = {
      refused: (_p, code) => void heard.push(`refused ${code}`),
      startFailed: (_p, code) => void heard.push(`failed ${code}`),
      firstFrame: () => void heard.push('first frame'),
    };
    const { manager, runtimes } = setup({ maxSessions: 2, maxPerUser: 1 }, { observers: [metrics] });
    const admitted = manager.admit(plan());
    expect(manager.census().states).toEqual({ starting: 1, ready: 0, streaming: 0, ended: 0 });
    await admitted.start();
    expect(() => manager.admit(plan())).toThrow();
    const other = plan({ userId: 'u2' });
    await manager.admit(other).start();
    expect(() => manager.admit(plan({ userId: 'u3' }))).toThrow();
    expect(heard).toEqual(['refused too-many-sessions', 'refused busy']);
    // The first frame: the app has drawn and the client's stream runs, in either order; once.
    const [first, second] = runtimes;
    manager.attachViewer(other.sessionId, () => {});
    second!.viewer('connected');
    expect(heard).toHaveLength(2);
    second!.appDrew();
    first!.appDrew();
    second!.viewer('gone');
    manager.attachViewer(other.sessionId, () => {});
    second!.viewer('connected');
    expect(heard.slice(2)).toEqual(['first frame']);
    expect(manager.census().states).toEqual({ starting: 0, ready: 1, streaming: 1, ended: 0 });
    first!.end('user ended');
    expect(manager.census()).toEqual({ states: { starting: 0, ready: 0, streaming: 1, ended: 0 }, pids: [[]] });
  });

  it("tells the operator's metrics a failed start's code", async () => {
    const heard: string[] = [];
    const { manager } = setup(undefined, {
      failStart: true,
      observers: [{ startFailed: (_p, c) => void heard.push(c) }],
    });
    await expect(manager.admit(plan()).start()).rejects.toThrow();
    expect(heard).toEqual(['start-failed']);
  });
});
