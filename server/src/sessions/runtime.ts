import {
  fitVideoSize,
  type ClientSignal,
  type ControlAction,
  type ServerSignal,
  type SessionEndReason,
  type ViewerRole,
} from '@vitrine/protocol';
import { XDisplay } from '../desktop/x-display.ts';
import { InputChannel } from '../input/input-channel.ts';
import { InputInjector } from '../input/injector.ts';
import { readFramebufferLayout } from '../media/framebuffer.ts';
import { VideoPipeline, type PipelineStats } from '../media/video-pipeline.ts';
import type { LinkTally } from '../webrtc/link-tally.ts';
import type { VideoCodec } from '../media/encoder.ts';
import type { Encoding } from '../congestion/encoding-ladder.ts';
import { lowestEncoding, sameEncoding } from '../congestion/shared-stream.ts';
import type { RecordingSink } from '../recording/session-recorder.ts';
import { stampLines } from '../media/watermark.ts';
import { WatermarkImages } from '../media/watermark-images.ts';
import type { SandboxHandle, SandboxHost } from '../sandbox/sandbox.ts';
import { startSandbox } from '../sandbox/start-sandbox.ts';
import type { DeferredControl } from '../control/deferred-control.ts';
import type { WarmSandbox } from './warm-pool.ts';
import { ViewerPeer } from '../webrtc/peer.ts';
import { StreamAdaptation } from '../congestion/stream-adaptation.ts';
import { AudioPipeline, type AudioStats } from '../audio/audio-pipeline.ts';
import { linearRtpClock } from '../webrtc/sender-report-clock.ts';
import { ResourceWatch } from '../sandbox/resource-watch.ts';
import { removeSessionFolder } from '../sandbox/session-mounts.ts';
import type { InputStats } from '../input/input-channel.ts';
import path from 'node:path';
import type { RuntimeSpec } from '../launch/plan.ts';
import { FirstPictureWatch, samplePicture, showsContent } from './app-readiness.ts';
import { logTail } from '../sandbox/log-tail.ts';
import { appEndReason, shutdownGraceMs } from './app-shutdown.ts';

/** A viewer resizing its window is followed at most this often (each resize restarts the encoder). */
const RESIZE_INTERVAL_MS = 250;
/** A viewer that has not said its size by then is shown the picture as it is. */
const VIEWPORT_WAIT_MS = 1500;
/** A window redrawing at the viewer's size longer than this is shown as it is. */
const REDRAW_WAIT_MS = 2500;
/** A starting sandbox's extra CPU weight ends with the app's first picture, or after this. */
const STARTING_WEIGHT_MS = 10_000;
/** Opus for a session's sound: transparent for music at a fraction of the video's rate. */
const AUDIO_BITRATE_KBPS = 96;

/** What the machine running sessions provides (detected there, never sent over the wire). */
/** How often the sandbox's cgroup counters are read (sandbox/resource-watch.ts). */
const RESOURCE_CHECK_MS = 1000;

export interface RuntimeEnvironment {
  sandbox: SandboxHost;
  ffmpegPath: string;
  /** A session at its whole CPU quota for this long is ended (0: never); see sandbox/resource-watch.ts. */
  cpuAbuseAfterMs: number;
  /** A still picture's or silent sound's encoder stops after this long (0: never); media/video-pipeline.ts, audio/audio-pipeline.ts. */
  encoderIdleStopMs: number;
  /** Where the viewers' links are counted for the operator's metrics. */
  links?: LinkTally | undefined;
  /** How long an app may take to exit after `shutdown` and SIGTERM before it is killed (app-shutdown.ts). */
  appShutdownGraceMs?: number | undefined;
  /** Sandboxes started before their sessions (warm-pool.ts): a session that fits one takes it. */
  warm?: { take(spec: RuntimeSpec): WarmSandbox | undefined } | undefined;
}

/** The picture as the app is told of it (its control channel's `init` and `resize`). */
export interface PictureState {
  width: number;
  height: number;
  /** It follows the viewer's window (and the app may ask for a size). */
  resizable: boolean;
}

