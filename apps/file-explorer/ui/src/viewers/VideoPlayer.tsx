import { useEffect, useLayoutEffect, useRef, useState, type MediaHTMLAttributes, type ReactNode } from 'react';
import { fileUrl, reportEvent } from '../api.ts';
import { formatTime } from '../lib/format.ts';
import type { Action } from '../lib/keymap.ts';
import type { Entry } from '../lib/types.ts';

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
const SEEK_STEP = 5;
/** What a sound file shows where a video's picture would be. */
const AUDIO_CARD = { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 12, opacity: 0.8 } as const;

interface Props {
  entry: Entry;
  header: ReactNode;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
}

/** <video> with its own controls; its sound reaches the viewer (the session's sound server). */
export function VideoPlayer(props: Props) {
  return <MediaPlayer {...props} kind="video" />;
}

/**
 * A <video> or <audio> with the same controls, keys and claims (`video-started` / `video-stopped`
 * with the position, for the audit trail). If autoplay rules refuse play() with sound, it retries muted.
 */
export function MediaPlayer({ entry, header, registerKeys, kind }: Props & { kind: 'video' | 'audio' }) {
  const video = useRef<HTMLMediaElement | null>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [rate, setRate] = useState(1);
  const [error, setError] = useState<string | null>(null);

  // video-started / video-stopped with the position, for the audit trail. Leaving the preview while
  // playing counts as stopping.
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const path = entry.path;
    let reportedPlaying = false;
    const onPlay = () => {
      setPlaying(true);
      if (!reportedPlaying) {
        reportedPlaying = true;
        reportEvent({ kind: 'video-started', path, position: round(v.currentTime) });
      }
    };
    const onPause = () => {
      setPlaying(false);
      if (reportedPlaying) {
        reportedPlaying = false;
        reportEvent({ kind: 'video-stopped', path, position: round(v.currentTime) });
      }
    };
    v.addEventListener('playing', onPlay);
    v.addEventListener('pause', onPause);
    return () => {
      v.removeEventListener('playing', onPlay);
      v.removeEventListener('pause', onPause);
      if (reportedPlaying) reportEvent({ kind: 'video-stopped', path, position: round(v.currentTime) });
      v.pause();
      // Release the decoder and the connection.
      v.removeAttribute('src');
      v.load();
    };
  }, [entry.path, kind]);

  const toggle = () => {
    const v = video.current;
    if (!v) return;
    if (v.paused || v.ended) {
      v.play().catch((err: unknown) => {
        if (err instanceof DOMException && err.name === 'NotAllowedError' && !v.muted) {
          v.muted = true;
          v.play().catch(() => {});
        }
      });
    } else v.pause();
  };

  const seek = (t: number) => {
    const v = video.current;
    if (!v) return;
    const d = Number.isFinite(v.duration) ? v.duration : 0;
    v.currentTime = Math.max(0, d ? Math.min(d, t) : t);
    setTime(v.currentTime);
  };

  const setSpeed = (r: number) => {
    const v = video.current;
    if (v) v.playbackRate = r;
    setRate(r);
  };

  const stepSpeed = (dir: 1 | -1) => {
    const i = SPEEDS.indexOf(rate);
    const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 2 : i) + dir))]!;
    setSpeed(next);
  };

  const handleKey = (action: Action): boolean => {
    const v = video.current;
    switch (action) {
      case 'toggle-play':
        toggle();
        return true;
      case 'seek-back':
        seek((v?.currentTime ?? 0) - SEEK_STEP);
        return true;
      case 'seek-forward':
        seek((v?.currentTime ?? 0) + SEEK_STEP);
        return true;
      case 'seek-start':
        seek(0);
        return true;
      case 'seek-end':
        seek(duration);
        return true;
      case 'speed-down':
        stepSpeed(-1);
        return true;
      case 'speed-up':
        stepSpeed(1);
        return true;
    }
    return false;
  };
  useLayoutEffect(() => registerKeys(handleKey));

  return (
    <div className={`viewer video-viewer ${kind}-viewer`} data-testid={`${kind}-player`} data-playing={playing}>
      <div className="preview-bar">{header}</div>
      <div className="video-stage" tabIndex={0} data-testid={`${kind}-stage`} onClick={toggle}>
        {error ? (
          <div className="viewer-message" role="alert">
            {error}
          </div>
        ) : null}
        {kind === 'audio' ? (
          <div className="audio-card" aria-hidden="true" style={AUDIO_CARD}>
            <span style={{ fontSize: 96, lineHeight: 1 }}>♪</span>
            <span>{entry.name}</span>
          </div>
        ) : null}
        <MediaElement
          kind={kind}
          ref={(el) => {
            video.current = el;
          }}
          src={fileUrl(entry.path)}
          data-testid={kind}
          onLoadedMetadata={(ev) => {
            setDuration(Number.isFinite(ev.currentTarget.duration) ? ev.currentTarget.duration : 0);
            ev.currentTarget.playbackRate = rate;
          }}
          onDurationChange={(ev) =>
            setDuration(Number.isFinite(ev.currentTarget.duration) ? ev.currentTarget.duration : 0)
          }
          onTimeUpdate={(ev) => setTime(ev.currentTarget.currentTime)}
          onError={() => setError(`This ${kind} cannot be played (unsupported format or damaged file).`)}
          style={error ? { display: 'none' } : undefined}
        />
      </div>
      <div className="video-controls">
        <button
          type="button"
          className="play-button"
          data-testid="video-play"
          onClick={toggle}
          aria-label={playing ? 'Pause (Space)' : 'Play (Space)'}
        >
          {playing ? '❚❚ Pause' : '▶ Play'}
        </button>
        <span className="video-time" data-testid="video-time">
          {formatTime(time)} / {formatTime(duration)}
        </span>
        <input
          type="range"
          className="seek"
          data-testid="video-seek"
          aria-label="Position"
          min={0}
          max={duration || 0}
          step={0.1}
          value={Math.min(time, duration || 0)}
          onChange={(ev) => seek(Number(ev.target.value))}
        />
        <div className="speed-group" role="group" aria-label="Speed" data-testid="video-speed" data-rate={rate}>
          {SPEEDS.map((s) => (
            <button
              key={s}
              type="button"
              aria-pressed={s === rate}
              data-testid={`video-speed-${s}`}
              onClick={() => setSpeed(s)}
            >
              {s}×
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}

type ElementProps = Omit<MediaHTMLAttributes<HTMLMediaElement>, 'ref'> & {
  kind: 'video' | 'audio';
  ref: (el: HTMLMediaElement | null) => void;
  'data-testid': string;
};

/** The element itself: a picture-less <audio> for sound files. */
function MediaElement({ kind, ref, ...rest }: ElementProps) {
  if (kind === 'audio') return <audio ref={ref} preload="metadata" {...rest} />;
  return <video ref={ref} preload="metadata" playsInline disablePictureInPicture {...rest} />;
}

function round(t: number): number {
  return Math.round(t * 10) / 10;
}
