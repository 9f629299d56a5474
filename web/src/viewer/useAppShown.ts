/**
 * Whether the app's own picture is on screen yet: the server's `app-ready` (the app has drawn),
 * then a frame or two actually shown by the video element that are not one flat colour (a window
 * resized to the viewer can repaint through a blank frame). Until then the viewer covers the empty
 * display with "Opening <app>…". A fallback shows whatever there is after a while, so the cover
 * never stays for good (an app that only ever draws one flat colour, or an older server).
 */
import { useEffect, useState } from 'react';
import { videoFrameReader } from './frameContent.ts';

/** Streaming this long without the server's word that the app drew: stop covering the picture. */
export const APP_READY_FALLBACK_MS = 20_000;
/**
 * After the word, wait at most this long for frames that carry the app's picture (a flat one,
 * such as a blank document the app claimed, is shown after this).
 */
export const FIRST_FRAMES_WAIT_MS = 3000;
/** Frames with content shown after the word: the first may have been encoded just before the app drew. */
const FRAMES_AFTER_READY = 2;

export function useAppShown(streaming: boolean, appReady: boolean, video: HTMLVideoElement | null): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (shown || !streaming) return;
    if (!appReady) {
      const fallback = setTimeout(() => setShown(true), APP_READY_FALLBACK_MS);
      return () => clearTimeout(fallback);
    }
    let done = false;
    const show = () => {
      if (done) return;
      done = true;
      setShown(true);
    };
    const wait = setTimeout(show, FIRST_FRAMES_WAIT_MS);
    let handle = 0;
    if (video && typeof video.requestVideoFrameCallback === 'function') {
      const showsContent = videoFrameReader();
      let frames = 0;
      const next = () => {
        handle = video.requestVideoFrameCallback(() => {
          handle = 0;
          if (showsContent(video)) frames++;
          if (frames >= FRAMES_AFTER_READY) show();
          else next();
        });
      };
      next();
    }
    return () => {
      done = true;
      clearTimeout(wait);
      if (handle && video) video.cancelVideoFrameCallback(handle);
    };
  }, [shown, streaming, appReady, video]);
  return shown;
}