export interface RuntimeLog {
  trace?(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ViewerLink {
  /** Feeds one validated signaling message from the viewer; rejects with a viewer-facing reason. */
  handle(msg: ClientSignal): Promise<void>;
  /** The viewer's transport went away (socket closed). */
  detach(): void;
  /**
   * Calls back once the picture at this viewer's size shows the app: at once, or, for an app that
   * follows the viewer, after its window was resized to the viewer and has drawn again.
   */
  whenShown?(listener: () => void): void;
  /** Who drives the input: `take` (a watcher) or `hand-back` (to the client); false when nothing changed. */
  control?(action: ControlAction): boolean;
}

export interface RuntimeStats {
  /** Memory of the whole sandbox (cgroup), when cgroups are available. */
  memoryBytes?: number | undefined;
  codec?: string;
  connected: boolean;
  /** Viewers connected: the client and any watchers. */
  viewers?: number;
  video?: PipelineStats;
  input?: InputStats;
  /** The session's sound, when its app asked for sound. */
  audio?: AudioStats;
}

/** A running session as the registry drives it: one encoded stream for its viewers, one end. */
export interface RuntimeHandle {
  start(): Promise<void>;
  /** Before `start`: the session's recording is fed everything sent and everything done. */
  record?(sink: RecordingSink): void;
  /** The session's video clock (what a recording maps its timestamps with). */
  readonly videoClock?: (ms: number) => number;
  /** A viewer: the session's client (one), or a watcher (view-only until it takes control). */
  attachViewer(send: (msg: ServerSignal) => void, role?: ViewerRole): ViewerLink;
  onEnded(listener: (reason: SessionEndReason, detail?: string) => void): void;
  /** The client's viewer connected or went (a watcher's coming and going is the registry's own business). */
  onViewer(listener: (event: 'connected' | 'gone') => void): void;
  onActivity(listener: () => void): void;
  /** Once: the app has drawn its first real picture (app-readiness.ts). */
  onAppReady(listener: () => void): void;
  /** Who watches besides the client (their names go on the watermark's stamps). */
  setWatchers?(names: string[]): void;
  /** The picture now: what the app's `init` says. */
  pictureState?(): PictureState;
  /** Each new picture size (the viewer's window, or the app's own request). */
  onPictureResized?(listener: (size: { width: number; height: number }) => void): void;
  /** The app asks for its picture to be this size: granted within the session's limits, or refused. */
  requestPicture?(size: { width: number; height: number }): { ok: true } | { ok: false; message: string };
  /** A graceful end begins: the app is to be told (`shutdown`) that it has this long. */
  onShutdown?(listener: (reason: SessionEndReason, graceMs: number) => void): void;
  /** Started warm: the control socket its sandbox opened before the session (bound, not opened, by the session). */
  warmControl?(): DeferredControl | undefined;
  stats(): RuntimeStats;
  sent(): { frames: number; bytes: number };
  pids(): number[];
  end(reason: SessionEndReason, detail?: string): void;
  whenStopped(): Promise<void>;
}

/** One connected viewer: its peer, its input channel, and what its own network allows. */
interface Attached {
  peer: ViewerPeer;
  role: ViewerRole;
  input: InputChannel;
  /** Its congestion controller's latest choice; the one encoder follows the lowest of all viewers'. */
  encoding: Encoding | undefined;
}

/**
 * One running session: sandbox (private display + app), damage-driven video pipeline,
 * input injection and its WebRTC viewers: the client, and watchers (the share's owner) who get
 * the same encoded stream. Callers see only this narrow handle, so the runtime can later live on
 * a separate worker machine.
 */
export class SessionRuntime implements RuntimeHandle {
  /** As planned; a warm start moves its session folder to the warm sandbox's. */
  private spec: RuntimeSpec;
  private warm: WarmSandbox | undefined;
  private readonly env: RuntimeEnvironment;
  private readonly log: RuntimeLog;
  private sandbox: SandboxHandle | undefined;
  private display: XDisplay | undefined;
  private framebuffer: ReturnType<typeof readFramebufferLayout> | undefined;
  private injector: InputInjector | undefined;
  private pipeline: VideoPipeline | undefined;
  /** What video frames are stamped with, the same for every viewer and every pipeline of the session. */
  readonly videoClock = linearRtpClock(90000);
  /** The app's sound (manifest `audio`): read for the session's life, encoded while heard. */
  private audio: AudioPipeline | undefined;
  private readonly sentBefore = { frames: 0, bytes: 0 };
  private watermark: WatermarkImages | undefined;
  /** The stamps' words for who watches besides the client (the session's label, id and start are fixed). */
  private stamp: ((watchers: string[]) => string[]) | undefined;
  /** Every connected viewer; `client` is the session's own, `controller` whose input reaches the app. */
  private readonly viewers = new Set<Attached>();
  private client: Attached | undefined;
  private controller: Attached | undefined;
  /** The codec the running stream is in (every viewer takes it); the encoding it is sent at. */
  private codec: VideoCodec | undefined;
  private streamEncoding: Encoding | undefined;
  private recorder: RecordingSink | undefined;
  private endedListeners: Array<(reason: SessionEndReason, detail?: string) => void> = [];
  private viewerListeners: Array<(event: 'connected' | 'gone') => void> = [];
  private activityListeners: Array<() => void> = [];
  private appReadyListeners: Array<() => void> = [];
  private pictureListeners: Array<(size: { width: number; height: number }) => void> = [];
  private shutdownListeners: Array<(reason: SessionEndReason, graceMs: number) => void> = [];
  private firstPicture: FirstPictureWatch | undefined;
  /** Where the one encoded stream goes: each connected viewer's peer. */
  private readonly sinks = new Set<ViewerPeer>();
  private ended = false;
  /** Teardown still in progress (encoders being killed), awaited by whenStopped(). */
  private stopping: Array<Promise<unknown>> = [];
  private picture: { width: number; height: number };
  /** Resizes requested by the viewer, applied at most every RESIZE_INTERVAL_MS (the latest wins). */
  private wantedPicture: { width: number; height: number } | undefined;
  private lastResizeAt = -Infinity;
  /**
   * While a viewer's first size is awaited or the window is redrawing at it: who waits for the
   * picture to show the app again. Chromium paints a resized window white until it has laid out
   * again; a viewer uncovering then showed a blank picture on a loaded machine (viewer-client, CI).
   */
  private settling: { watch?: FirstPictureWatch; timer: NodeJS.Timeout; waiters: Array<() => void> } | undefined;
  private resizeTimer: NodeJS.Timeout | undefined;
  /** Looks at the sandbox's cgroup once a second (and when it exits): a broken limit ends the session. */
  private resourceWatch: ResourceWatch | undefined;
  private resourceTimer: NodeJS.Timeout | undefined;

  constructor(spec: RuntimeSpec, env: RuntimeEnvironment, log: RuntimeLog) {
    this.spec = spec;
    this.env = env;
    this.log = log;
    const { display, window } = spec.policy;
    this.picture = { ...(spec.resizable && window ? window : display) };
  }

  /** The picture: the display, or its top-left part the app's window fills (it follows the viewer). */
  get size(): { width: number; height: number } {
    return { ...this.picture };
  }

  /** Starts sandbox and display; resolves when the display accepts input and damage is watched. */
  async start(): Promise<void> {
    const warm = this.env.warm?.take(this.spec);
    const sandbox =
      (warm && (await this.adoptWarm(warm))) ??
      (await startSandbox(this.env.sandbox, this.spec.policy, this.spec.startTimeoutMs, this.spec.sessionId));
    const { policy } = this.spec;
    if (this.ended) {
      // Ended while its shared folders were being mounted: end() had no sandbox to tear down.
      await sandbox.destroyed();
      this.warm?.control?.close();
      removeSessionFolder(policy.sessionDir);
      throw new Error('the session ended while starting');
    }
    this.sandbox = sandbox;
    // Its sandbox weighs more while the app starts (sandbox/cgroups.ts); at most this long.
    setTimeout(() => sandbox.cgroup?.started(), STARTING_WEIGHT_MS).unref();
    void this.sandbox.exited.then(({ code, signal, oomKilled }) => {
      const appLog = logTail(path.join(policy.sessionDir, 'log', 'app.log'), 500).trim();
      this.sandboxGone(
        appEndReason({ code, signal }),
        `exit ${code ?? signal}${appLog ? `: ${appLog}` : ''}`,
        oomKilled,
      );
    });
    this.watchResources();
    await this.sandbox.ready;
    const { watermark } = this.spec;
    if (watermark !== null) {
      // Drawn into the session folder itself, which is not mounted into the sandbox: the app
      // cannot change it. The stamps carry the session's start, not a running clock.
      const startedAt = new Date();
      this.stamp = (watchers) => stampLines(watermark.label, this.spec.sessionId, startedAt, watchers);
      this.watermark = new WatermarkImages({
        ffmpegPath: this.env.ffmpegPath,
        dir: policy.sessionDir,
        lines: this.stamp([]),
        style: { density: watermark.density, opacity: watermark.opacity },
      });
      // Drawn now for the first picture, so the first viewer does not wait (a failure is the pipeline's to report).
      this.watermark.imageFor(this.picture.width, this.picture.height).catch(() => {});
    }
    if (policy.audio) await this.startAudio();
    this.display = await XDisplay.connect(this.sandbox.xSocket, this.sandbox.xCookie);
    this.display.onClosed((err) =>
      this.sandboxGone('app crashed', err ? `display connection lost: ${err.message}` : 'display closed'),
    );
    // The file is written inside the sandbox: trust its header only if it matches our display.
    this.framebuffer = readFramebufferLayout(this.sandbox.framebuffer);
    if (this.framebuffer.width !== policy.display.width || this.framebuffer.height !== policy.display.height) {
      throw new Error(`framebuffer is ${this.framebuffer.width}x${this.framebuffer.height}, expected the display size`);
    }
    this.injector = new InputInjector(this.display, await this.display.getKeyboardMapping());
    const fb = this.framebuffer;
    this.firstPicture = new FirstPictureWatch(
      () => showsContent(samplePicture(fb.path, fb, this.readinessRegion())),
      () => {
        sandbox.cgroup?.started();
        for (const l of this.appReadyListeners) l();
      },
    );
    this.display.onDamage(() => {
      this.pipeline?.onScreenChanged();
      this.firstPicture?.changed();
      this.settling?.watch?.changed();
    });
    // The app may have drawn before damage was watched.
    this.firstPicture.changed();
    if (this.spec.resizable) await this.display.fitWindows(this.picture.width, this.picture.height);
  }

  /**
   * Takes a warm sandbox: its grants mounted into it now, and from here on it is this session's
   * (its folder, its CPU while the app draws the first picture). Undefined when it refused them:
   * it is stopped and the session starts cold.
   */
  private async adoptWarm(warm: WarmSandbox): Promise<SandboxHandle | undefined> {
    try {
      await warm.sandbox.bindGrants(this.spec.policy.grants, this.spec.policy.writeBudget ?? null);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'warm sandbox not usable: starting cold');
      void warm.destroy();
      return undefined;
    }
    this.warm = warm;
    this.spec = { ...this.spec, policy: { ...this.spec.policy, sessionDir: warm.dir } };
    warm.sandbox.cgroup?.starting();
    this.log.info({ sandbox: path.basename(warm.dir) }, 'started warm');
    return warm.sandbox;
  }

  warmControl(): DeferredControl | undefined {
    return this.warm?.control;
  }

  /** The sound server is up once the sandbox is ready; a session whose sound fails goes on without. */
  private async startAudio(): Promise<void> {
    const audio = new AudioPipeline({
      ffmpegPath: this.env.ffmpegPath,
      sessionDir: this.spec.policy.sessionDir,
      bitrateKbps: AUDIO_BITRATE_KBPS,
      idleStopMs: this.env.encoderIdleStopMs,
      onRtp: (pkt) => {
        for (const sink of this.sinks) sink.sendAudioRtp(pkt);
      },
      log: this.log,
    });
    this.audio = audio;
    try {
      await audio.start();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'no sound for this session');
      this.stopping.push(audio.stop());
      this.audio = undefined;
    }
  }

