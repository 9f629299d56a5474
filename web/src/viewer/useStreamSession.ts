/**
 * React binding for a StreamSupervisor (which keeps one WebRtcSession connected): creates it once
 * the video element exists, mirrors its state, stats, end and recovery into React state, and
 * disposes it on unmount. The caller remounts (keys) the component per session and codec, so
 * state never has to be reset here.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ControlAction, InputEvent, SessionEndReason, SessionInfo } from '@vitrine/protocol';
import { createSession, deleteSession, getSession } from '../shared/sessionsApi.ts';
import type { CodecChoice } from './codecPreferences.ts';
import { clearDebugSource, setDebugSource } from './debugHandles.ts';
import type { StreamStats } from './stats.ts';
import type { QualityNotice } from './networkQuality.ts';
import { StreamSupervisor } from './streamSupervisor.ts';
import type { Recovery, SessionEnd, ViewerState } from './viewerState.ts';
import { WebRtcSession, type Participants } from './webrtcSession.ts';

export interface StreamSession {
  state: ViewerState;
  stats: StreamStats | null;
  /** Set once the session is over for this page (ended by anyone, failed, or open elsewhere). */
  end: SessionEnd | null;
  /** Set while the viewer gets a lost session back by itself (reconnecting, server restarting). */
  recovery: Recovery | null;
  /** The server said the app has drawn its first real picture. */
  appReady: boolean;
  /** Latest non-fatal warning, if any. */
  warning: string | null;
  /** The server's latest word on how the network limits the stream. */
  quality: QualityNotice | null;
  dismissWarning: () => void;
  /** Sends an input event (dropped while the input channel is not open). */
  sendInput: (event: InputEvent) => void;
  /** Ends the session for good (bye + DELETE). Rejects if the DELETE fails. */
  endSession: () => Promise<void>;
  /** The video area's size in device pixels changed (kept for a connection made later). */
  setViewport: (size: { width: number; height: number }) => void;
  /** "Use here": take the session from the other tab or device. */
  takeOver: () => void;
  /** Try to get the session back now (after the viewer gave up waiting). */
  retry: () => void;
  /** Who is in the session and who drives it; null until the server said. */
  participants: Participants | null;
  /** Take the controls (a watcher) or hand them back. */
  control: (action: ControlAction) => void;
}

/** This page's own id on the signaling socket: its reconnects replace its own dropped connection. */
const VIEWER_ID = `tab-${crypto.randomUUID()}`;

export function useStreamSession(
  sessionId: string,
  codec: CodecChoice | null,
  video: HTMLVideoElement | null,
  onReopened: (session: SessionInfo, reason: SessionEndReason) => void,
  watch = false,
): StreamSession {
  const [participants, setParticipants] = useState<Participants | null>(null);
  // A recorded session opened again after a restart: the client was told it is recorded (and is shown it).
  const recordedRef = useRef(false);
  useEffect(() => {
    recordedRef.current = participants?.recorded ?? recordedRef.current;
  }, [participants]);
  const [state, setState] = useState<ViewerState>('idle');
  const [stats, setStats] = useState<StreamStats | null>(null);
  const [end, setEnd] = useState<SessionEnd | null>(null);
  const [recovery, setRecovery] = useState<Recovery | null>(null);
  const [appReady, setAppReady] = useState(false);
  const [warning, setWarning] = useState<string | null>(null);
  const [quality, setQuality] = useState<QualityNotice | null>(null);
  const supervisorRef = useRef<StreamSupervisor | null>(null);
  const viewportRef = useRef<{ width: number; height: number } | null>(null);
  const reopenedRef = useRef(onReopened);
  useEffect(() => {
    reopenedRef.current = onReopened;
  }, [onReopened]);

  useEffect(() => {
    if (!video) return;
    let debug: WebRtcSession | null = null;
    const supervisor = new StreamSupervisor({
      sessionId,
      codec,
      video,
      viewerId: VIEWER_ID,
      watch,
      connect: (opts) => new WebRtcSession(opts),
      probe: (id) => getSession(id),
      reopen: (appId, shareId) => createSession(appId, shareId, { acknowledgeRecording: recordedRef.current }),
      remove: (id) => deleteSession(id),
      onState: setState,
      onEnd: setEnd,
      onRecovery: setRecovery,
      onAppReady: () => setAppReady(true),
      onWarning: setWarning,
      onStats: setStats,
      onQuality: setQuality,
      onConnection: (conn) => {
        if (debug) clearDebugSource(debug);
        debug = conn as WebRtcSession;
        setDebugSource(debug);
      },
      onReopened: (session, reason) => reopenedRef.current(session, reason),
      onParticipants: setParticipants,
    });
    supervisorRef.current = supervisor;
    if (viewportRef.current) supervisor.setViewport(viewportRef.current);
    // Deferred so React StrictMode's mount → unmount → mount in development does not open two
    // sockets (the server would turn the second viewer away with CloseCode.ViewerExists).
    const timer = setTimeout(() => supervisor.start(), 0);
    return () => {
      clearTimeout(timer);
      supervisor.dispose();
      if (debug) clearDebugSource(debug);
      if (supervisorRef.current === supervisor) supervisorRef.current = null;
    };
  }, [sessionId, codec, video, watch]);

  const sendInput = useCallback((event: InputEvent) => {
    supervisorRef.current?.sendInput(event);
  }, []);

  const endSession = useCallback(async () => {
    await supervisorRef.current?.endSession();
  }, []);

  const dismissWarning = useCallback(() => setWarning(null), []);

  const setViewport = useCallback((size: { width: number; height: number }) => {
    viewportRef.current = size;
    supervisorRef.current?.setViewport(size);
  }, []);

  const takeOver = useCallback(() => supervisorRef.current?.takeOver(), []);
  const retry = useCallback(() => supervisorRef.current?.retry(), []);
  const control = useCallback((action: ControlAction) => supervisorRef.current?.control(action), []);

  return {
    state,
    stats,
    end,
    recovery,
    appReady,
    warning,
    quality,
    dismissWarning,
    sendInput,
    endSession,
    setViewport,
    takeOver,
    retry,
    participants,
    control,
  };
}
