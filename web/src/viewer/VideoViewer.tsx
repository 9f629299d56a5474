/**
 * The remote display: a letterboxed `<video>` inside a focusable wrapper that captures mouse,
 * wheel and keyboard input while the viewer has focus.
 */
import { useEffect, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import type { InputEvent } from '@vitrine/protocol';
import { attachInputCapture } from './inputCapture.ts';

export interface VideoViewerProps {
  /** The video element once mounted (owned by the parent, which passes `videoRef` back here). */
  video: HTMLVideoElement | null;
  /** Callback ref for the video element. */
  videoRef: (video: HTMLVideoElement | null) => void;
  sendInput: (event: InputEvent) => void;
  /** Whether input is captured at all (false once the session is over). */
  active: boolean;
  /** Focus the viewer when this becomes true (e.g. when the stream starts). */
  focusWhen: boolean;
}

export function VideoViewer({ video, videoRef, sendInput, active, focusWhen }: VideoViewerProps) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const [focused, setFocused] = useState(false);
  // Keep the latest callback without re-attaching listeners on every render.
  const sendRef = useRef(sendInput);
  useEffect(() => {
    sendRef.current = sendInput;
  }, [sendInput]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container || !video || !active) return;
    return attachInputCapture({ container, video, send: (ev) => sendRef.current(ev) });
  }, [video, active]);

  useEffect(() => {
    if (focusWhen && active) containerRef.current?.focus({ preventScroll: true });
  }, [focusWhen, active]);

  return (
    <Box
      ref={containerRef}
      tabIndex={0}
      role="application"
      aria-label="Remote app display. Click to interact; keyboard input goes to the app while focused."
      data-testid="viewer"
      data-focused={focused ? 'true' : 'false'}
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
      sx={{
        position: 'absolute',
        inset: 0,
        bgcolor: '#000',
        outline: 'none',
        overflow: 'hidden',
        userSelect: 'none',
        // Thin inset ring so it is visible when keyboard input is captured.
        boxShadow: focused && active ? 'inset 0 0 0 1px rgba(122,162,247,0.45)' : 'none',
      }}
    >
      <video
        ref={videoRef}
        data-testid="viewer-video"
        autoPlay
        playsInline
        muted
        disablePictureInPicture
        disableRemotePlayback
        controls={false}
        draggable={false}
        style={{
          display: 'block',
          width: '100%',
          height: '100%',
          objectFit: 'contain',
          background: '#000',
          touchAction: 'none',
        }}
      />
    </Box>
  );
}