  private watchResources(): void {
    const cgroup = this.sandbox?.cgroup;
    if (!cgroup) return;
    const watch = new ResourceWatch(cgroup, { ...this.spec.policy.limits, cpuAbuseAfterMs: this.env.cpuAbuseAfterMs });
    this.resourceWatch = watch;
    this.resourceTimer = setInterval(() => {
      const breach = watch.check(performance.now());
      if (breach) this.end(breach.reason, breach.detail);
    }, RESOURCE_CHECK_MS);
    this.resourceTimer.unref();
  }

  /**
   * The sandbox's side went away: its process exited, or its display closed (which can be noticed
   * first when the sandbox is torn down). Either way, out of memory if the kernel's OOM killer
   * struck in its cgroup, or the limit it broke.
   */
  private sandboxGone(
    reason: 'app exited' | 'app crashed',
    detail: string,
    oomKilled = (this.sandbox?.cgroup?.oomKills() ?? 0) > 0,
  ): void {
    if (oomKilled) {
      this.end('out of memory', `memory limit ${this.spec.policy.limits.memoryBytes} bytes`);
      return;
    }
    // An app that gives up when fork fails exits before the next look: it still broke a limit.
    const breach = this.resourceWatch?.check(performance.now());
    if (breach) this.end(breach.reason, breach.detail);
    else this.end(reason, detail);
  }

