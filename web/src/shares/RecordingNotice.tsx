/** Before a recorded share's session streams: who records it and what the recording shows; Continue or Cancel. */
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import FiberManualRecordIcon from '@mui/icons-material/FiberManualRecord';

interface Props {
  /** Who records the session (the share's owner); null: closed. */
  ownerName: string | null;
  onContinue: () => void;
  onCancel: () => void;
}

export function RecordingNotice({ ownerName, onContinue, onCancel }: Props) {
  return (
    <Dialog
      open={ownerName !== null}
      onClose={onCancel}
      fullWidth
      maxWidth="sm"
      aria-labelledby="recording-notice-title"
      aria-describedby="recording-notice-text"
      data-testid="recording-notice"
    >
      <DialogTitle id="recording-notice-title">
        <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
          <FiberManualRecordIcon color="error" fontSize="small" aria-hidden />
          This session is recorded
        </Stack>
      </DialogTitle>
      <DialogContent>
        <DialogContentText id="recording-notice-text" color="text.primary">
          This session will be recorded by {ownerName}. The recording shows everything you see and do.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} data-testid="recording-cancel">
          Cancel
        </Button>
        <Button variant="contained" onClick={onContinue} autoFocus data-testid="recording-continue">
          Continue
        </Button>
      </DialogActions>
    </Dialog>
  );
}
