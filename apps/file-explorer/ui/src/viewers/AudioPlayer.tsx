import type { ReactNode } from 'react';
import type { Action } from '../lib/keymap.ts';
import type { Entry } from '../lib/types.ts';
import { MediaPlayer } from './VideoPlayer.tsx';

interface Props {
  entry: Entry;
  header: ReactNode;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
}

/**
 * MP3, Ogg, WAV, FLAC, M4A: the video player's controls, keys (context `audio`) and claims over an
 * <audio>, whose sound reaches the viewer through the session's sound server.
 */
export function AudioPlayer(props: Props) {
  return <MediaPlayer {...props} kind="audio" />;
}