  /**
   * Where the app's first picture is looked for: the picture, but for an app that follows the
   * viewer only the part its window covers both before and after a resize (it starts at
   * `policy.window` at 0,0), so the bare display uncovered while a resize is under way does not
   * pass for the app's drawing.
   */
  private readinessRegion(): { width: number; height: number } {
    const start = this.spec.resizable ? this.spec.policy.window : undefined;
    if (!start) return this.picture;
    return { width: Math.min(start.width, this.picture.width), height: Math.min(start.height, this.picture.height) };
  }

  /**
   * The viewer's video area is this many device pixels: an app that follows the viewer gets a
   * window of that size (within the server's limits) and the encoder captures just that region.
   * Bursts are coalesced: at most one resize every RESIZE_INTERVAL_MS, to the latest size asked.
   */
  private requestViewport(requested: { width: number; height: number }): void {
    const resizable = this.spec.resizable;
    if (!resizable || this.ended) return;
    this.wantedPicture = fitVideoSize(requested, resizable.max);
    if (this.resizeTimer) return;
    const wait = this.lastResizeAt + RESIZE_INTERVAL_MS - performance.now();
    if (wait <= 0) this.applyViewport();
    else this.resizeTimer = setTimeout(() => this.applyViewport(), wait);
  }

  private applyViewport(): void {
    this.resizeTimer = undefined;
    const want = this.wantedPicture;
    if (!want || this.ended || !this.display) return;
    if (want.width === this.picture.width && want.height === this.picture.height) {
      if (this.settling && !this.settling.watch) this.settled();
      return;
    }
    if (this.settling && this.framebuffer) {
      const fb = this.framebuffer;
      this.settling.watch?.stop();
      this.settling.watch = new FirstPictureWatch(
        () => showsContent(samplePicture(fb.path, fb, want)),
        () => this.settled(),
      );
      // Looked at until content has been seen steadily (a resize with no damage still ends).
      this.settling.watch.changed();
      clearTimeout(this.settling.timer);
      this.settling.timer = setTimeout(() => this.settled(), REDRAW_WAIT_MS);
    }
    this.lastResizeAt = performance.now();
    this.log.debug({ from: this.picture, to: want }, 'picture follows the viewer');
    this.picture = { ...want };
    for (const l of this.pictureListeners) l({ ...want });
    // The window first: the encoder then starts on a region the app is already redrawing.
    void this.display.fitWindows(want.width, want.height);
    for (const v of this.viewers) v.input.setDisplay(want);
    this.pipeline?.resize(want.width, want.height);
  }

