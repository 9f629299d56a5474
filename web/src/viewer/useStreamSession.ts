/**
 * React binding for a WebRtcSession: creates it once the video element exists, mirrors its state,
 * stats and end information into React state, and disposes it on unmount. The caller remounts
 * (keys) the component per session and codec, so state never has to be reset here.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { InputEvent } from '@vitrine/protocol';
import type { CodecChoice } from './codecPreferences.ts';
import { clearDebugSource, setDebugSource } from './debugHandles.ts';
import type { StreamStats } from './stats.ts';
import type { QualityNotice } from './networkQuality.ts';
import type { SessionEnd, ViewerState } from './viewerState.ts';
import { WebRtcSession } from './webrtcSession.ts';

export interface StreamSession {
  state: ViewerState;
  stats: StreamStats | null;
  /** Set once the session is over (ended by anyone, or failed). */
  end: SessionEnd | null;
  /** Latest non-fatal warning, if any. */
  warning: string | null;
  /** The server's latest word on how the network limits the stream. */
  quality: QualityNotice | null;
  dismissWarning: () => void;
  /** Sends an input event (dropped while the input channel is not open). */
  sendInput: (event: InputEvent) => void;
  /** Ends the session for good (bye + DELETE). Rejects if the DELETE fails. */
  endSession: () => Promise<void>;
  /** The video area's size in device pixels changed (kept for a session created later). */
  setViewport: (size: { width: number; height: number }) => void;
}

export function useStreamSession(
  sessionId: string,
  codec: CodecChoice | null,
  video: HTMLVideoElement | null,
): StreamSession {
  const [state, setState] = useState<ViewerState>('idle');
  const [stats, setStats] = useState<StreamStats | null>(null);
  const [end, setEnd] = useState<SessionEnd | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const [quality, setQuality] = useState<QualityNotice | null>(null);
  const sessionRef = useRef<WebRtcSession | null>(null);
  const viewportRef = useRef<{ width: number; height: number } | null>(null);

  useEffect(() => {
    if (!video) return;
    const session = new WebRtcSession({
      sessionId,
      codec,
      video,
      onState: setState,
      onEnd: setEnd,
      onWarning: setWarning,
      onStats: setStats,
      onQuality: setQuality,
    });
    sessionRef.current = session;
    if (viewportRef.current) session.setViewport(viewportRef.current);
    setDebugSource(session);
    // Deferred so React StrictMode's mount → unmount → mount in development does not open two
    // sockets (the server would turn the second viewer away with CloseCode.ViewerExists).
    const timer = setTimeout(() => session.start(), 0);
    return () => {
      clearTimeout(timer);
      session.dispose();
      clearDebugSource(session);
      if (sessionRef.current === session) sessionRef.current = null;
    };
  }, [sessionId, codec, video]);

  const sendInput = useCallback((event: InputEvent) => {
    sessionRef.current?.sendInput(event);
  }, []);

  const endSession = useCallback(async () => {
    const session = sessionRef.current;
    if (session) await session.end();
  }, []);

  const dismissWarning = useCallback(() => setWarning(null), []);

  const setViewport = useCallback((size: { width: number; height: number }) => {
    viewportRef.current = size;
    sessionRef.current?.setViewport(size);
  }, []);

  return { state, stats, end, warning, quality, dismissWarning, sendInput, endSession, setViewport };
}
