/**
 * One viewer connection to a Vitrine session: signaling socket, RTCPeerConnection (the server
 * offers, we answer), the `input` data channel (input events out, pongs in) and periodic stats.
 */
import type { QualityNotice } from './networkQuality.ts';
import {
  CloseCode,
  decodePong,
  encodeInputEvent,
  type ControlAction,
  type InputEvent,
  type ServerSignal,
} from '@vitrine/protocol';
import { ApiError } from '../shared/api.ts';
import { deleteSession, getSession, getSignalUrl } from '../shared/sessionsApi.ts';
import { orderCodecPreferences, supportsCodec, type CodecChoice } from './codecPreferences.ts';
import { SignalingClient, signalingUrl } from './signaling.ts';
import { EMPTY_STATS, reportEntries, summarizeStats, type StatsSample, type StreamStats } from './stats.ts';
import { describeEndReason, TERMINAL_STATES, type SessionEnd, type ViewerState } from './viewerState.ts';
import { ViewportReporter } from './viewport.ts';
import { failureMessage } from '../connectivity/causeText.ts';
import { diagnose } from '../connectivity/diagnosis.ts';
import { sessionSound } from './sessionSound.ts';
import { keepLipSync } from './lipSync.ts';
import { observationFrom, turnUrlsOf, type TurnErrors } from '../connectivity/observe.ts';

/** Who is in the session (the server's `participants` message). */
export type Participants = Extract<ServerSignal, { type: 'participants' }>;

export interface WebRtcSessionOptions {
  sessionId: string;
  codec: CodecChoice | null;
  video: HTMLVideoElement;
  /** This tab's id: reconnecting, it replaces its own dropped connection on the server. */
  viewerId?: string;
  /** Take the session from another tab or device ("Use here"). */
  takeOver?: boolean;
  /** The share's owner watching a client's session (view-only until they take control). */
  watch?: boolean;
  /** The app has drawn its first real picture (the server's `app-ready`). */
  onAppReady?: () => void;
  /** Who is in the session and who drives it (the server's `participants`, on every change). */
  onParticipants?: (participants: Participants) => void;
  onState: (state: ViewerState) => void;
  onEnd: (end: SessionEnd) => void;
  /** Non-fatal problems worth showing (server `error` messages, unsupported codec choice). */
  onWarning?: (message: string) => void;
  onStats?: (stats: StreamStats) => void;
  /** The server adapted the stream to the network (cause null: back to full quality). */
  onQuality?: (notice: QualityNotice) => void;
}

const TAKEN_OVER: SessionEnd = {
  kind: 'taken-over',
  message: 'This session was opened in another tab (or on another device).',
};
const SERVER_RESTARTING: SessionEnd = { kind: 'server-restarting', message: 'The server is restarting.' };

const PING_INTERVAL_MS = 1000;
const STATS_INTERVAL_MS = 1000;
const OFFER_TIMEOUT_MS = 20_000;
/** Above this much unsent data, pointer moves are dropped (keys and buttons are always sent). */
const MAX_BUFFERED_BYTES = 256 * 1024;

export class WebRtcSession {
  readonly sessionId: string;
  readonly requestedCodec: CodecChoice | null;
  readonly video: HTMLVideoElement;

  #opts: WebRtcSessionOptions;
  #state: ViewerState = 'idle';
  #signaling: SignalingClient | null = null;
  /** Asking the API where to signal (before the socket exists). */
  #starting = false;
  #pc: RTCPeerConnection | null = null;
  #dc: RTCDataChannel | null = null;
  #chain: Promise<void> = Promise.resolve();
  #answerSent = false;
  #localCandidates: (RTCIceCandidate | null)[] = [];
  #pcConnected = false;
  #hasFrame = false;
  /** This session's own track is on the video element (a picture left by an earlier one is not ours). */
  #trackAttached = false;
  #streamed = false;
  #ended: SessionEnd | null = null;
  #disposed = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  /** Holds the picture back to meet the sound (lipSync.ts), once the connection has sound. */
  #stopLipSync: (() => void) | null = null;
  #offerTimer: ReturnType<typeof setTimeout> | null = null;
  #pingId = 0;
  #pings = new Map<number, number>();
  #inputRttMs: number | null = null;
  #statsSample: StatsSample | null = null;
  #stats: StreamStats = EMPTY_STATS;
  #videoListeners: (() => void) | null = null;
  #lastServerError: string | null = null;
  #relayOnly = false;
  #gathered = 0;
  /** What TURN servers answered when they failed us (e.g. 401 Unauthorized), for the diagnosis. */
  #turnErrors: TurnErrors = [];
  #turnUrls: string[] = [];
  #diagnosing = false;
  #soundTracks: MediaStreamTrack[] = [];
  /** The video area's device pixels, sent on signaling (a resizable app's picture follows them). */
  #viewport = new ViewportReporter((size) => this.#signaling?.send({ type: 'viewport', ...size }) ?? false);