  /** The picture shows the app at the viewer's size (or waiting for it took too long): tell who waits. */
  private settled(): void {
    const waiters = this.settling?.waiters ?? [];
    this.dropSettling();
    for (const w of waiters) w();
  }

  private dropSettling(): void {
    this.settling?.watch?.stop();
    clearTimeout(this.settling?.timer);
    this.settling = undefined;
  }

  /** Before `start`: everything sent is recorded, and every viewer is offered H.264 only (what it records). */
  record(sink: RecordingSink): void {
    this.recorder = sink;
  }

  attachViewer(send: (msg: ServerSignal) => void, role: ViewerRole = 'client'): ViewerLink {
    if (role === 'client' && this.client) throw new Error('session already has a viewer');
    if (this.ended || !this.display || !this.framebuffer || !this.injector) throw new Error('session is not running');
    if (role === 'client') {
      // An app that follows the viewer is resized to the client once it says its size (at once).
      // Who waited for an earlier client's picture is not told (that viewer is gone).
      this.dropSettling();
      if (this.spec.resizable) {
        this.settling = { timer: setTimeout(() => this.settled(), VIEWPORT_WAIT_MS), waiters: [] };
      }
    }
    const injector = this.injector;
    const framebuffer = this.framebuffer;
    // Each viewer's network decides how much of the stream it could take (server/src/congestion/);
    // the one encoder is sent at the lowest of them.
    const adaptation = new StreamAdaptation({
      limits: { minKbps: this.spec.minBitrateKbps, maxKbps: this.spec.bitrateKbps },
      maxFramerate: this.spec.framerate,
      now: () => performance.now(),
      apply: (encoding) => {
        me.encoding = encoding;
        peer.setTargetKbps(encoding.bitrateKbps);
        this.encodeForAll();
        this.log.debug({ encoding, role }, 'stream adapted to the network');
      },
      announce: (notice) => send({ type: 'quality', ...notice }),
      trace: (rate, encoding) => this.log.trace?.({ rate, encoding }, 'congestion control'),
    });
    const only = this.codec ?? (this.recorder ? 'h264' : undefined);
    const peer: ViewerPeer = new ViewerPeer(
      this.spec.ice,
      {
        signal: send,
        connected: (codec) => {
          if (!this.viewers.has(me)) return;
          if (this.codec && codec !== this.codec) {
            peer.close(`the stream is ${this.codec}`);
            return;
          }
          this.codec = codec;
          this.sinks.add(peer);
          this.startStream(codec, framebuffer, adaptation.encoding);
          this.audio?.setListening(true);
          this.log.info({ codec, role }, 'viewer connected');
          if (role === 'client') for (const l of this.viewerListeners) l('connected');
        },
        input: (data) => {
          me.input.inControl = this.controller === me;
          const before = me.input.stats.lastInputAt;
          me.input.handle(data);
          // Injected (not a ping, not from a viewer without the controls).
          if (me.input.stats.lastInputAt === before) return;
          // Before the app reacts: an encoder stopped on a still picture starts meanwhile.
          this.pipeline?.wake();
          this.audio?.wake();
          for (const l of this.activityListeners) l();
        },
        keyframeRequest: () => this.pipeline?.pictureLost(),
        delivery: (fates) => adaptation.onDelivery(fates),
        closed: () => gone(),
      },
      this.videoClock,
      only,
    );
    // The app's sound, when it asked for sound: a send-only track on the session's clock.
    const audio = this.audio;
    if (audio)
      peer.addSound(
        (ms) => audio.timeline.rtpAt(ms),
        () => audio.stats.playing,
      );
    const input = new InputChannel(injector, this.size, this.spec.inputRatePerSecond, (d) => peer.sendInput(d));
    input.videoScale = this.streamEncoding?.scale ?? 1;
    input.onInjected = (event) => this.recorder?.event('input', { ...event, by: role });
    const me: Attached = { peer, role, input, encoding: undefined };
    this.viewers.add(me);
    if (role === 'client') {
      this.client = me;
      // The client drives unless a watcher holds the controls.
      if (!this.controller) this.controller = me;
    }
    const leaveTally = this.env.links?.opened(() => peer.linkSample());
    const gone = () => {
      leaveTally?.();
      this.sinks.delete(peer);
      if (!this.viewers.delete(me)) return;
      if (this.controller === me) {
        injector.releaseAll();
        this.controller = this.client !== me ? this.client : undefined;
      }
      if (this.viewers.size === 0) {
        this.audio?.setListening(false);
        this.retirePipeline();
      } else this.encodeForAll();
      if (this.client !== me) return;
      this.client = undefined;
      injector.releaseAll();
      // When the whole session is ending, "ended" is the only news; the viewer going is part of it.
      if (!this.ended) for (const l of this.viewerListeners) l('gone');
    };
    void peer.offer().catch((err: Error) => {
      send({ type: 'error', code: 'offer-failed', message: err.message });
      peer.close('offer failed');
    });
    return {
      handle: (msg) => {
        if (msg.type === 'bye') {
          peer.close('viewer said bye');
          return Promise.resolve();
        }
        if (msg.type === 'viewport') {
          // The picture follows the client's window; a watcher's browser scales what it gets.
          if (role === 'client') this.requestViewport(msg);
          return Promise.resolve();
        }
        if (msg.type === 'control') return Promise.resolve();
        return peer.handle(msg);
      },
      detach: () => peer.close('signaling closed'),
      whenShown: (listener) => {
        if (this.settling) this.settling.waiters.push(listener);
        else listener();
      },
      control: (action) => this.control(me, action),
    };
  }

