import {
  SessionState,
  type ControlAction,
  type ServerSignal,
  type SessionEndReason,
  type SessionInfo,
  type ViewerRole,
} from '@vitrine/protocol';
import type { ControlChannel } from '../control/control-channel.ts';
import type { AppClaim } from '../control/ports.ts';
import { appInit } from './app-init.ts';
import { DomainError } from '../errors.ts';
import type { Launch } from '../launch/entitlements.ts';
import type { LaunchPlan } from '../launch/plan.ts';
import { SessionLifecycle, systemClock, type LifecycleEvent } from './lifecycle.ts';
import type { RuntimeHandle, RuntimeStats, ViewerLink } from './runtime.ts';
import type { SessionDirectory, SessionManagerDeps } from './ports.ts';
import { Attention } from './attention.ts';
import type { LiveRecording } from '../recording/recording-service.ts';

export class SessionError extends DomainError {}

interface Session {
  plan: LaunchPlan;
  createdAt: Date;
  lifecycle: SessionLifecycle;
  runtime: RuntimeHandle;
  endReason?: string;
  claims: AppClaim[];
  control?: ControlChannel;
  peerConnectedAt?: number;
  /** The viewer holding the session's one viewer slot (for warnings); unset while nobody watches. */
  viewer?: Viewer | undefined;
  /** Every signaling link still open, told "bye" when the session ends. */
  signals: Set<(msg: ServerSignal) => void>;
  /** The app has drawn its first real picture (or claimed its first screen): viewers are told `app-ready`. */
  appReady: boolean;
  /** The client's media connection is up (its stream runs); and whether the first frame was reported. */
  clientStreaming: boolean;
  firstFrameTold: boolean;
  /** Whether the person is with it (for reading time): a hidden tab or a long idle is "away". */
  attention: Attention;
  /** The client's name as the participants list shows it. */
  clientName: string;
  /** The share's owner watching live, by signaling link (view-only until one takes control). */
  watchers: Set<Watcher>;
  /** Whose input reaches the app: the client's, or a watcher who took control. */
  controller: 'client' | Watcher;
  /** The share records its sessions: everything sent, and what happened, goes here. */
  recording?: LiveRecording | undefined;
  /** The recording's last segment and its end on the trail (awaited on shutdown). */
  recordingDone?: Promise<void>;
}

/** Someone watching a client's session live (the share's owner). */
interface Watcher {
  userId: string;
  name: string;
  send: (msg: ServerSignal) => void;
  link?: ViewerLink;
}

/** Watchers of one session at most (each is a WebRTC peer fed by the one encoder). */
const MAX_WATCHERS = 3;

/** The viewer in the session's one viewer slot. */
interface Viewer {
  send: (msg: ServerSignal) => void;
  /** The tab's own id (`?viewer=`), so the same tab reconnecting replaces its stale connection. */
  id: string | undefined;
  name: string;
  link?: ViewerLink;
}

/** How a viewer came to hold the slot: it was free, it replaced its own stale connection, or took it over. */
export type ViewerTakeover = 'none' | 'same-viewer' | 'other-viewer';

/**
 * An app that reported what it shows (a control-channel claim) has drawn it, whatever the pixels
 * looked like: ready this long after its first claim at the latest (its pixels usually tell first).
 */
const CLAIM_READY_MS = 2000;

const MAX_CLAIMS_KEPT = 1000;
/** Ended sessions stay this long so a late GET can report why. */
const KEEP_ENDED_MS = 60_000;
/** No input for this long and the person counts as away (reading time): a page is read without input. */
const DEFAULT_ATTENTION_IDLE_MS = 120_000;

/** The live sessions of this server: admits planned launches, runs them, binds viewers, ends them. */
export class SessionManager implements SessionDirectory {
  private readonly sessions = new Map<string, Session>();
  /** Admitted launches not started yet: they count against the limits already. */
  private readonly pending = new Map<string, string>();
  private readonly deps: SessionManagerDeps;

  constructor(deps: SessionManagerDeps) {
    this.deps = deps;
  }

