/**
 * Keeps a viewer connected to its session across what a person should not have to handle: a
 * dropped connection is rejoined, a server restart is waited out and the app opened again, and
 * "Use here" takes the session from another tab. One WebRtcSession at a time does the streaming;
 * this decides when to make the next one (rules in reconnect.ts).
 */
import type { ControlAction, InputEvent, SessionEndReason, SessionInfo } from '@vitrine/protocol';
import { errorMessage } from '../shared/api.ts';
import type { CodecChoice } from './codecPreferences.ts';
import type { QualityNotice } from './networkQuality.ts';
import { GIVE_UP_AFTER_MS, reconnectDelay, recoveryFor, reopenFailureIsPassing, stepAfterProbe } from './reconnect.ts';
import type { StreamStats } from './stats.ts';
import { reopenCause, type Recovery, type SessionEnd, type ViewerState } from './viewerState.ts';
import type { Participants, WebRtcSessionOptions } from './webrtcSession.ts';

/** What the supervisor needs of one connection (a WebRtcSession; a fake in tests). */
export interface Connection {
  readonly state: ViewerState;
  readonly everStreamed: boolean;
  start(): void;
  dispose(): void;
  /** Ends the session for good (bye + DELETE). */
  end(): Promise<void>;
  sendInput(event: InputEvent): boolean;
  setViewport(size: { width: number; height: number }): void;
  /** Take the controls (a watcher) or hand them back. */
  control?(action: ControlAction): void;
}

export interface SupervisorEvents {
  onState: (state: ViewerState) => void;
  /** The session is over for this page (null: a new try cleared an earlier end). */
  onEnd: (end: SessionEnd | null) => void;
  onRecovery: (recovery: Recovery | null) => void;
  onAppReady: () => void;
  onWarning?: (message: string) => void;
  onStats?: (stats: StreamStats) => void;
  onQuality?: (notice: QualityNotice) => void;
  /** A new connection is the one streaming (for the debug handles). */
  onConnection?: (connection: Connection) => void;
  /** The session ended with a server restart (or its worker's loss, `reason`) and the same app was opened again as `session`. */
  onReopened: (session: SessionInfo, reason: SessionEndReason) => void;
  onParticipants?: (participants: Participants) => void;
}