  /**
   * Who watches besides the client, by name: one stream serves them all, so its stamps name
   * every one of them (the picture switches to a fresh encoder with the new stamps).
   */
  setWatchers(names: string[]): void {
    if (!this.watermark || !this.stamp || this.ended) return;
    this.watermark.setLines(this.stamp(names));
    this.pipeline?.refreshWatermark();
  }

  private control(me: Attached, action: ControlAction): boolean {
    if (!this.viewers.has(me)) return false;
    const next = action === 'take' ? me : me.role === 'client' || this.controller === me ? this.client : undefined;
    if (!next || next === this.controller) return false;
    // Keys or buttons the previous driver held down are let go, not left stuck for the next.
    this.injector?.releaseAll();
    this.controller = next;
    this.recorder?.event('control', { action, by: me.role });
    return true;
  }

  /** The first connected viewer starts the one encoder; a viewer joining it gets a keyframe. */
  private startStream(
    codec: VideoCodec,
    framebuffer: NonNullable<SessionRuntime['framebuffer']>,
    encoding: Encoding,
  ): void {
    if (this.pipeline) {
      this.pipeline.requestKeyframe();
      return;
    }
    this.streamEncoding = encoding;
    this.pipeline = new VideoPipeline({
      ffmpegPath: this.env.ffmpegPath,
      codec,
      framerate: this.spec.framerate,
      bitrateKbps: encoding.bitrateKbps,
      keyframeIntervalS: this.spec.keyframeIntervalS,
      idleStopMs: this.env.encoderIdleStopMs,
      framebuffer,
      watermark: this.watermark,
      clock: this.videoClock,
      onRtp: (pkt) => {
        for (const sink of this.sinks) sink.sendRtp(pkt);
        // After the viewers (no latency added to them): each peer builds its own packet from
        // these bytes and leaves them as they were, and the recorder copies what it keeps.
        this.recorder?.video(pkt);
      },
      onFatal: (reason) => this.end('encoder failed', reason),
      log: this.log,
    });
    this.pipeline.resize(this.picture.width, this.picture.height);
    this.pipeline.start().catch((err: Error) => this.end('error', `video pipeline: ${err.message}`));
  }