  constructor(opts: WebRtcSessionOptions) {
    this.#opts = opts;
    this.sessionId = opts.sessionId;
    this.requestedCodec = opts.codec;
    this.video = opts.video;
  }

  get state(): ViewerState {
    return this.#state;
  }
  get pc(): RTCPeerConnection | null {
    return this.#pc;
  }
  get dataChannel(): RTCDataChannel | null {
    return this.#dc;
  }
  get stats(): StreamStats {
    return this.#stats;
  }
  get endInfo(): SessionEnd | null {
    return this.#ended;
  }
  get inputReady(): boolean {
    return this.#dc?.readyState === 'open';
  }
  /** Whether this connection ever streamed (a drop after that is worth reconnecting). */
  get everStreamed(): boolean {
    return this.#streamed;
  }

  /** Takes the controls (a watcher) or hands them back; the server tells everyone the outcome. */
  control(action: ControlAction): void {
    this.#signaling?.send({ type: 'control', action });
  }

  start(): void {
    if (this.#signaling || this.#starting || this.#disposed) return;
    this.#starting = true;
    this.#watchVideo();
    this.#setState('signaling');
    void this.#openSignaling();
  }

  /** Asks the API where this session signals (here, or the worker running it), then opens the socket. */
  async #openSignaling(): Promise<void> {
    let workerUrl: string | null;
    try {
      workerUrl = await getSignalUrl(this.sessionId, !!this.#opts.watch);
    } catch (err) {
      if (!this.#ended && !this.#disposed) this.#finishUnopened(err, '');
      return;
    }
    if (this.#ended || this.#disposed) return;
    const opts = {
      ...(this.#opts.viewerId ? { viewer: this.#opts.viewerId } : {}),
      ...(this.#opts.takeOver ? { takeover: true } : {}),
      ...(this.#opts.watch ? { watch: true } : {}),
    };
    this.#signaling = new SignalingClient(signalingUrl(this.sessionId, window.location, opts, workerUrl), {
      onOpen: () => {
        this.#viewport.open();
        this.#reportVisibility();
        document.addEventListener('visibilitychange', this.#reportVisibility);
        this.#setState('negotiating');
        this.#offerTimer = setTimeout(() => {
          if (!this.#pc) this.#finish({ kind: 'timeout', message: 'The server did not start the stream in time.' });
        }, OFFER_TIMEOUT_MS);
      },
      onMessage: (msg) => this.#enqueue(msg),
      onInvalidMessage: (error) => console.warn('[vitrine] ignored invalid signaling message:', error),
      onClose: (info) => void this.#onSignalingClosed(info),
    });
  }

  /** The video area now measures this many device pixels (sent at once at the start, then debounced). */
  setViewport(size: { width: number; height: number }): void {
    this.#viewport.update(size);
  }

  /** Sends one input event on the data channel; dropped while the channel is not open. */
  sendInput(event: InputEvent): boolean {
    const dc = this.#dc;
    if (!dc || dc.readyState !== 'open' || this.#ended) return false;
    if (event.type === 'move' && dc.bufferedAmount > MAX_BUFFERED_BYTES) return false;
    dc.send(encodeInputEvent(event) as Uint8Array<ArrayBuffer>);
    return true;
  }

  /** The user ends the session: tell the server, tear down, and delete the session. */
  async end(): Promise<void> {
    if (!this.#ended) {
      this.#signaling?.send({ type: 'bye' });
      this.#finish({ kind: 'user', reason: 'user ended', message: 'You ended the session.' });
    }
    await deleteSession(this.sessionId);
  }

  /** Leaves without ending the session (navigation away). Emits no callbacks. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#teardown();
    this.#videoListeners?.();
    this.#videoListeners = null;
  }

  // --- signaling ---------------------------------------------------------------------------

  #enqueue(msg: ServerSignal): void {
    this.#chain = this.#chain
      .then(() => this.#handle(msg))
      .catch((err: unknown) => {
        console.error('[vitrine] signaling handling failed', err);
        if (!this.#ended && msg.type === 'offer') {
          this.#finish({
            kind: 'signaling-failed',
            message: `Could not negotiate the stream: ${err instanceof Error ? err.message : String(err)}`,
          });
        }
      });
  }

  async #handle(msg: ServerSignal): Promise<void> {
    if (this.#ended || this.#disposed) return;
    switch (msg.type) {
      case 'offer':
        await this.#handleOffer(msg.sdp, msg.iceServers, msg.iceTransportPolicy);
        return;
      case 'ice-candidate': {
        const pc = this.#pc;
        if (!pc) return;
        try {
          if (msg.candidate === null) await pc.addIceCandidate();
          else await pc.addIceCandidate(msg.candidate);
        } catch (err) {
          console.warn('[vitrine] could not add remote ICE candidate', msg.candidate, err);
        }
        return;
      }
      case 'error':
        // Refusals that come with a close code are said by the end message, not as a warning too.
        if (msg.code === 'viewer-exists' || msg.code === 'unknown-session') return;
        this.#lastServerError = `Server error (${msg.code}): ${msg.message}`;
        this.#opts.onWarning?.(this.#lastServerError);
        return;
      case 'warning':
        this.#opts.onWarning?.(
          msg.reason === 'idle timeout'
            ? `No activity: this session ends in ${msg.secondsLeft} s unless you use it.`
            : `This session reaches its time limit in ${msg.secondsLeft} s.`,
        );
        return;
      case 'quality':
        this.#opts.onQuality?.(msg);
        return;
      case 'app-ready':
        this.#opts.onAppReady?.();
        return;
      case 'participants':
        this.#opts.onParticipants?.(msg);
        return;
      case 'taken-over':
        this.#finish(TAKEN_OVER);
        return;
      case 'bye':
        if (msg.reason === 'server shutdown') {
          this.#finish(SERVER_RESTARTING);
          return;
        }
        this.#finish({
          kind: 'server-bye',
          reason: msg.reason,
          ...(msg.detail !== undefined ? { detail: msg.detail } : {}),
          message: describeEndReason(msg.reason),
        });
        return;
    }
  }

  async #handleOffer(sdp: string, iceServers: RTCIceServer[], policy: RTCIceTransportPolicy): Promise<void> {
    if (this.#offerTimer) clearTimeout(this.#offerTimer);
    this.#offerTimer = null;
    let pc = this.#pc;
    if (!pc) {
      pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: policy });
      this.#relayOnly = policy === 'relay';
      this.#turnUrls = turnUrlsOf(iceServers);
      this.#pc = pc;
      this.#wirePeerConnection(pc);
    }
    await pc.setRemoteDescription({ type: 'offer', sdp });
    this.#applyCodecPreferences(pc);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (this.#ended || this.#disposed) return;
    this.#signaling?.send({ type: 'answer', sdp: pc.localDescription?.sdp ?? answer.sdp ?? '' });
    this.#answerSent = true;
    for (const c of this.#localCandidates.splice(0)) this.#sendLocalCandidate(c);
    if (!this.#pcConnected) this.#setState('connecting');
  }

  #applyCodecPreferences(pc: RTCPeerConnection): void {
    const choice = this.requestedCodec;
    if (!choice) return; // browser's choice
    const caps = typeof RTCRtpReceiver.getCapabilities === 'function' ? RTCRtpReceiver.getCapabilities('video') : null;
    if (!caps) return;
    if (!supportsCodec(caps.codecs, choice)) {
      this.#opts.onWarning?.(`This browser cannot receive ${choice.toUpperCase()}; using its default codec.`);
      return;
    }
    const ordered = orderCodecPreferences(caps.codecs, choice);
    for (const t of pc.getTransceivers()) {
      if (t.receiver.track.kind !== 'video' || typeof t.setCodecPreferences !== 'function') continue;
      try {
        t.setCodecPreferences(ordered);
      } catch (err) {
        console.warn('[vitrine] setCodecPreferences failed', err);
        this.#opts.onWarning?.(`Could not prefer ${choice.toUpperCase()}; using the browser's default codec.`);
      }
    }
  }

  #sendLocalCandidate(c: RTCIceCandidate | null): void {
    if (c === null) {
      this.#signaling?.send({ type: 'ice-candidate', candidate: null });
      return;
    }
    this.#signaling?.send({
      type: 'ice-candidate',
      candidate: {
        candidate: c.candidate,
        sdpMid: c.sdpMid,
        sdpMLineIndex: c.sdpMLineIndex,
        usernameFragment: c.usernameFragment,
      },
    });
  }

  async #onSignalingClosed(info: { code: number; reason: string; opened: boolean }): Promise<void> {
    if (this.#ended || this.#disposed) return;
    if (info.code === CloseCode.ViewerExists) {
      this.#finish({
        kind: 'already-viewed',
        message: 'This session is open in another tab or on another device.',
      });
      return;
    }
    if (info.code === CloseCode.TakenOver) {
      this.#finish(TAKEN_OVER);
      return;
    }
    if (info.code === CloseCode.ServerRestarting) {
      this.#finish(SERVER_RESTARTING);
      return;
    }
    if (info.code === CloseCode.UnknownSession) {
      this.#finish({ kind: 'unknown-session', message: 'This session does not exist (it may have ended).' });
      return;
    }
    // Let a `bye` that arrived just before the close be processed first.
    await this.#chain;
    if (this.#ended || this.#disposed) return;
    if (!info.opened) {
      // The upgrade was refused or the server is down: ask the HTTP API which one.
      try {
        await getSession(this.sessionId);
        this.#finish({
          kind: 'signaling-failed',
          message: 'Could not open the signaling connection (WebSocket failed).',
        });
      } catch (err) {
        if (!this.#ended && !this.#disposed) this.#finishUnopened(err, ' (WebSocket failed)');
      }
      return;
    }
    const why = info.reason ? ` (${info.reason})` : '';
    this.#finish({
      kind: 'signaling-lost',
      message: `Lost the connection to the server${why}.`,
      ...(this.#lastServerError ? { detail: this.#lastServerError } : {}),
    });
  }

  /** The signaling socket could not be opened; the API's answer (`err`) says whether the session is gone or the server. */
  #finishUnopened(err: unknown, how: string): void {
    if (err instanceof ApiError && err.status === 404) {
      this.#finish({ kind: 'unknown-session', message: 'This session does not exist (it may have ended).' });
    } else if (err instanceof ApiError && err.unreachable) {
      this.#finish({ kind: 'unreachable', message: `Cannot reach the Vitrine server${how}.` });
    } else {
      this.#finish({ kind: 'signaling-failed', message: `Could not open the signaling connection${how}.` });
    }
  }

  // --- peer connection ---------------------------------------------------------------------

  #wirePeerConnection(pc: RTCPeerConnection): void {
    pc.addEventListener('icecandidateerror', (e) => {
      const err = e as RTCPeerConnectionIceErrorEvent;
      if (err.url?.startsWith('turn') && this.#turnErrors.length < 50) {
        this.#turnErrors.push({ url: err.url, code: err.errorCode, text: err.errorText ?? '' });
      }
    });
    pc.addEventListener('icegatheringstatechange', () => {
      // Forced through a relay that gave us nothing: no connection can ever form; say why now.
      if (pc.iceGatheringState === 'complete' && this.#relayOnly && this.#gathered === 0) {
        this.#failIce();
      }
    });
    pc.addEventListener('icecandidate', (e) => {
      const c = e.candidate;
      if (c && c.candidate === '') return; // legacy end-of-candidates marker; null follows
      if (c) this.#gathered++;
      if (!this.#answerSent) this.#localCandidates.push(c);
      else this.#sendLocalCandidate(c);
    });
    pc.addEventListener('track', (e) => {
      if (e.track.kind === 'audio') {
        // The app's sound (only for apps that asked for it), played apart from the picture.
        const track = e.track;
        sessionSound.attach(track);
        this.#soundTracks.push(track);
        this.#stopLipSync ??= keepLipSync(pc);
        return;
      }
      if (e.track.kind !== 'video') return;
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      if (this.video.srcObject !== stream) this.video.srcObject = stream;
      this.#trackAttached = true;
      this.video.muted = true;
      this.video.play().catch(() => {
        // Autoplay of muted video is allowed; a rejection here means a newer load() replaced it.
      });
    });
    pc.addEventListener('datachannel', (e) => {
      if (e.channel.label === 'input') this.#wireDataChannel(e.channel);
    });
    const onConnectionChange = () => {
      const cs = pc.connectionState;
      const ice = pc.iceConnectionState;
      if (cs === 'failed' || ice === 'failed') {
        this.#failIce();
        return;
      }
      if (cs === 'connected') {
        this.#pcConnected = true;
        this.#updateConnectedState();
      } else if (cs === 'disconnected' || ice === 'disconnected') {
        if (this.#pcConnected) this.#setState('reconnecting');
      }
    };
    pc.addEventListener('connectionstatechange', onConnectionChange);
    pc.addEventListener('iceconnectionstatechange', onConnectionChange);
    this.#timers.push(setInterval(() => void this.#collectStats(), STATS_INTERVAL_MS));
  }

  /** Ends saying why the media connection failed (connectivity/diagnosis.ts), read before teardown. */
  #failIce(): void {
    const pc = this.#pc;
    if (this.#ended || this.#diagnosing || !pc) return;
    this.#diagnosing = true;
    const context = { connected: false, relayOnly: this.#relayOnly, turnUrls: this.#turnUrls };
    void pc
      .getStats()
      .then((report) => diagnose(observationFrom(report, { ...context, turnErrors: this.#turnErrors })))
      .then(failureMessage, () => 'Could not establish the media connection.')
      .then((message) => this.#finish({ kind: 'ice-failed', message }));
  }

  #wireDataChannel(dc: RTCDataChannel): void {
    this.#dc = dc;
    dc.binaryType = 'arraybuffer';
    const onOpen = () => {
      this.#updateConnectedState();
      this.#sendPing();
    };
    if (dc.readyState === 'open') onOpen();
    dc.addEventListener('open', onOpen);
    dc.addEventListener('close', () => {
      if (this.#dc === dc) this.#updateConnectedState();
    });
    dc.addEventListener('message', (e: MessageEvent) => {
      if (!(e.data instanceof ArrayBuffer)) return;
      const id = decodePong(new Uint8Array(e.data));
      if (id === null) return;
      const sent = this.#pings.get(id);
      if (sent === undefined) return;
      this.#pings.delete(id);
      this.#inputRttMs = performance.now() - sent;
    });
    this.#timers.push(setInterval(() => this.#sendPing(), PING_INTERVAL_MS));
  }

  #sendPing(): void {
    if (this.#dc?.readyState !== 'open') return;
    const now = performance.now();
    // Forget pings that were never answered so the map cannot grow.
    for (const [id, at] of this.#pings) if (now - at > 10_000) this.#pings.delete(id);
    this.#pingId = (this.#pingId + 1) >>> 0;
    this.#pings.set(this.#pingId, now);
    this.sendInput({ type: 'ping', id: this.#pingId });
  }

  async #collectStats(): Promise<void> {
    const pc = this.#pc;
    if (!pc || this.#ended || this.#disposed) return;
    try {
      const report = await pc.getStats();
      const { stats, sample } = summarizeStats(reportEntries(report), this.#statsSample, performance.now());
      this.#statsSample = sample;
      this.#stats = { ...stats, inputRttMs: this.#inputRttMs };
      this.#opts.onStats?.(this.#stats);
    } catch {
      // getStats can reject while the connection is closing.
    }
  }

  #watchVideo(): void {
    const video = this.video;
    const check = () => {
      if (!this.#hasFrame && this.#trackAttached && video.videoWidth > 0 && video.videoHeight > 0) {
        this.#hasFrame = true;
        this.#updateConnectedState();
      }
    };
    const events = ['loadeddata', 'resize', 'playing'] as const;
    for (const ev of events) video.addEventListener(ev, check);
    this.#videoListeners = () => {
      for (const ev of events) video.removeEventListener(ev, check);
    };
  }

  #updateConnectedState(): void {
    if (this.#ended || !this.#pcConnected) return;
    const streaming = this.#hasFrame && this.#dc?.readyState === 'open';
    if (streaming) this.#streamed = true;
    this.#setState(streaming ? 'streaming' : 'connected');
  }

  // --- lifecycle ---------------------------------------------------------------------------

  #setState(state: ViewerState): void {
    if (this.#state === state || this.#disposed) return;
    if (TERMINAL_STATES.has(this.#state)) return;
    this.#state = state;
    this.#opts.onState(state);
  }

  #finish(end: SessionEnd): void {
    if (this.#ended || this.#disposed) return;
    this.#ended = end;
    const state: ViewerState =
      end.kind === 'user' || end.kind === 'server-bye' ? 'ended' : end.kind === 'ice-failed' ? 'failed' : 'error';
    this.#teardown();
    this.#setState(state);
    this.#opts.onEnd(end);
  }

  /** Whether this tab is visible: the server counts reading time only while it is. */
  #reportVisibility = (): void => {
    this.#signaling?.send({ type: 'visibility', visible: document.visibilityState === 'visible' });
  };

  #teardown(): void {
    this.#viewport.dispose();
    for (const track of this.#soundTracks) sessionSound.detach(track);
    this.#soundTracks = [];
    this.#stopLipSync?.();
    this.#stopLipSync = null;
    document.removeEventListener('visibilitychange', this.#reportVisibility);
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    if (this.#offerTimer) clearTimeout(this.#offerTimer);
    this.#offerTimer = null;
    this.#signaling?.close(CloseCode.Normal, 'viewer closed');
    try {
      this.#dc?.close();
    } catch {
      // already closed
    }
    this.#pc?.close();
    this.#pings.clear();
  }
}