export interface SupervisorOptions extends SupervisorEvents {
  sessionId: string;
  codec: CodecChoice | null;
  video: HTMLVideoElement;
  viewerId: string;
  /** Watching a client's session (the share's owner): it is rejoined, never opened again. */
  watch?: boolean;
  connect: (opts: WebRtcSessionOptions) => Connection;
  /** GET /api/sessions/:id. */
  probe: (sessionId: string) => Promise<SessionInfo>;
  /** POST /api/sessions: the same app on the same share. */
  reopen: (appId: string, shareId: string | undefined) => Promise<SessionInfo>;
  /** DELETE /api/sessions/:id, when the person ends a session no connection is open to. */
  remove: (sessionId: string) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export class StreamSupervisor {
  #o: SupervisorOptions;
  #conn: Connection | null = null;
  #end: SessionEnd | null = null;
  #recovery: Recovery | null = null;
  #giveUpAt: number | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #streamedOnce = false;
  #viewport: { width: number; height: number } | null = null;
  #disposed = false;

  constructor(opts: SupervisorOptions) {
    this.#o = opts;
  }

  get end(): SessionEnd | null {
    return this.#end;
  }
  get recovery(): Recovery | null {
    return this.#recovery;
  }

  start(): void {
    if (!this.#conn && !this.#disposed) this.#connect(false);
  }

  /** "Use here": take the session from the other tab or device. */
  takeOver(): void {
    if (this.#disposed) return;
    this.#setEnd(null);
    this.#connect(true);
  }

  /** After giving up: try to get the session back now. */
  retry(): void {
    if (this.#disposed) return;
    this.#setEnd(null);
    this.#giveUpAt = null;
    this.#recover('reconnecting', 0);
  }

  sendInput(event: InputEvent): void {
    this.#conn?.sendInput(event);
  }

  control(action: ControlAction): void {
    this.#conn?.control?.(action);
  }

  setViewport(size: { width: number; height: number }): void {
    this.#viewport = size;
    this.#conn?.setViewport(size);
  }

  /** The person ends the session: through the connection if one is open, else directly. */
  async endSession(): Promise<void> {
    const conn = this.#conn;
    const open = conn !== null && !this.#end && !this.#recovery;
    this.#clearTimer();
    this.#setRecovery(null);
    if (open) {
      await conn.end();
      return;
    }
    await this.#o.remove(this.#o.sessionId);
    this.#setEnd({ kind: 'user', reason: 'user ended', message: 'You ended the session.' });
  }

  dispose(): void {
    this.#disposed = true;
    this.#clearTimer();
    this.#conn?.dispose();
    this.#conn = null;
  }

  #connect(takeOver: boolean): void {
    this.#conn?.dispose();
    const o = this.#o;
    const conn: Connection = o.connect({
      sessionId: o.sessionId,
      codec: o.codec,
      video: o.video,
      viewerId: o.viewerId,
      takeOver,
      ...(o.watch ? { watch: true } : {}),
      onParticipants: (p) => conn === this.#conn && o.onParticipants?.(p),
      onState: (state) => {
        if (conn !== this.#conn) return;
        if (state === 'streaming') {
          this.#streamedOnce = true;
          this.#giveUpAt = null;
          this.#setRecovery(null);
        }
        o.onState(state);
      },
      onEnd: (end) => {
        if (conn === this.#conn) this.#onEnd(conn, end);
      },
      onAppReady: () => {
        if (conn === this.#conn) o.onAppReady();
      },
      onWarning: (m) => conn === this.#conn && o.onWarning?.(m),
      onStats: (s) => conn === this.#conn && o.onStats?.(s),
      onQuality: (q) => conn === this.#conn && o.onQuality?.(q),
    });
    this.#conn = conn;
    if (this.#viewport) conn.setViewport(this.#viewport);
    o.onConnection?.(conn);
    conn.start();
  }

  #onEnd(conn: Connection, end: SessionEnd): void {
    if (this.#disposed) return;
    // Rejoining, the session may have ended meanwhile: its record says whether it ended with a restart.
    const kind =
      this.#recovery && end.kind === 'unknown-session'
        ? this.#recovery.kind
        : recoveryFor(end, conn.everStreamed || this.#streamedOnce);
    if (!kind) {
      this.#setRecovery(null);
      this.#setEnd(end);
      return;
    }
    this.#recover(kind, this.#recovery?.attempt ?? 0, end);
  }

  #recover(kind: Recovery['kind'], attempt: number, end?: SessionEnd): void {
    const now = this.#now();
    this.#giveUpAt ??= now + GIVE_UP_AFTER_MS;
    if (now >= this.#giveUpAt && end) {
      this.#setRecovery(null);
      this.#setEnd(end);
      return;
    }
    // A restart stays a restart while the server is away; a reconnect may learn it was one.
    const shown = this.#recovery?.kind === 'restarting' && kind === 'reconnecting' ? 'restarting' : kind;
    this.#setRecovery({ kind: shown, attempt });
    this.#o.onState('reconnecting');
    this.#schedule(() => void this.#probe(), reconnectDelay(attempt, this.#o.random));
  }

  async #probe(): Promise<void> {
    const recovery = this.#recovery;
    if (this.#disposed || !recovery) return;
    const attempt = recovery.attempt + 1;
    this.#setRecovery({ ...recovery, attempt });
    let step;
    try {
      step = stepAfterProbe({ info: await this.#o.probe(this.#o.sessionId) });
    } catch (error) {
      step = stepAfterProbe({ error });
    }
    if (this.#disposed || this.#recovery === null) return;
    switch (step.do) {
      case 'rejoin':
        this.#connect(false);
        return;
      case 'reopen':
        // A watcher does not open the client's app: the client's own viewer does, if it comes back.
        if (this.#o.watch) {
          this.#setRecovery(null);
          this.#setEnd({
            kind: 'server-bye',
            reason: step.reason,
            message: `${reopenCause(step.reason)}, which ended the session you were watching.`,
          });
          return;
        }
        await this.#reopen(step, attempt);
        return;
      case 'wait':
        this.#waitOrGiveUp(attempt);
        return;
      case 'end':
        this.#setRecovery(null);
        this.#setEnd(step.end);
        return;
    }
  }

  async #reopen(
    { appId, shareId, reason }: { appId: string; shareId: string | undefined; reason: SessionEndReason },
    attempt: number,
  ): Promise<void> {
    this.#setRecovery({ kind: 'reopening', attempt });
    try {
      const session = await this.#o.reopen(appId, shareId);
      if (!this.#disposed) this.#o.onReopened(session, reason);
    } catch (err) {
      if (this.#disposed) return;
      if (reopenFailureIsPassing(err)) {
        this.#waitOrGiveUp(attempt);
        return;
      }
      this.#setRecovery(null);
      this.#setEnd({
        kind: 'reopen-failed',
        message: `${reopenCause(reason)}, which ended the session, and it could not be opened again: ${errorMessage(err)}`,
      });
    }
  }

  #waitOrGiveUp(attempt: number): void {
    if (this.#giveUpAt !== null && this.#now() >= this.#giveUpAt) {
      this.#setRecovery(null);
      this.#setEnd({
        kind: 'unreachable',
        message: 'The server has not come back yet. Try again in a moment.',
      });
      return;
    }
    const recovery = this.#recovery;
    if (!recovery) return;
    this.#setRecovery({ ...recovery, attempt });
    this.#schedule(() => void this.#probe(), reconnectDelay(attempt, this.#o.random));
  }

  #schedule(run: () => void, ms: number): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      run();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #setRecovery(recovery: Recovery | null): void {
    if (this.#disposed) return;
    this.#recovery = recovery;
    this.#o.onRecovery(recovery);
  }

  #setEnd(end: SessionEnd | null): void {
    if (this.#disposed) return;
    this.#end = end;
    this.#o.onEnd(end);
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }
}