  /** The stream goes at what the slowest viewer's network allows (one encoder for all). */
  private encodeForAll(): void {
    const lowest = lowestEncoding([...this.viewers].flatMap((v) => (v.encoding ? [v.encoding] : [])));
    if (!lowest || sameEncoding(lowest, this.streamEncoding)) return;
    this.streamEncoding = lowest;
    this.pipeline?.reconfigure(lowest);
    for (const v of this.viewers) v.input.videoScale = lowest.scale;
  }

  onEnded(listener: (reason: SessionEndReason, detail?: string) => void): void {
    this.endedListeners.push(listener);
  }

  pictureState(): PictureState {
    return { ...this.picture, resizable: this.spec.resizable !== null };
  }

  onPictureResized(listener: (size: { width: number; height: number }) => void): void {
    this.pictureListeners.push(listener);
  }

  /**
   * The app's own request for a picture size: only an app whose picture follows its viewer may
   * change it, within the display the server made for it; applied as a viewer's request is, and
   * the viewer's next resize wins over it.
   */
  requestPicture(size: { width: number; height: number }): { ok: true } | { ok: false; message: string } {
    const resizable = this.spec.resizable;
    if (!resizable) return { ok: false, message: "this app's picture has a fixed size" };
    if (size.width > resizable.max.width || size.height > resizable.max.height) {
      return { ok: false, message: `at most ${resizable.max.width}x${resizable.max.height}` };
    }
    this.requestViewport(size);
    return { ok: true };
  }

  onShutdown(listener: (reason: SessionEndReason, graceMs: number) => void): void {
    this.shutdownListeners.push(listener);
  }

  onViewer(listener: (event: 'connected' | 'gone') => void): void {
    this.viewerListeners.push(listener);
  }