  /** Reserves room for `plan` or refuses (too many sessions for this person, or for the server). */
  admit(plan: LaunchPlan): { start(): Promise<SessionInfo>; cancel(): void } {
    const { maxSessions, maxPerUser } = this.deps.limits;
    const userId = plan.launch.userId;
    const mine =
      this.liveCount((l) => l.userId === userId) + [...this.pending.values()].filter((u) => u === userId).length;
    if (mine >= maxPerUser) {
      this.refused(plan, 'too-many-sessions');
      throw new SessionError(
        429,
        'too-many-sessions',
        `You already have ${mine} sessions open (at most ${maxPerUser}); end one first.`,
      );
    }
    const live = this.liveCount(() => true) + this.pending.size;
    if (live >= maxSessions) {
      this.refused(plan, 'busy');
      throw new SessionError(
        503,
        'busy',
        `the server is busy (${live} of ${maxSessions} sessions in use); try again later`,
      );
    }
    this.pending.set(plan.sessionId, userId);
    return {
      start: () =>
        this.start(plan)
          .catch((err: unknown) => {
            const code = err instanceof DomainError ? err.code : 'start-failed';
            for (const o of this.deps.observers) o.startFailed?.(plan, code);
            throw err;
          })
          .finally(() => this.pending.delete(plan.sessionId)),
      cancel: () => this.pending.delete(plan.sessionId),
    };
  }

  private refused(plan: LaunchPlan, code: 'busy' | 'too-many-sessions'): void {
    for (const o of this.deps.observers) o.refused?.(plan, code);
  }

  private async start(plan: LaunchPlan): Promise<SessionInfo> {
    const { observers, log } = this.deps;
    const createdAt = new Date();
    for (const o of observers) await o.launched?.(plan, createdAt);
    const runtime = this.deps.runtime(plan.runtime);
    const s: Session = {
      plan,
      createdAt,
      runtime,
      claims: [],
      signals: new Set(),
      appReady: false,
      clientStreaming: false,
      firstFrameTold: false,
      clientName: plan.launch.userId,
      watchers: new Set(),
      controller: 'client',
      lifecycle: new SessionLifecycle(plan.rules, (e) => this.onLifecycle(s, e), this.deps.clock ?? systemClock),
      attention: new Attention(
        this.deps.attentionIdleMs ?? DEFAULT_ATTENTION_IDLE_MS,
        (change) => {
          for (const o of observers) o.attentionChanged?.(plan, change);
        },
        this.deps.clock ?? systemClock,
      ),
    };
    this.sessions.set(plan.sessionId, s);
    runtime.onEnded((reason, detail) => {
      // Its last segment goes on the trail, then its end; a shutdown waits for both.
      s.recordingDone = s.recording
        ?.finish()
        .catch((err: Error) => log.warn({ sessionId: plan.sessionId, err: err.message }, 'recording not closed'));
      s.lifecycle.ended();
      s.attention.ended();
      // Open until the app is gone: its `shutdown` is delivered, and what it says while it finishes is heard.
      const closeControl = () => s.control?.close();
      void runtime.whenStopped().then(closeControl, closeControl);
      s.endReason = reason;
      log.info({ sessionId: plan.sessionId, reason, detail }, 'session ended');
      // The detail (an exit status, an app's last words, a path on the host) stays in the log and
      // the session's record: nothing about the host reaches the viewer, who may be a client.
      for (const send of s.signals) send({ type: 'bye', reason });
      const end = { reason, detail, durationMs: s.lifecycle.age(), sent: runtime.sent() };
      for (const o of observers) o.ended?.(plan, end);
      setTimeout(() => this.sessions.delete(plan.sessionId), KEEP_ENDED_MS).unref();
    });
    runtime.onViewer((event) => {
      if (s.lifecycle.state === 'ended') return;
      if (event === 'connected') {
        s.peerConnectedAt = Date.now();
        s.clientStreaming = true;
        this.firstFrame(s);
        s.lifecycle.viewerConnected();
        s.attention.viewerAttached();
        s.recording?.sink.event('viewer', { joined: s.clientName, role: 'client' });
        for (const o of observers) o.viewerConnected?.(plan, runtime.stats().codec);
      } else {
        s.clientStreaming = false;
        s.viewer = undefined;
        s.recording?.sink.event('viewer', { left: s.clientName, role: 'client' });
        this.participantsChanged(s);
        s.lifecycle.viewerGone();
        s.attention.viewerGone();
        for (const o of observers) o.viewerGone?.(plan, Date.now() - (s.peerConnectedAt ?? Date.now()));
      }
    });
    runtime.onActivity(() => {
      s.lifecycle.touch();
      s.attention.touched();
    });
    runtime.onAppReady(() => this.appReady(s));
    runtime.onPictureResized?.((size) => s.control?.broadcast({ type: 'resize', ...size }));
    runtime.onShutdown?.((reason, graceMs) => s.control?.broadcast({ type: 'shutdown', reason, graceMs }));
    try {
      await this.startRecording(s);
      await runtime.start();
    } catch (err) {
      // A recorded share's session does not run unrecorded: its refusal is the client's to read.
      if (err instanceof DomainError) {
        runtime.end('error', err.message);
        throw err;
      }
      // Why is logged (with the session's id to find it by); the caller, who may be a client,
      // learns only that it failed: the error can name host paths of the owner's storage.
      log.warn(
        { sessionId: plan.sessionId, reqId: plan.origin?.correlationId, err: (err as Error).message },
        'session failed to start',
      );
      runtime.end('error', (err as Error).message);
      throw new SessionError(500, 'start-failed', `the app could not be started (session ${plan.sessionId})`);
    }
    if (s.lifecycle.state === 'ended') {
      throw new SessionError(500, 'start-failed', `the app ended during start-up (${s.endReason})`);
    }
    // An app whose manifest does not declare the control channel has no socket to reach one.
    if (this.deps.openControl && plan.runtime.policy.controlSocket) await this.openControl(s, this.deps.openControl);
    s.lifecycle.started();
    log.info(
      { sessionId: plan.sessionId, reqId: plan.origin?.correlationId, display: plan.app.manifest.video },
      'session ready',
    );
    return this.info(s);
  }

