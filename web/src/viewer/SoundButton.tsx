/** The viewer bar's Mute button, and "Click for sound" while the browser waits for a gesture. */
import { useSyncExternalStore } from 'react';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import VolumeOffIcon from '@mui/icons-material/VolumeOff';
import VolumeUpIcon from '@mui/icons-material/VolumeUp';
import { sessionSound } from './sessionSound.ts';

export function SoundButton() {
  const sound = useSyncExternalStore(sessionSound.subscribe, () => sessionSound.state);
  if (!sound.available) return null;
  const label = sound.muted ? 'Unmute' : 'Mute';
  return (
    <>
      {sound.blocked && !sound.muted && (
        <Chip
          size="small"
          label="Click for sound"
          onClick={sessionSound.gesture}
          data-testid="sound-blocked"
          variant="outlined"
        />
      )}
      <Tooltip title={label}>
        <IconButton
          aria-label={label}
          aria-pressed={sound.muted}
          onClick={() => sessionSound.setMuted(!sound.muted)}
          size="small"
          data-testid="mute"
        >
          {sound.muted ? <VolumeOffIcon /> : <VolumeUpIcon />}
        </IconButton>
      </Tooltip>
    </>
  );
}