  /** Once: the app has drawn its first real picture (looked for after each change of the screen). */
  onAppReady(listener: () => void): void {
    this.appReadyListeners.push(listener);
  }

  /** Someone used the session: a valid input event was injected (pointer, key, wheel; not pings). */
  onActivity(listener: () => void): void {
    this.activityListeners.push(listener);
  }

  stats(): RuntimeStats {
    return {
      memoryBytes: this.sandbox?.cgroup?.memoryBytes(),
      codec: this.codec,
      connected: !!this.pipeline,
      viewers: this.viewers.size,
      video: this.pipeline ? { ...this.pipeline.stats } : undefined,
      input: this.client ? { ...this.client.input.stats } : undefined,
      ...(this.audio ? { audio: { ...this.audio.stats } } : {}),
    };
  }

  /** Video sent to every viewer so far: frames encoded and RTP bytes. */
  sent(): { frames: number; bytes: number } {
    const now = this.pipeline?.stats;
    return {
      frames: this.sentBefore.frames + (now?.framesEncoded ?? 0),
      bytes: this.sentBefore.bytes + (now?.rtpBytes ?? 0),
    };
  }

  /** A viewer's pipeline is going: keep its counts in the session's totals. */
  private retirePipeline(): void {
    if (!this.pipeline) return;
    this.sentBefore.frames += this.pipeline.stats.framesEncoded;
    this.sentBefore.bytes += this.pipeline.stats.rtpBytes;
    this.stopping.push(this.pipeline.stop());
    this.pipeline = undefined;
    this.codec = undefined;
    this.streamEncoding = undefined;
    // Nobody watches: the next stream starts over with a keyframe, and so does the recording's next clip.
    this.recorder?.videoStopped();
  }

  /** Host PIDs belonging to this session (sandbox and encoders), for tests and metrics. */
  pids(): number[] {
    return [this.sandbox?.process.pid, ...(this.pipeline?.processes ?? []), ...(this.audio?.processes ?? [])].filter(
      (p): p is number => !!p,
    );
  }

  /** Ends the session: kills every process and removes the session directory. Idempotent. */
  end(reason: SessionEndReason, detail?: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.resizeTimer);
    clearInterval(this.resourceTimer);
    this.firstPicture?.stop();
    this.dropSettling(); // ending: nobody is told the picture is shown
    for (const v of [...this.viewers]) v.peer.close(reason);
    this.retirePipeline();
    if (this.audio) this.stopping.push(this.audio.stop());
    this.display?.close();
    // Most ends let the app finish (app-shutdown.ts): told, then SIGTERM, then killed when late.
    const graceMs = this.sandbox ? shutdownGraceMs(reason, this.env.appShutdownGraceMs ?? 0) : 0;
    if (graceMs > 0) for (const l of this.shutdownListeners) l(reason, graceMs);
    const terminating = graceMs > 0 && this.sandbox?.terminate() === true;
    if (!terminating) this.sandbox?.kill();
    const dir = this.spec.policy.sessionDir;
    const cleanup = () => {
      // Closed by the session once bound; this one had no session channel (or it failed to open).
      this.warm?.control?.close();
      try {
        removeSessionFolder(dir);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'session folder not removed');
      }
    };
    if (this.sandbox) {
      const sandbox = this.sandbox;
      const exitedInTime = terminating ? exitWithin(sandbox, graceMs, this.log) : Promise.resolve();
      const destroyed = exitedInTime
        .then(() => sandbox.destroyed())
        .catch((err: Error) => this.log.warn({ err: err.message }, 'sandbox teardown failed'));
      this.stopping.push(destroyed.then(cleanup, cleanup));
    } else cleanup();
    for (const l of this.endedListeners) l(reason, detail);
  }

  /** Resolves once every process of the session has exited and its files are gone. */
  async whenStopped(): Promise<void> {
    await Promise.all(this.stopping);
    removeSessionFolder(this.spec.policy.sessionDir);
  }
}

/** Waits for the app to exit by itself, at most `graceMs`; says so in the log when it did not. */
async function exitWithin(sandbox: SandboxHandle, graceMs: number, log: RuntimeLog): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  const first = await Promise.race([sandbox.exited.then(() => 'exited' as const), late]);
  clearTimeout(timer);
  if (first === 'late') log.info({ graceMs }, 'the app did not exit within its grace period: killed');
}