  private async startRecording(s: Session): Promise<void> {
    const { record } = this.deps;
    const clock = s.runtime.videoClock;
    if (!record || !clock || !s.runtime.record) return;
    s.recording = await record(s.plan, clock, (reason) => s.runtime.end('recording failed', reason));
    if (s.recording) s.runtime.record(s.recording.sink);
  }

  private async openControl(s: Session, open: NonNullable<SessionManagerDeps['openControl']>): Promise<void> {
    try {
      s.control = await open(s.plan, {
        onClaim: (claim) => {
          s.recording?.sink.event('claim', {
            claim: claim.kind,
            path: claim.path,
            to: claim.to,
            page: claim.page,
            position: claim.position,
          });
          s.claims.push(claim);
          if (s.claims.length > MAX_CLAIMS_KEPT) s.claims.shift();
          if (!s.appReady && s.claims.length === 1) setTimeout(() => this.appReady(s), CLAIM_READY_MS).unref();
        },
        session: {
          hello: () => appInit(s.plan, s.runtime.pictureState?.()),
          resize: async (size) => {
            const answer = s.runtime.requestPicture?.(size) ?? { ok: false, message: 'not available here' };
            return answer.ok ? answer : { ok: false, error: 'denied', message: answer.message };
          },
        },
        adopt: s.runtime.warmControl?.(),
      });
    } catch (err) {
      // The app still runs; it just cannot report or ask for anything.
      this.deps.log.warn({ err: (err as Error).message }, 'no control channel for this session');
      return;
    }
    if (s.lifecycle.state === 'ended') s.control.close();
  }

  private onLifecycle(s: Session, e: LifecycleEvent): void {
    if (e.type === 'state' && (e.state === 'ready' || e.state === 'streaming')) {
      for (const o of this.deps.observers) o.stateChanged?.(s.plan, e.state);
    } else if (e.type === 'warning') {
      s.viewer?.send({ type: 'warning', reason: e.reason, secondsLeft: e.secondsLeft });
    } else if (e.type === 'end') {
      s.runtime.end(e.reason);
    }
  }

  /** Live sessions of one user. */
  list(userId: string): SessionInfo[] {
    return this.live((l) => l.userId === userId).map((s) => this.info(s));
  }

