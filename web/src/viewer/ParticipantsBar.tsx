/** The header's word on who is in the session: recording, who watches, who drives, and the one control action. */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import FiberManualRecordIcon from '@mui/icons-material/FiberManualRecord';
import VisibilityIcon from '@mui/icons-material/Visibility';
import type { ControlAction } from '@vitrine/protocol';
import type { ParticipantsView } from './participants.ts';

export function ParticipantsBar({
  view,
  onControl,
}: {
  view: ParticipantsView;
  onControl: (a: ControlAction) => void;
}) {
  if (!view.recorded && view.notices.length === 0) return null;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: 0 }} data-testid="participants">
      {view.recorded && (
        <Tooltip title="The share's owner records this session: what is shown and what is done in it.">
          <Chip
            size="small"
            color="error"
            variant="outlined"
            icon={<FiberManualRecordIcon />}
            label="Recording"
            data-testid="recording-chip"
          />
        </Tooltip>
      )}
      {view.notices.map((n) => (
        <Chip key={n} size="small" color="info" icon={<VisibilityIcon />} label={n} data-testid="participant-notice" />
      ))}
      {view.action && (
        <Button
          size="small"
          variant="outlined"
          onClick={() => onControl(view.action!.action)}
          data-testid="control-action"
          sx={{ whiteSpace: 'nowrap' }}
        >
          {view.action.label}
        </Button>
      )}
    </Box>
  );
}
