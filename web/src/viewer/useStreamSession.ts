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
import type { SessionEnd, ViewerState } from './viewerState.ts';
import { WebRtcSession } from './webrtcSession.ts';

export interface StreamSession {
  state: ViewerState;
  stats: StreamStats | null;
  /** Set once the session is over (ended by anyone, or failed). */
  end: SessionEnd | null;
  /** Latest non-fatal warning, if any. */
  warning: string | null;
  dismissWarning: () => void;
  /** Sends an input event (dropped while the input channel is not open). */
  sendInput: (event: InputEvent) => void;
  /** Ends the session for good (bye + DELETE). Rejects if the DELETE fails. */
  endSession: () => Promise<void>;
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
  const sessionRef = useRef<WebRtcSession | null>(null);

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
    });
    sessionRef.current = session;
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

  return { state, stats, end, warning, dismissWarning, sendInput, endSession };
}
