/**
 * Drives one `<video>` through a recording's clips: plays them in turn (the next starts when one
 * ends), seeks by wall-clock instant (changing clip when needed), and reports the wall-clock
 * position as playback moves. The time arithmetic is in `replayTime.ts`.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { positionAt, wallAt, type ReplayTimeline } from './replayTime.ts';

export interface Replay {
  /** Index in `tl.clips` of the clip the video holds. */
  index: number;
  /** The wall-clock instant on screen (ms since the epoch). */
  wall: number;
  playing: boolean;
  seek: (wall: number) => void;
  toggle: () => void;
  /** For the `<video>`'s events. */
  handlers: {
    onLoadedMetadata: () => void;
    onTimeUpdate: () => void;
    onEnded: () => void;
    onPlay: () => void;
    onPause: () => void;
  };
}

/** `videoRef` is the `<video>` the caller renders (kept by the caller: a ref is not render output). */
export function useReplay(tl: ReplayTimeline, videoRef: RefObject<HTMLVideoElement | null>): Replay {
  const [index, setIndex] = useState(0);
  const [wall, setWall] = useState(() => tl.clips[0]?.start ?? tl.start);
  const [playing, setPlaying] = useState(false);
  // Where to go once the next clip's metadata is there (a new `src` resets the position).
  // `clip`: the clip it is for; the video's `data-clip` says which one its metadata came from (a
  // `loadedmetadata` of the clip being left can still arrive after a quick second seek).
  const pending = useRef<{ clip: number; offset: number; play: boolean } | null>(null);
  // Counts seeks that went through `pending`, so the effect below runs after each.
  const [seeks, setSeeks] = useState(0);

  const applyPending = useCallback(() => {
    const v = videoRef.current;
    const p = pending.current;
    if (!v || !p || Number(v.dataset.clip) !== p.clip) return;
    pending.current = null;
    v.currentTime = p.offset;
    if (p.play) void v.play().catch(() => {});
  }, [videoRef]);

  // A seek that ended on the clip already loaded (two quick seeks: there and back) changes no
  // `src`, so no `loadedmetadata` comes: apply it now. A changed `src` has reset `readyState`.
  useEffect(() => {
    if ((videoRef.current?.readyState ?? 0) >= HTMLMediaElement.HAVE_METADATA) applyPending();
  }, [seeks, index, videoRef, applyPending]);

  // The position of the clip the element holds (its `data-clip`), not of the index this closure
  // saw: an animation frame of the loop below can run between a seek's render and its effect.
  const follow = useCallback(() => {
    const v = videoRef.current;
    if (!v || pending.current) return;
    const held = tl.clips.findIndex((c) => c.clip === Number(v.dataset.clip));
    if (held >= 0) setWall(wallAt(tl, held, v.currentTime));
  }, [tl, videoRef]);

  // `timeupdate` comes about 4 times a second: smooth enough for the readout, not for the playhead.
  useEffect(() => {
    if (!playing) return;
    let frame = requestAnimationFrame(function tick() {
      follow();
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, follow]);

  const seek = useCallback(
    (target: number) => {
      const pos = positionAt(tl, target);
      if (!pos) return;
      const v = videoRef.current;
      const play = pending.current?.play ?? (v ? !v.paused : false);
      setWall(wallAt(tl, pos.index, pos.offset));
      if (v && !pending.current && pos.index === index && v.readyState >= HTMLMediaElement.HAVE_METADATA) {
        v.currentTime = pos.offset;
        return;
      }
      pending.current = { clip: tl.clips[pos.index]!.clip, offset: pos.offset, play };
      setIndex(pos.index);
      setSeeks((n) => n + 1);
    },
    [tl, index, videoRef],
  );

  const toggle = useCallback(() => {
    const v = videoRef.current;
    if (!v) return;
    if (!v.paused) v.pause();
    else if (pending.current) pending.current.play = true;
    else {
      // Play at the end of the last clip starts over.
      if (v.ended && index === tl.clips.length - 1) seek(tl.clips[0]?.start ?? tl.start);
      void v.play().catch(() => {});
    }
  }, [index, tl, seek, videoRef]);

  const handlers = {
    onLoadedMetadata: applyPending,
    onTimeUpdate: follow,
    onEnded: () => {
      if (index + 1 >= tl.clips.length) return setPlaying(false);
      pending.current = { clip: tl.clips[index + 1]!.clip, offset: 0, play: true };
      setIndex(index + 1);
      setWall(tl.clips[index + 1]!.start);
    },
    onPlay: () => setPlaying(true),
    onPause: () => setPlaying(false),
  };

  return { index, wall, playing, seek, toggle, handlers };
}
