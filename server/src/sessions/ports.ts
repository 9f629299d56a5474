import type { ControlAction, ErrorCode, SessionEndReason, SessionInfo, ViewerRole } from '@vitrine/protocol';
import type { Actor } from '../policies/policies.ts';
import type { LiveRecording } from '../recording/recording-service.ts';
import type { App } from '../apps/registry.ts';
import type { ControlChannel, ControlHandlers } from '../control/control-channel.ts';
import type { AppClaim } from '../control/ports.ts';
import type { DeferredControl } from '../control/deferred-control.ts';
import type { LaunchPlan, RuntimeSpec } from '../launch/plan.ts';
import type { AttentionChange } from './attention.ts';
import type { Clock } from './lifecycle.ts';
import type { RuntimeHandle } from './runtime.ts';

/** What a session's control channel hears from the session itself. */
export interface ControlHooks {
  /** Each claim the app makes, once validated. */
  onClaim: (claim: AppClaim) => void;
  /** The `init` each connection hears, and the app's own resize requests. */
  session: Required<Pick<ControlHandlers, 'hello' | 'resize'>>;
  /** The socket the session's warm sandbox opened before the session existed (sessions/warm-pool.ts). */
  adopt?: DeferredControl | undefined;
}

/** What the session registry is given by the composition root. */
export interface SessionManagerDeps {
  limits: { maxSessions: number; maxPerUser: number };
  /** Makes (does not start) the runtime of a planned session. */
  runtime: (spec: RuntimeSpec) => RuntimeHandle;
  /** Opens the session's control channel; absent when this server answers on none. */
  openControl?: ((plan: LaunchPlan, hooks: ControlHooks) => Promise<ControlChannel>) | undefined;
  observers: SessionObserver[];
  /** Ended sessions of earlier runs, for GET of an old session. */
  records: { get(id: string): Promise<(Omit<SessionInfo, 'display'> & { userId: string | null }) | undefined> };
  findApp: (id: string) => App | undefined;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  clock?: Clock;
  /** No input for this long and the person counts as away (reading time); default 2 minutes. */
  attentionIdleMs?: number;
  /**
   * Starts recording a session whose share asks for it (undefined: not recorded), or throws: a
   * recorded share's session does not run unrecorded. `failed`: writing failed later.
   */
  record?: (
    plan: LaunchPlan,
    videoClock: (ms: number) => number,
    failed: (reason: string) => void,
  ) => Promise<LiveRecording | undefined>;
}

/**
 * What the session registry tells the rest of the server. Persistence and the audit trail are
 * observers of these; the registry itself knows neither SQL nor the audit format.
 */
export interface SessionObserver {
  /** Before anything of the session starts; a rejection stops the launch (nothing runs unrecorded). */
  launched?(plan: LaunchPlan, createdAt: Date): Promise<void>;
  /** Admission refused the launch (the server or the person at their limit); nothing started. */
  refused?(plan: LaunchPlan, code: ErrorCode): void;
  /** A started launch failed; `code` is what its caller was told. */
  startFailed?(plan: LaunchPlan, code: ErrorCode): void;
  /** The app has drawn and the client's stream runs: its first picture is on the way, this long after the launch. */
  firstFrame?(plan: LaunchPlan, sinceLaunchMs: number): void;
  stateChanged?(plan: LaunchPlan, state: 'ready' | 'streaming'): void;
  viewerConnected?(plan: LaunchPlan, codec: string | undefined): void;
  viewerGone?(plan: LaunchPlan, connectedMs: number): void;
  /** The person went away from the session (a hidden tab, no input for a while) or came back. */
  attentionChanged?(plan: LaunchPlan, change: AttentionChange): void;
  ended?(plan: LaunchPlan, end: SessionEnd): void;
  /** A watcher joined or left: this many watch now. */
  watchersChanged?(plan: LaunchPlan, count: number): void;
  /** A watcher took the controls, or they went back to the client. */
  controlChanged?(plan: LaunchPlan, change: { action: ControlAction; by: { userId: string; role: ViewerRole } }): void;
}

export interface SessionEnd {
  reason: SessionEndReason;
  detail: string | undefined;
  durationMs: number;
  sent: { frames: number; bytes: number };
}

/**
 * The sessions as the web/API tier acts on them: the SessionManager of this process (ROLE=all,
 * or a worker), or the sessions its workers run (ROLE=api, workers/remote-sessions.ts).
 */
export interface SessionDirectory {
  admit(plan: LaunchPlan): { start(): Promise<SessionInfo>; cancel(): void };
  list(userId: string): SessionInfo[];
  get(id: string): Promise<(SessionInfo & { userId: string | null }) | undefined>;
  watchInfo(id: string): { userId: string; ownerId: string | null; liveView: boolean } | undefined;
  watchable(ownerId: string): Array<SessionInfo & { clientId: string; watchers: number }>;
  statsOf(id: string): unknown;
  end(id: string, reason: SessionEndReason): boolean | Promise<boolean>;
  endWhere(which: (launch: LaunchPlan['launch']) => boolean, reason: SessionEndReason): number;
  liveCount(which: (launch: LaunchPlan['launch']) => boolean): number;
  liveShareIds(): string[];
  census(): { states: Record<SessionInfo['state'], number>; pids: number[][] };
  /** Where a viewer opens this session's signaling: null here (this process), else a worker's URL with a ticket. */
  signalUrl(id: string, actor: Actor): string | null;
  shutdown(): Promise<void>;
}