  /** A live or recently ended session, else what the record says about an older one. */
  async get(id: string): Promise<(SessionInfo & { userId: string | null }) | undefined> {
    const s = this.sessions.get(id);
    if (s) return { ...this.info(s), userId: s.plan.launch.userId };
    const row = await this.deps.records.get(id);
    if (!row) return undefined;
    const app = this.deps.findApp(row.appId);
    return { ...row, display: app ? { ...app.manifest.video } : { width: 0, height: 0, framerate: 0 } };
  }

  /** Who may watch a live session: its client, the owner of the files it shows, whether the share allows watching. */
  watchInfo(id: string): { userId: string; ownerId: string | null; liveView: boolean } | undefined {
    const s = this.sessions.get(id);
    if (!s || s.lifecycle.state === 'ended') return undefined;
    const { launch } = s.plan;
    return { userId: launch.userId, ownerId: launch.storageOwnerId, liveView: launch.liveView };
  }

  /** Live sessions of shares this owner may watch (their own shares that allow it). */
  watchable(ownerId: string): Array<SessionInfo & { clientId: string; watchers: number }> {
    return this.live((l) => l.liveView && l.storageOwnerId === ownerId && l.userId !== ownerId).map((s) => ({
      ...this.info(s),
      clientId: s.plan.launch.userId,
      watchers: s.watchers.size,
    }));
  }

  /** Who launched a live session (for authorization), or undefined if it is not live here. */
  userOf(id: string): string | undefined {
    const s = this.sessions.get(id);
    return s && s.lifecycle.state !== 'ended' ? s.plan.launch.userId : undefined;
  }

  /** Share ids of live sessions, so their shares can be re-checked. */
  liveShareIds(): string[] {
    return [...new Set(this.live((l) => l.shareId !== null).map((s) => s.plan.launch.shareId!))];
  }

  /** Ends every live session matching `which` (a revoked share, a signed-out browser...). */
  endWhere(which: (launch: Launch) => boolean, reason: SessionEndReason): number {
    const matching = this.live(which);
    for (const s of matching) s.runtime.end(reason);
    return matching.length;
  }

  liveCount(which: (launch: Launch) => boolean): number {
    return this.live(which).length;
  }

  /** Sessions admitted whose app has not drawn its first picture yet: the host's busiest moments. */
  appsStarting(): number {
    return this.admittedNotRegistered() + this.live(() => true).filter((s) => !s.appReady).length;
  }

  /** Admitted, not registered yet: its start awaits the observers (the session's record) first. */
  private admittedNotRegistered(): number {
    let n = 0;
    for (const id of this.pending.keys()) if (!this.sessions.has(id)) n++;
    return n;
  }

  /** Counters and host PIDs of a live session (for admins and tests). */
  statsOf(id: string): (RuntimeStats & { pids: number[] }) | undefined {
    const runtime = this.sessions.get(id)?.runtime;
    return runtime && { ...runtime.stats(), pids: runtime.pids() };
  }

  end(id: string, reason: SessionEndReason): boolean {
    const s = this.sessions.get(id);
    if (!s || s.lifecycle.state === 'ended') return false;
    s.runtime.end(reason);
    return true;
  }

