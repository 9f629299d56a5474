/** A recording's state as a chip, with what it means on hover (the list and the player share it). */
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import type { RecordingState } from '@vitrine/protocol';

const STATE: Record<RecordingState, { label: string; color: 'error' | 'success' | 'warning'; meaning: string }> = {
  recording: { label: 'Recording', color: 'error', meaning: 'The session is still running and being recorded.' },
  finished: { label: 'Finished', color: 'success', meaning: 'Recorded to the end of the session.' },
  interrupted: {
    label: 'Interrupted',
    color: 'warning',
    meaning: 'The server stopped while recording; the last few seconds were lost.',
  },
  failed: {
    label: 'Failed',
    color: 'error',
    meaning: 'Recording failed (for example, the recording space was full), so the session was ended.',
  },
};

export function RecordingStateChip({ state }: { state: RecordingState }) {
  const s = STATE[state];
  return (
    <Tooltip title={s.meaning}>
      <Chip
        size="small"
        label={s.label}
        color={s.color}
        variant={state === 'finished' ? 'outlined' : 'filled'}
        data-testid="recording-state"
        data-state={state}
        // The meaning is read out too, not only shown on hover.
        aria-label={`${s.label}: ${s.meaning}`}
      />
    </Tooltip>
  );
}
