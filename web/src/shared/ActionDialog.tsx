/** A small confirm / form dialog: a title, optional fields, Cancel and one button that runs an action. */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import { describeError } from './format.ts';

/** A form between the dialog's paper and its parts: the content scrolls, the buttons stay in view. */
export const dialogFormLayout = {
  display: 'flex',
  flexDirection: 'column',
  minHeight: 0,
  flex: '1 1 auto',
  overflow: 'hidden',
} as const;

export interface ActionDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  /** Runs on confirm (or Enter); a throw shows its message and keeps the dialog open, success closes it. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  danger?: boolean;
  /** Blocks confirming, e.g. while a field is invalid. */
  confirmDisabled?: boolean;
  children?: ReactNode;
}

/** The dialogs of the storage and sharing pages (new folder, rename, move, revoke, purge): `dialog-confirm`. */
export function ActionDialog(props: ActionDialogProps) {
  const { open, title, onClose } = props;
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} fullWidth maxWidth="sm">
      <DialogTitle>{title}</DialogTitle>
      {/* Mounted with each opening: no error left over from last time. */}
      <ActionDialogBody {...props} onBusy={setBusy} />
    </Dialog>
  );
}

function ActionDialogBody(props: ActionDialogProps & { onBusy: (busy: boolean) => void }) {
  const { confirmLabel, onConfirm, onClose, danger, confirmDisabled, children, onBusy } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || confirmDisabled) return;
    setBusy(true);
    onBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
      onBusy(false);
    }
  };

  return (
    <Box component="form" noValidate onSubmit={(e: FormEvent) => void submit(e)} sx={dialogFormLayout}>
      <DialogContent sx={{ pt: 1 }}>
        <Stack sx={{ gap: 2, pt: 1 }}>
          {error && (
            <Alert severity="error" data-testid="error-message">
              {error}
            </Alert>
          )}
          {children}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy} data-testid="dialog-cancel">
          Cancel
        </Button>
        <Button
          type="submit"
          variant="contained"
          color={danger ? 'error' : 'primary'}
          disabled={busy || confirmDisabled}
          startIcon={busy ? <CircularProgress size={16} color="inherit" /> : undefined}
          data-testid="dialog-confirm"
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Box>
  );
}