  /**
   * Binds a viewer's signaling transport to a session, or explains why not. A session has one
   * viewer: the same tab (`viewerId`) reconnecting replaces its own stale connection; another tab
   * or device of the same person gets `viewer-exists` unless it asks to take over, and then the
   * viewer it replaces is told `taken-over` and let go.
   */
  attachViewer(
    id: string,
    send: (msg: ServerSignal) => void,
    opts: { viewerId?: string | undefined; takeOver?: boolean | undefined; name?: string | undefined } = {},
  ): ViewerLink & { takeover: ViewerTakeover } {
    const s = this.sessions.get(id);
    if (!s || s.lifecycle.state === 'ended') throw new SessionError(404, 'unknown-session', 'no such session');
    const previous = s.viewer;
    let takeover: ViewerTakeover = 'none';
    if (previous) {
      const same = opts.viewerId !== undefined && previous.id === opts.viewerId;
      if (!same && !opts.takeOver) {
        throw new SessionError(409, 'viewer-exists', 'this session is open in another tab or on another device');
      }
      takeover = same ? 'same-viewer' : 'other-viewer';
      // Told first, so its socket closes as taken over rather than as a lost connection.
      previous.send({ type: 'taken-over' });
      s.signals.delete(previous.send);
      if (s.viewer === previous) s.viewer = undefined;
      previous.link?.detach();
    }
    const viewer: Viewer = { send, id: opts.viewerId, name: opts.name ?? s.clientName };
    if (opts.name) s.clientName = opts.name;
    s.viewer = viewer;
    s.signals.add(send);
    s.lifecycle.viewerAttached();
    s.attention.viewerBound();
    let link: ViewerLink;
    try {
      link = s.runtime.attachViewer(send);
    } catch (err) {
      if (s.viewer === viewer) s.viewer = undefined;
      s.signals.delete(send);
      throw new SessionError(409, 'viewer-exists', (err as Error).message);
    }
    viewer.link = link;
    if (s.appReady) this.tellAppReady(viewer);
    this.participantsChanged(s);
    return {
      takeover,
      handle: (msg) => {
        // Whether the tab is visible is the registry's business (reading time), not the media's.
        if (msg.type === 'visibility') {
          if (s.viewer === viewer) s.attention.visibility(msg.visible);
          return Promise.resolve();
        }
        if (msg.type === 'control') {
          // The client takes its controls back from a watcher ("hand-back" from its side).
          if (msg.action === 'hand-back' && s.viewer === viewer) this.control(s, 'client', msg.action, link);
          return Promise.resolve();
        }
        return link.handle(msg);
      },
      detach: () => {
        s.signals.delete(send);
        link.detach();
        this.participantsChanged(s);
      },
    };
  }

  /**
   * The share's owner joins a client's live session to watch: the same stream, view-only until
   * they take control. Who may watch was settled by the caller (policies: `watch` on Session).
   */
  attachWatcher(id: string, send: (msg: ServerSignal) => void, who: { userId: string; name: string }): ViewerLink {
    const s = this.sessions.get(id);
    if (!s || s.lifecycle.state === 'ended') throw new SessionError(404, 'unknown-session', 'no such session');
    if (!s.plan.launch.liveView) {
      throw new SessionError(403, 'watch-not-allowed', 'this share does not let its owner watch sessions live');
    }
    if (s.watchers.size >= MAX_WATCHERS) {
      throw new SessionError(409, 'viewer-exists', `this session already has ${MAX_WATCHERS} watchers`);
    }
    const watcher: Watcher = { ...who, send };
    let link: ViewerLink;
    try {
      link = s.runtime.attachViewer(send, 'watcher');
    } catch (err) {
      throw new SessionError(409, 'viewer-exists', (err as Error).message);
    }
    watcher.link = link;
    s.watchers.add(watcher);
    s.signals.add(send);
    s.recording?.sink.event('viewer', { joined: who.name, role: 'watcher' });
    s.runtime.setWatchers?.([...s.watchers].map((w) => w.name));
    this.watchersChanged(s);
    if (s.appReady) send({ type: 'app-ready' });
    this.participantsChanged(s);
    let gone = false;
    return {
      handle: (msg) => {
        if (msg.type === 'visibility') return Promise.resolve();
        if (msg.type === 'control') {
          this.control(s, watcher, msg.action, link);
          return Promise.resolve();
        }
        return link.handle(msg);
      },
      detach: () => {
        if (gone) return;
        gone = true;
        s.signals.delete(send);
        s.watchers.delete(watcher);
        link.detach();
        if (s.controller === watcher) s.controller = 'client';
        if (s.lifecycle.state !== 'ended') {
          s.recording?.sink.event('viewer', { left: who.name, role: 'watcher' });
          s.runtime.setWatchers?.([...s.watchers].map((w) => w.name));
          this.watchersChanged(s);
          this.participantsChanged(s);
        }
      },
    };
  }

