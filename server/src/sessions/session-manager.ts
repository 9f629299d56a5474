import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Role, ServerSignal, SessionEndReason, SessionInfo, SessionState } from '@vitrine/protocol';
import type { AuditEntry } from '../audit/chain.ts';
import type { App } from '../apps/registry.ts';
import type { Config } from '../config/config.ts';
import { DomainError } from '../errors.ts';
import { listenControlChannel } from '../control/control-channel.ts';
import type { AppEvent } from '../control/messages.ts';
import { auditedSessionControl } from '../control/audited-control.ts';
import type { Grant } from '../sandbox/sandbox.ts';
import { resolveGrants, type Entitlement } from '../sandbox/policy.ts';
import { hostNodeRuntime } from '../sandbox/sandbox.ts';
import { turnCredentials } from '../webrtc/turn-credentials.ts';
import type { SessionStore } from './session-store.ts';
import { SessionRuntime, type RuntimeEnvironment, type RuntimeLog, type ViewerLink } from './runtime.ts';

export class SessionError extends DomainError {}

/** Who launches a session and what they are entitled to expose to it (resolved by the caller). */
export interface Launch {
  userId: string;
  userRole: Role;
  /** The sign-in that launched it: signing out ends the session. */
  signInId: string;
  shareId: string | null;
  entitlements: Entitlement[];
  /** The share's maximum session length, if any. */
  maxDurationMs: number | null;
  /** Whose storage the entitlements are in (the share's owner, or the owner themselves). */
  storageOwnerId: string | null;
  /** Burned into the video (the share's watermark): who is watching. Null: none. */
  watermark: string | null;
  /** Where the launch came from, carried onto the session's audit events. */
  origin?: { ip: string; userAgent: string | null; correlationId: string };
}

/** What the session manager needs from the rest of the server for apps' control channels. */
export interface ControlServices {
  /** Moves a host path inside an owner's storage to their trash. */
  trash(ownerId: string, hostPath: string): Promise<unknown>;
  /** Renames or moves inside an owner's storage. */
  move(ownerId: string, fromHostPath: string, toHostPath: string): Promise<unknown>;
  /** The owner's name for a host path ("Reports/q3.pdf"), for the audit trail; null if outside. */
  storagePath(ownerId: string, hostPath: string): string | null;
}

/** Where sessions report what happened: `record` is stored before it resolves, `note` shortly after. */
export interface SessionAudit {
  record(entry: AuditEntry): Promise<void>;
  note(entry: AuditEntry): void;
}

/** What a session's policy looks like on the audit trail (the owner's view of what was exposed). */
export interface LaunchRecord {
  id: string;
  appId: string;
  policy: {
    grants: Grant[];
    loopbackTcp: boolean;
    display: { width: number; height: number };
    limits: { memoryBytes: number; pids: number; cpu: number };
  };
}

/** What an app said the person did, as received (a claim, not a fact). */
export interface AppClaim extends AppEvent {
  at: string;
}

const MAX_CLAIMS_KEPT = 1000;

interface Session {
  id: string;
  app: App;
  launch: Launch;
  state: SessionState;
  createdAt: Date;
  endReason?: string;
  runtime: SessionRuntime;
  graceTimer?: NodeJS.Timeout;
  deadlineTimer?: NodeJS.Timeout;
  claims: AppClaim[];
  control?: { close(): void };
  peerConnectedAt?: number;
  /** The attached viewer's signaling (for warnings); unset while nobody watches. */
  viewer?: ((msg: ServerSignal) => void) | undefined;
  lastActivity: number;
  idleCheck?: NodeJS.Timeout;
  idleWarned: boolean;
}

/** Warnings come this long before a session is ended for idleness or its time limit (less for short limits). */
const WARNING_LEAD_MS = 60_000;
const IDLE_CHECK_MS = 1000;

export interface ManagerLog extends RuntimeLog {
  child(bindings: object): ManagerLog;
  error(obj: object, msg: string): void;
}

