/**
 * The remote display: a `<video>` inside a focusable wrapper that captures mouse, wheel and
 * keyboard input while the viewer has focus. It reports the device pixels of its area (the
 * picture of a resizable app follows them) and shows a picture made for that area unscaled,
 * one video pixel per screen pixel; any other picture is letterboxed (`object-fit: contain`).
 */
import { useEffect, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import { devicePixels, type InputEvent, type VideoSize } from '@vitrine/protocol';
import { attachInputCapture } from './inputCapture.ts';
import { videoLayout } from './viewport.ts';

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
  /** The area's size in device pixels, at mount and whenever it changes (resize, full screen, zoom). */
  onViewport?: (size: VideoSize) => void;
}

export function VideoViewer({ video, videoRef, sendInput, active, focusWhen, onViewport }: VideoViewerProps) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const [focused, setFocused] = useState(false);
  const [area, setArea] = useState<{ device: VideoSize; dpr: number } | null>(null);
  const [intrinsic, setIntrinsic] = useState<VideoSize>({ width: 0, height: 0 });
  const viewportRef = useRef(onViewport);
  useEffect(() => {
    viewportRef.current = onViewport;
  }, [onViewport]);

  // The area in device pixels: CSS size × devicePixelRatio, measured again when the area is
  // resized (window, full screen, zoom) or the ratio changes (the window moved to another screen).
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let media: MediaQueryList | null = null;
    const measure = () => {
      const dpr = window.devicePixelRatio || 1;
      const rect = container.getBoundingClientRect();
      const device = devicePixels({ width: rect.width, height: rect.height }, dpr);
      setArea({ device, dpr });
      viewportRef.current?.(device);
      media?.removeEventListener('change', measure);
      media = window.matchMedia(`(resolution: ${dpr}dppx)`);
      media.addEventListener('change', measure);
    };
    const observer = new ResizeObserver(measure);
    observer.observe(container);
    return () => {
      observer.disconnect();
      media?.removeEventListener('change', measure);
    };
  }, []);

  // The picture's own size changes with each resolution switch (a keyframe of the new size).
  useEffect(() => {
    if (!video) return;
    const update = () => setIntrinsic({ width: video.videoWidth, height: video.videoHeight });
    update();
    video.addEventListener('resize', update);
    video.addEventListener('loadedmetadata', update);
    return () => {
      video.removeEventListener('resize', update);
      video.removeEventListener('loadedmetadata', update);
    };
  }, [video]);

  const layout = area ? videoLayout(area.device, intrinsic, area.dpr) : { kind: 'fit' as const };
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
        data-layout={layout.kind}
        autoPlay
        playsInline
        muted
        disablePictureInPicture
        disableRemotePlayback
        controls={false}
        draggable={false}
        style={{
          display: 'block',
          // Native: exactly the picture's size in CSS pixels, so it is drawn without resampling.
          ...(layout.kind === 'native'
            ? {
                position: 'absolute',
                left: layout.left,
                top: layout.top,
                width: layout.width,
                height: layout.height,
              }
            : { width: '100%', height: '100%' }),
          objectFit: 'contain',
          background: '#000',
          touchAction: 'none',
        }}
      />
    </Box>
  );
}