  /** A watcher takes the controls, or they go back to the client: on the trail, and everyone is told. */
  private control(s: Session, by: 'client' | Watcher, action: ControlAction, link: ViewerLink): void {
    if (!link.control?.(action)) return;
    s.controller = action === 'take' && by !== 'client' ? by : 'client';
    const actor =
      by === 'client'
        ? { userId: s.plan.launch.userId, role: 'client' as const }
        : { userId: by.userId, role: 'watcher' as const };
    for (const o of this.deps.observers) o.controlChanged?.(s.plan, { action, by: actor });
    this.participantsChanged(s);
  }

  /** Everyone in the session is told who is in it and who drives (the client always sees who watches). */
  private participantsChanged(s: Session): void {
    if (s.lifecycle.state === 'ended') return;
    const participants: Array<{ name: string; role: ViewerRole; controlling: boolean }> = [];
    if (s.viewer) participants.push({ name: s.viewer.name, role: 'client', controlling: s.controller === 'client' });
    for (const w of s.watchers) participants.push({ name: w.name, role: 'watcher', controlling: s.controller === w });
    const recorded = s.recording !== undefined;
    s.viewer?.send({ type: 'participants', you: 'client', recorded, participants });
    for (const w of s.watchers) w.send({ type: 'participants', you: 'watcher', recorded, participants });
  }

  private watchersChanged(s: Session): void {
    for (const o of this.deps.observers) o.watchersChanged?.(s.plan, s.watchers.size);
  }

  /** The app has drawn (or said what it shows): the viewer stops saying it is opening. Once. */
  private appReady(s: Session): void {
    if (s.appReady || s.lifecycle.state === 'ended') return;
    s.appReady = true;
    if (s.viewer) this.tellAppReady(s.viewer);
    this.firstFrame(s);
  }

  /** Once: the app has drawn and the client's stream runs (either may come first). For the operator's metrics. */
  private firstFrame(s: Session): void {
    if (s.firstFrameTold || !s.appReady || !s.clientStreaming || s.lifecycle.state === 'ended') return;
    s.firstFrameTold = true;
    const sinceLaunch = Date.now() - s.createdAt.getTime();
    for (const o of this.deps.observers) o.firstFrame?.(s.plan, sinceLaunch);
  }

  /** `app-ready` once the picture at the viewer's size shows the app (a resized window redraws first). */
  private tellAppReady(viewer: Viewer): void {
    const tell = () => viewer.send({ type: 'app-ready' });
    if (viewer.link?.whenShown) viewer.link.whenShown(tell);
    else tell();
  }

  /** Viewers of this process's sessions signal here, on the page's own origin. */
  signalUrl(): null {
    return null;
  }

  /** Ends live sessions and waits for every teardown, including ones already under way. */
  async shutdown(): Promise<void> {
    const all = [...this.sessions.values()];
    for (const s of all) if (s.lifecycle.state !== 'ended') s.runtime.end('server shutdown');
    await Promise.all(all.map((s) => s.runtime.whenStopped()));
    await Promise.all(all.map((s) => s.recordingDone));
  }

  /** How many sessions are in each state, and each live one's host PIDs: for the operator's metrics (no ids). */
  census(): { states: Record<SessionState, number>; pids: number[][] } {
    const states = Object.fromEntries(SessionState.options.map((state) => [state, 0])) as Record<SessionState, number>;
    states.starting += this.admittedNotRegistered();
    const live = this.live(() => true);
    for (const s of live) states[s.lifecycle.state]++;
    return { states, pids: live.map((s) => s.runtime.pids()) };
  }

  /** What the session's app has reported so far (most recent last). */
  claimsOf(id: string): AppClaim[] {
    return [...(this.sessions.get(id)?.claims ?? [])];
  }

  private live(which: (launch: Launch) => boolean): Session[] {
    return [...this.sessions.values()].filter((s) => s.lifecycle.state !== 'ended' && which(s.plan.launch));
  }

  private info(s: Session): SessionInfo {
    return {
      id: s.plan.sessionId,
      appId: s.plan.app.id,
      state: s.lifecycle.state,
      createdAt: s.createdAt.toISOString(),
      display: { ...s.plan.app.manifest.video },
      shareId: s.plan.launch.shareId,
      ...(s.endReason ? { endReason: s.endReason } : {}),
    };
  }
}