/** Creates, tracks and ends streamed sessions; owns the session directories under RUNTIME_DIR. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly config: Config;
  private readonly apps: Map<string, App>;
  private readonly log: ManagerLog;
  private readonly sessionsDir: string;
  private readonly env: RuntimeEnvironment;
  private readonly store: SessionStore;

  private readonly controlServices: ControlServices | undefined;
  private readonly audit: SessionAudit;

  constructor(
    config: Config,
    apps: Map<string, App>,
    env: RuntimeEnvironment,
    store: SessionStore,
    log: ManagerLog,
    audit: SessionAudit,
    controlServices?: ControlServices,
  ) {
    this.controlServices = controlServices;
    this.audit = audit;
    this.config = config;
    this.env = env;
    this.store = store;
    this.apps = apps;
    this.log = log;
    this.sessionsDir = path.join(config.RUNTIME_DIR, 'sessions');
  }

  /**
   * Removes what a crashed previous run left behind: session processes and directories, and
   * records its sessions that were still live as ended by the crash.
   */
  async recoverFromCrash(): Promise<void> {
    this.cleanupLeftovers();
    const crashed = await this.store.endAllLive('server crash');
    for (const c of crashed) {
      await this.audit.record({
        actor: c.userId && c.userRole ? { id: c.userId, role: c.userRole } : { id: null, role: 'system' },
        action: 'session.ended',
        target: { type: 'session', id: c.id },
        outcome: 'ok',
        reason: 'server crash',
        ownerId: c.ownerId,
        shareId: c.shareId,
        sessionId: c.id,
        detail: { app: c.appId, durationMs: c.endedAt.getTime() - c.createdAt.getTime() },
      });
    }
    if (crashed.length)
      this.log.warn({ sessions: crashed.map((c) => c.id) }, 'recorded sessions of a crashed run as ended');
  }

  private cleanupLeftovers(): { processes: number; dirs: number } {
    fs.mkdirSync(this.config.RUNTIME_DIR, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.config.RUNTIME_DIR, 0o700);
    fs.mkdirSync(this.sessionsDir, { recursive: true, mode: 0o700 });
    const marker = this.sessionsDir + path.sep;
    let processes = 0;
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      if (Number(pid) === process.pid) continue;
      let cmdline: string;
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (!cmdline.includes(marker)) continue;
      try {
        process.kill(Number(pid), 'SIGKILL');
        processes++;
      } catch {
        // already gone
      }
    }
    const dirs = fs.readdirSync(this.sessionsDir);
    for (const d of dirs) fs.rmSync(path.join(this.sessionsDir, d), { recursive: true, force: true });
    if (processes || dirs.length)
      this.log.warn({ processes, dirs: dirs.length }, 'removed leftovers of a previous run');
    return { processes, dirs: dirs.length };
  }

  /**
   * Starts `appId` for `launch`. `beforeStart` runs once the session is on record and before
   * anything is started (the launch goes on the audit trail there); if it throws, nothing starts.
   */
  async create(
    appId: string,
    launch: Launch,
    beforeStart: (launched: LaunchRecord) => Promise<void> = async () => {},
  ): Promise<SessionInfo> {
    const app = this.apps.get(appId);
    if (!app) throw new SessionError(404, 'unknown-app', `no app "${appId}"`);
    const live = [...this.sessions.values()].filter((s) => s.state !== 'ended').length;
    const mine = [...this.sessions.values()].filter((s) => s.state !== 'ended' && s.launch.userId === launch.userId);
    if (mine.length >= this.config.MAX_SESSIONS_PER_USER) {
      throw new SessionError(
        429,
        'too-many-sessions',
        `You already have ${mine.length} sessions open (at most ${this.config.MAX_SESSIONS_PER_USER}); end one first.`,
      );
    }
    if (live >= this.config.MAX_SESSIONS) {
      throw new SessionError(
        503,
        'busy',
        `the server is busy (${live} of ${this.config.MAX_SESSIONS} sessions in use); try again later`,
      );
    }
    const id = randomUUID();
    const { video, resources } = app.manifest;
    const log = this.log.child({ session: id, app: app.id });
    const policy = {
      sessionDir: path.join(this.sessionsDir, id),
      appDir: app.dir,
      binary: path.relative(app.dir, app.binaryPath),
      args: app.manifest.args,
      display: { width: video.width, height: video.height },
      grants: resolveGrants(app.manifest.permissions, launch.entitlements),
      loopbackTcp: app.manifest.network === 'loopback',
      nodeRuntime: app.manifest.runtime === 'node' ? hostNodeRuntime() : null,
      etcFiles: Object.fromEntries(
        Object.entries(app.manifest.etc).map(([inside, file]) => [`/etc/${inside}`, path.join(app.dir, file)]),
      ),
      // Offered only when this server can answer on it.
      controlSocket: this.controlServices !== undefined,
      limits: {
        memoryBytes: resources.memory ?? this.config.SANDBOX_MEMORY,
        pids: resources.pids ?? this.config.SANDBOX_PIDS,
        cpu: resources.cpu ?? this.config.SANDBOX_CPU,
      },
    };
    log.info(
      { policy, user: launch.userId, share: launch.shareId, degraded: this.env.sandbox.degraded },
      'session policy',
    );
    const runtime = new SessionRuntime(
      {
        sessionId: id,
        policy,
        framerate: video.framerate,
        bitrateKbps: this.config.VIDEO_BITRATE_KBPS,
        keyframeIntervalS: this.config.KEYFRAME_INTERVAL_S,
        inputRatePerSecond: this.config.INPUT_RATE_PER_SECOND,
        startTimeoutMs: this.config.SESSION_START_TIMEOUT_MS,
        watermark: launch.watermark,
        ice: {
          addresses: this.config.WEBRTC_ICE_ADDRESSES,
          portRange: this.config.WEBRTC_UDP_PORTS,
          publicIp: this.config.WEBRTC_PUBLIC_IP,
          iceServers: this.config.ICE_SERVERS,
          viewerIceServers: this.config.TURN_SECRET
            ? [
                {
                  urls: this.config.TURN_URLS,
                  ...turnCredentials(this.config.TURN_SECRET, id, this.config.TURN_TTL),
                },
              ]
            : [],
          transportPolicy: this.config.ICE_TRANSPORT_POLICY,
          privateCandidates: this.config.ICE_PRIVATE_CANDIDATES,
        },
      },
      this.env,
      log,
    );
    const session: Session = {
      id,
      app,
      launch,
      state: 'starting',
      createdAt: new Date(),
      runtime,
      claims: [],
      lastActivity: Date.now(),
      idleWarned: false,
    };
    // Recorded before anything starts: a session that is not on record never runs.
    await this.store.created({
      id,
      appId: app.id,
      createdAt: session.createdAt,
      policy,
      userId: launch.userId,
      shareId: launch.shareId,
    });
    try {
      await beforeStart({
        id,
        appId: app.id,
        policy: {
          grants: policy.grants,
          loopbackTcp: policy.loopbackTcp,
          display: policy.display,
          limits: policy.limits,
        },
      });
    } catch (err) {
      await this.store.ended(id, 'error', (err as Error).message);
      throw err;
    }
    this.sessions.set(id, session);
    const about = this.aboutSession(session);
    const persist = (what: string, p: Promise<void>) =>
      p.catch((err: Error) => log.error({ err: err.message }, `could not record session ${what}`));
    if (launch.maxDurationMs !== null) {
      const limit = launch.maxDurationMs;
      const lead = Math.min(WARNING_LEAD_MS, limit / 2);
      session.deadlineTimer = setTimeout(() => {
        session.viewer?.({ type: 'warning', reason: 'time limit', secondsLeft: Math.round(lead / 1000) });
        session.deadlineTimer = setTimeout(() => runtime.end('time limit'), lead);
      }, limit - lead);
    }
    session.idleCheck = setInterval(() => this.checkIdle(session), IDLE_CHECK_MS);
    runtime.onEnded((reason, detail) => {
      clearTimeout(session.graceTimer);
      clearTimeout(session.deadlineTimer);
      clearInterval(session.idleCheck);
      session.control?.close();
      session.state = 'ended';
      session.endReason = reason;
      log.info({ reason, detail }, 'session ended');
      const sent = runtime.sent();
      this.audit
        .record({
          ...about,
          action: 'session.ended',
          outcome: reason === 'error' || reason === 'encoder failed' ? 'failed' : 'ok',
          reason,
          detail: {
            app: app.id,
            durationMs: Date.now() - session.createdAt.getTime(),
            framesSent: sent.frames,
            bytesSent: sent.bytes,
            ...(detail ? { detail } : {}),
          },
        })
        .catch((err: Error) => log.error({ err: err.message }, 'could not record the end of the session'));
      void persist('end', this.store.ended(id, reason, detail));
      // Keep ended sessions briefly so a late GET can report why; then forget them.
      setTimeout(() => this.sessions.delete(id), 60_000).unref();
    });
    runtime.onViewer((event) => {
      if (session.state === 'ended') return;
      this.audit.note({
        ...about,
        action: event === 'connected' ? 'session.peer-connected' : 'session.peer-disconnected',
        outcome: 'ok',
        detail:
          event === 'connected'
            ? { codec: runtime.stats().codec }
            : { connectedMs: Date.now() - (session.peerConnectedAt ?? Date.now()) },
      });
      if (event === 'connected') {
        session.peerConnectedAt = Date.now();
        session.state = 'streaming';
        clearTimeout(session.graceTimer);
        void persist('state', this.store.stateChanged(id, 'streaming'));
      } else {
        session.state = 'ready';
        void persist('state', this.store.stateChanged(id, 'ready'));
        session.viewer = undefined;
        this.armGrace(session);
      }
    });
    try {
      await runtime.start();
    } catch (err) {
      runtime.end('error', (err as Error).message);
      throw new SessionError(500, 'start-failed', `the app could not be started: ${(err as Error).message}`);
    }
    if (session.state === 'ended') {
      throw new SessionError(500, 'start-failed', `the app ended during start-up (${session.endReason})`);
    }
    if (policy.controlSocket) await this.openControlChannel(session, policy.sessionDir, policy.grants, log, about);
    session.state = 'ready';
    void persist('state', this.store.stateChanged(id, 'ready'));
    this.armGrace(session);
    log.info({ display: video }, 'session ready');
    return this.info(session);
  }

  /** Live sessions of one user. */
  list(userId: string): SessionInfo[] {
    return [...this.sessions.values()]
      .filter((s) => s.state !== 'ended' && s.launch.userId === userId)
      .map((s) => this.info(s));
  }

  /** A live or recently ended session, else what the record says about an older one. */
  async get(id: string): Promise<(SessionInfo & { userId: string | null }) | undefined> {
    const s = this.sessions.get(id);
    if (s) return { ...this.info(s), userId: s.launch.userId };
    const row = await this.store.get(id);
    if (!row) return undefined;
    const app = this.apps.get(row.appId);
    return { ...row, display: app ? { ...app.manifest.video } : { width: 0, height: 0, framerate: 0 } };
  }

  /** Who launched a live session (for authorization), or undefined if it is not live here. */
  userOf(id: string): string | undefined {
    const s = this.sessions.get(id);
    return s && s.state !== 'ended' ? s.launch.userId : undefined;
  }

  /** Share ids of live sessions, so their shares can be re-checked. */
  liveShareIds(): string[] {
    const ids = new Set<string>();
    for (const s of this.sessions.values()) if (s.state !== 'ended' && s.launch.shareId) ids.add(s.launch.shareId);
    return [...ids];
  }

  /** Ends every live session matching `which` (a revoked share, a signed-out browser...). */
  endWhere(which: (launch: Launch) => boolean, reason: SessionEndReason): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      if (s.state !== 'ended' && which(s.launch)) {
        s.runtime.end(reason);
        n++;
      }
    }
    return n;
  }

  liveCount(which: (launch: Launch) => boolean): number {
    return [...this.sessions.values()].filter((s) => s.state !== 'ended' && which(s.launch)).length;
  }

  runtimeOf(id: string): SessionRuntime | undefined {
    return this.sessions.get(id)?.runtime;
  }

  end(id: string, reason: SessionEndReason): boolean {
    const s = this.sessions.get(id);
    if (!s || s.state === 'ended') return false;
    s.runtime.end(reason);
    return true;
  }

  /** Binds a viewer's signaling transport to a session, or explains why not. */
  attachViewer(id: string, send: (msg: ServerSignal) => void): ViewerLink {
    const s = this.sessions.get(id);
    if (!s || s.state === 'ended') throw new SessionError(404, 'unknown-session', 'no such session');
    if (s.viewer) throw new SessionError(409, 'viewer-exists', 'this session already has a viewer');
    s.viewer = send;
    clearTimeout(s.graceTimer);
    const endListener = (reason: SessionEndReason, detail?: string) =>
      send({ type: 'bye', reason, ...(detail ? { detail } : {}) });
    s.runtime.onEnded(endListener);
    try {
      return s.runtime.attachViewer(send);
    } catch (err) {
      s.viewer = undefined;
      throw new SessionError(409, 'viewer-exists', (err as Error).message);
    }
  }

  /** Ends live sessions and waits for every teardown, including ones already under way. */
  async shutdown(): Promise<void> {
    const all = [...this.sessions.values()];
    for (const s of all) if (s.state !== 'ended') s.runtime.end('server shutdown');
    await Promise.all(all.map((s) => s.runtime.whenStopped()));
  }

  /** What the session's app has reported so far (most recent last). */
  claimsOf(id: string): AppClaim[] {
    return [...(this.sessions.get(id)?.claims ?? [])];
  }

  /** The audit fields every event of this session shares: who runs it, on whose files, from where. */
  private aboutSession(s: Session): Omit<AuditEntry, 'action' | 'outcome'> {
    return {
      actor: { id: s.launch.userId, role: s.launch.userRole },
      target: { type: 'session', id: s.id },
      ownerId: s.launch.storageOwnerId,
      shareId: s.launch.shareId,
      sessionId: s.id,
      ...(s.launch.origin ?? {}),
    };
  }

  private async openControlChannel(
    s: Session,
    sessionDir: string,
    grants: Grant[],
    log: ManagerLog,
    about: Omit<AuditEntry, 'action' | 'outcome'>,
  ): Promise<void> {
    const services = this.controlServices;
    if (!services) return;
    try {
      s.control = await listenControlChannel(
        path.join(sessionDir, 'control', 'control.sock'),
        auditedSessionControl({
          grants,
          storageOwnerId: s.launch.storageOwnerId,
          services,
          audit: this.audit,
          about,
          onClaim: (event) => {
            const claim = { ...event, at: new Date().toISOString() };
            s.claims.push(claim);
            if (s.claims.length > MAX_CLAIMS_KEPT) s.claims.shift();
            log.info({ claim }, 'app claim');
          },
        }),
        log,
      );
    } catch (err) {
      // The app still runs; it just cannot report or ask for anything.
      log.warn({ err: (err as Error).message }, 'no control channel for this session');
      return;
    }
    if (s.state === 'ended') s.control.close();
  }

  /** Ends a session nobody has used for SESSION_IDLE_TIMEOUT, after a warning. */
  private checkIdle(s: Session): void {
    if (s.state === 'ended') return;
    const input = s.runtime.stats().input?.lastInputAt;
    if (input !== undefined && input > s.lastActivity) {
      s.lastActivity = input;
      s.idleWarned = false;
    }
    const idleMs = this.config.SESSION_IDLE_TIMEOUT;
    const lead = Math.min(WARNING_LEAD_MS, idleMs / 2);
    const idle = Date.now() - s.lastActivity;
    if (idle >= idleMs) {
      s.runtime.end('idle timeout');
    } else if (idle >= idleMs - lead && !s.idleWarned) {
      s.idleWarned = true;
      s.viewer?.({ type: 'warning', reason: 'idle timeout', secondsLeft: Math.ceil((idleMs - idle) / 1000) });
    }
  }

  private armGrace(s: Session): void {
    clearTimeout(s.graceTimer);
    s.graceTimer = setTimeout(() => s.runtime.end('peer gone'), this.config.PEER_GRACE_MS);
  }

  private info(s: Session): SessionInfo {
    const { video } = s.app.manifest;
    return {
      id: s.id,
      appId: s.app.id,
      state: s.state,
      createdAt: s.createdAt.toISOString(),
      display: { ...video },
      shareId: s.launch.shareId,
      ...(s.endReason ? { endReason: s.endReason } : {}),
    };
  }
}
